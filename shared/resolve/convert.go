package resolve

import (
	"fmt"
	"strings"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/upstream"
)

// Enum maps a backend's enum value ("shipped") to the schema's enum E
// (SHIPPED). A value the schema does not know breaks the backend's
// contract: it is service's INTERNAL error, so the client sees only the
// code and the service, and what names the value in the internal cause.
func Enum[E interface {
	~string
	IsValid() bool
}](service, what, value string) (E, error) {
	e := E(strings.ToUpper(value))
	if !e.IsValid() {
		return E(""), &upstream.Error{Service: service, Code: errcode.UpstreamError, Err: fmt.Errorf("unknown %s %q", what, value)}
	}
	return e, nil
}

// Found returns the items of a batch load (items[i] answering the i-th key,
// errs[i] its error) without those the backend reported not found: an id
// one backend names and another no longer has (a recommended product gone
// from the catalog) is left out. Any other error fails the whole list.
func Found[T any](items []T, errs []error) ([]T, error) {
	out := make([]T, 0, len(items))
	for i, it := range items {
		if i < len(errs) && errs[i] != nil {
			if upstream.IsNotFound(errs[i]) {
				continue
			}
			return nil, errs[i]
		}
		out = append(out, it)
	}
	return out, nil
}

// Map returns f of every element of in, in order (never nil, so an empty
// list stays [] in JSON).
func Map[In, Out any](in []In, f func(In) Out) []Out {
	out := make([]Out, len(in))
	for i, v := range in {
		out[i] = f(v)
	}
	return out
}

// MapErr is Map for a conversion that can fail; the first error ends it.
func MapErr[In, Out any](in []In, f func(In) (Out, error)) ([]Out, error) {
	out := make([]Out, len(in))
	for i, v := range in {
		var err error
		if out[i], err = f(v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Keys returns key of every item, leaving out empty keys (an object that
// names no other object): the ids a batching plan loads for a level.
func Keys[T any](items []T, key func(T) string) []string {
	out := make([]string, 0, len(items))
	for _, it := range items {
		if k := key(it); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// Deref is *p, or T's zero value for an absent optional argument.
func Deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// Cursor is a page's end cursor for PageInfo.endCursor: null when the
// backend gave none (an empty page).
func Cursor(endCursor string) *string {
	if endCursor == "" {
		return nil
	}
	return &endCursor
}
