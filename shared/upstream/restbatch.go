package upstream

import (
	"context"
	"net/url"
	"strconv"
	"strings"
)

// BatchResponse is the REST batch form: {"items": [...], "missing": [...]}.
type BatchResponse[T any] struct {
	Items   []T      `json:"items"`
	Missing []string `json:"missing"`
}

// ListResponse is the REST list form: {"items": [...], "pageInfo": {...}}.
type ListResponse[T any] struct {
	Items    []T      `json:"items"`
	PageInfo PageInfo `json:"pageInfo"`
}

// Page converts the wire form into a Page.
func (l ListResponse[T]) Page() Page[T] {
	return Page[T]{Items: l.Items, EndCursor: l.PageInfo.EndCursor, HasNextPage: l.PageInfo.HasNextPage}
}

// GetBatch loads ids through a REST batch endpoint (GET path?param=a,b,c),
// deduplicating ids and splitting them into concurrent calls of at most
// maxBatch ids. The result is keyed by key(item); ids the upstream lists as
// missing are simply absent. An id that cannot travel in the batch (empty,
// with a comma or a control character; see CheckID) is never sent: it
// fails alone, with BAD_USER_INPUT, in a KeyErrors next to the others'
// values.
func GetBatch[T any](ctx context.Context, c *REST, path, param string, ids []string, maxBatch int, key func(T) string) (map[string]T, error) {
	return GetBatchQuery(ctx, c, path, nil, param, ids, maxBatch, key)
}

// GetBatchQuery is GetBatch with more query parameters (query, which it
// does not modify) sent with every chunk.
func GetBatchQuery[T any](ctx context.Context, c *REST, path string, query url.Values, param string, ids []string, maxBatch int, key func(T) string) (map[string]T, error) {
	ids = Dedup(ids)
	var bad KeyErrors[string]
	valid := ids
	for i, id := range ids {
		err := CheckID("id", id)
		if err == nil {
			if bad != nil {
				valid = append(valid, id)
			}
			continue
		}
		if bad == nil {
			bad = KeyErrors[string]{}
			valid = append(make([]string, 0, len(ids)), ids[:i]...)
		}
		bad[id] = invalidInput(c.service, err.(*InputError))
	}
	m, err := Chunked(ctx, valid, maxBatch, func(ctx context.Context, chunk []string) (map[string]T, error) {
		q := make(url.Values, len(query)+1)
		for k, v := range query {
			q[k] = v
		}
		q[param] = []string{strings.Join(chunk, ",")}
		var resp BatchResponse[T]
		if err := c.GetJSON(ctx, path, q, &resp); err != nil {
			return nil, err
		}
		out := make(map[string]T, len(resp.Items))
		for _, it := range resp.Items {
			out[key(it)] = it
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	if bad != nil {
		return m, bad
	}
	return m, nil
}

// GetPage GETs one page of a REST list. first <= 0 leaves the page size to
// the upstream's default; after == "" starts at the beginning. Extra query
// parameters (filters) may be passed in q.
func GetPage[T any](ctx context.Context, c *REST, path string, q url.Values, first int, after string) (Page[T], error) {
	query := url.Values{}
	for k, v := range q {
		query[k] = v
	}
	if first > 0 {
		query.Set("limit", strconv.Itoa(first))
	}
	if after != "" {
		query.Set("after", after)
	}
	var resp ListResponse[T]
	if err := c.GetJSON(ctx, path, query, &resp); err != nil {
		return Page[T]{}, err
	}
	return resp.Page(), nil
}
