package registry

import (
	"context"
	"fmt"
	"sync"
)

// Scoped is the typed handle of one source's per-request value, its loader
// set: the source's For(ctx) reads it through Scoped.For. Each source
// declares one with NewScoped.
type Scoped[T any] struct {
	source string
}

// NewScoped returns the handle of source's per-request value.
func NewScoped[T any](source string) *Scoped[T] { return &Scoped[T]{source: source} }

// FromContext returns the request's value of the source, building it on
// the request's first use (Instance.NewRequestScope), if the request
// passed through Set.Middleware (or Set.WithRequestScope) of a set that
// holds the source.
func (k *Scoped[T]) FromContext(ctx context.Context) (T, bool) {
	var zero T
	rs, ok := ctx.Value(requestScopeKey{}).(*requestScope)
	if !ok {
		return zero, false
	}
	v, ok := rs.value(k.source).(T)
	return v, ok
}

// For returns the request's value of the source. A missing value is a
// wiring mistake that Set.Require catches at startup, so For panics (the
// server turns a panic into INTERNAL_SERVER_ERROR and logs it) with a
// message naming the source and the fix.
func (k *Scoped[T]) For(ctx context.Context) T {
	if v, ok := k.FromContext(ctx); ok {
		return v
	}
	panic(fmt.Sprintf("%[1]s.For: source %[1]q is not registered in this BFF or the request did not pass through registry.Set.Middleware: "+
		"the BFF's source list (<bff>/graph/connectors.generated.go) is stale: run make generate, and set upstreams.%[1]s.address", k.source))
}

// requestScopeKey is the context key of a request's *requestScope.
type requestScopeKey struct{}

// requestScope holds one request's per-source values. They are built
// lazily: a request that touches two of seven sources builds two loader
// sets, and the context gains one value, not one per source.
type requestScope struct {
	set    *Set
	values []lazyValue    // parallel to set.list
	calls  sync.WaitGroup // calls started in the background (upstream.Loader.Start)

	mu    sync.Mutex
	extra map[any]any // RequestValue's values, made on first use
}

type lazyValue struct {
	once sync.Once
	v    any
}

// value returns the request's value of source, or nil when the set has no
// such source.
func (rs *requestScope) value(source string) any {
	i, ok := rs.set.index[source]
	if !ok {
		return nil
	}
	lv := &rs.values[i]
	lv.once.Do(func() { lv.v = rs.set.list[i].NewRequestScope() })
	return lv.v
}

// RequestValue returns the request's value under key, made by build on the
// request's first use of key. It is how code other than a source's own
// package keeps per-request state next to the sources' loader sets (the
// declarative connectors keep one loader per endpoint here). ok is false
// when ctx did not pass through Set.Middleware or Set.WithRequestScope.
func RequestValue[T any](ctx context.Context, key any, build func() T) (v T, ok bool) {
	rs, ok := ctx.Value(requestScopeKey{}).(*requestScope)
	if !ok {
		return v, false
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if got, found := rs.extra[key]; found {
		return got.(T), true
	}
	if rs.extra == nil {
		rs.extra = map[any]any{}
	}
	v = build()
	rs.extra[key] = v
	return v, true
}

// InstanceFor returns the built instance of source id in the set the
// request runs against.
func InstanceFor(ctx context.Context, id string) (Instance, bool) {
	rs, ok := ctx.Value(requestScopeKey{}).(*requestScope)
	if !ok {
		return nil, false
	}
	return rs.set.Instance(id)
}
