package registry

import (
	"context"
	"fmt"
)

// Scoped is the context key of one source's per-request value, its loader
// set: the source's Instance.WithRequestScope stores it and the source's
// For(ctx) reads it. Each source declares one with NewScoped; the key is
// the *Scoped itself, so two sources never collide.
type Scoped[T any] struct {
	source string
}

// NewScoped returns the key of source's per-request value.
func NewScoped[T any](source string) *Scoped[T] { return &Scoped[T]{source: source} }

// NewContext returns ctx carrying v.
func (k *Scoped[T]) NewContext(ctx context.Context, v T) context.Context {
	return context.WithValue(ctx, k, v)
}

// FromContext returns the value in ctx, if any.
func (k *Scoped[T]) FromContext(ctx context.Context) (T, bool) {
	v, ok := ctx.Value(k).(T)
	return v, ok
}

// For returns the value in ctx. A missing value is a wiring mistake that
// Set.Require catches at startup, so For panics (the server turns a panic
// into INTERNAL_SERVER_ERROR and logs it) with a message naming the
// source and the fix.
func (k *Scoped[T]) For(ctx context.Context) T {
	if v, ok := k.FromContext(ctx); ok {
		return v
	}
	panic(fmt.Sprintf("%[1]s.For: source %[1]q is not registered in this BFF or the request did not pass through registry.Set.Middleware: "+
		"call %[1]s.Register(reg) in <bff>/cmd/<bff>/main.go, set upstreams.%[1]s.address, and add %[1]q to Set.Require", k.source))
}
