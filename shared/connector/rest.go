package connector

import (
	"context"
	"net/url"

	"github.com/tandemgw/tandem/shared/upstream"
)

// GetBatch reads keys through a REST batch endpoint (GET path?param=a,b,c
// plus query), in chunks of at most MaxBatch keys, and keys each item of
// the answer's items with item; see upstream.GetBatchQuery.
func GetBatch[T, V any](ctx context.Context, c Conn, path string, query url.Values, param string, keys []string, item func(T) (string, V)) (map[string]V, error) {
	query = withQuery(query, c.Query)
	got, err := upstream.GetBatchQuery(ctx, c.REST, path, query, param, keys, c.Config.MaxBatch, func(t T) string {
		k, _ := item(t)
		return k
	})
	out := make(map[string]V, len(got))
	for k, t := range got {
		_, v := item(t)
		complete(v)
		out[k] = v
	}
	return out, err
}

// GetEach reads keys from a REST endpoint without a batch form: one GET of
// request(key) per key, at most MaxConcurrent at once (the source's
// bulkhead bounds them too), each key checked (upstream.CheckID) before it
// is used; request escapes it (upstream.PathSegment) where it goes in the
// path. value picks the field's value out of the answer.
func GetEach[T, V any](ctx context.Context, c Conn, keys []string, request func(key string) (string, url.Values), value func(*T) V) (map[string]V, error) {
	service := c.REST.Service()
	return upstream.FanOut(ctx, keys, c.Config.MaxConcurrent, func(ctx context.Context, key string) (V, error) {
		var zero V
		if err := upstream.CheckID("id", key); err != nil {
			return zero, upstream.InvalidInput(service, err)
		}
		var t T
		path, query := request(key)
		query = withQuery(query, c.Query)
		if err := c.REST.GetJSON(ctx, path, query, &t); err != nil {
			return zero, err
		}
		v := value(&t)
		complete(v)
		return v, nil
	})
}

// Completer is implemented by a model that derives fields of its own from
// what a backend answered (Stock.InStock from Available): the generated
// code calls Complete once the answer is decoded or mapped. A derived plain
// field is cheaper than a method field, which gqlgen runs through every
// field interceptor.
type Completer interface{ Complete() }

func complete(v any) {
	if c, ok := v.(Completer); ok {
		c.Complete()
	}
}

// Query builds the query of a call from name/value pairs, leaving out empty
// values (an argument the caller did not give).
func Query(pairs ...string) url.Values {
	var q url.Values
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			continue
		}
		if q == nil {
			q = url.Values{}
		}
		q.Set(pairs[i], pairs[i+1])
	}
	return q
}

// withQuery is query with extra's parameters added; neither is changed.
func withQuery(query, extra url.Values) url.Values {
	if len(extra) == 0 {
		return query
	}
	out := make(url.Values, len(query)+len(extra))
	for k, v := range query {
		out[k] = v
	}
	for k, v := range extra {
		out[k] = v
	}
	return out
}
