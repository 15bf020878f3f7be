package connector

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tandemgw/tandem/shared/prefetch"
	"github.com/tandemgw/tandem/shared/registry"
)

// Step is how the batching plan reads one field for a whole level of
// parents (P) through an endpoint: which key of a parent, which argument
// values, and which objects (C) the walk goes on into. The plugin writes
// one for every field of the schema that reads an endpoint: @rest, @grpc
// and @loads.
type Step[P, V, C any] struct {
	Endpoint *Endpoint[V]
	Key      func(P) string
	// Args are the endpoint's argument values for the level, what the
	// field's resolver passes to Load; nil when it takes none. ok false
	// skips the step (the resolver reports the bad input).
	Args func(ctx context.Context, f graphql.CollectedField) (args []string, ok bool)
	// Omits are the fields of the field's type the brief view leaves out
	// (see Endpoint.LoadFor); nil: the endpoint's own.
	Omits []string
	// Children appends the objects a value leads the walk to; nil for a
	// field whose value leads nowhere (a scalar, or a type without steps).
	// A value of a source's type is converted with Convert, so that the
	// walk goes on with the very objects the field's resolver returns.
	Children func(ctx context.Context, v V, out []C) []C
	// Needs are the request-wide facts Args waits for ("market"): the
	// plan starts the level's other steps first (prefetch.Needs).
	Needs []string
}

// Prefetch registers s as plan p's step for typeName.field: a level of
// parents is read with one Start of their keys, and the objects found lead
// the walk on to the next level.
func Prefetch[P, V, C any](p *prefetch.Plan, typeName, field string, s Step[P, V, C]) {
	omits := s.Omits
	if omits == nil {
		omits = s.Endpoint.Spec.BriefOmits
	}
	prefetch.Load(p, typeName, field, s.Needs, func(ctx context.Context, parents []P, f graphql.CollectedField, next func([]C)) {
		var args []string
		if s.Args != nil {
			var ok bool
			if args, ok = s.Args(ctx, f); !ok {
				return
			}
		}
		keys := make([]string, len(parents))
		for i, pa := range parents {
			keys[i] = s.Key(pa)
		}
		if s.Children == nil {
			s.Endpoint.StartFor(ctx, omits, keys, args, f.Selections, nil)
			return
		}
		s.Endpoint.StartFor(ctx, omits, keys, args, f.Selections, func(found map[string]V) {
			out := make([]C, 0, len(found))
			for _, v := range found {
				out = s.Children(ctx, v, out)
			}
			next(out)
		})
	})
}

// FieldArgs is a Step's Args for an endpoint whose arguments are the
// field's arguments names (see CollectedArgs).
func FieldArgs(names ...string) func(context.Context, graphql.CollectedField) ([]string, bool) {
	return func(ctx context.Context, f graphql.CollectedField) ([]string, bool) {
		return CollectedArgs(ctx, f, names...), true
	}
}

// Convert returns conv(v), made once per request for each v: a value of a
// source's type read by several fields (a product on an order line and in
// a related list) converts into one object of the schema's model, and the
// batching plan's walk, which goes on with the objects its steps convert,
// knows the ones the resolvers return as objects it has been over.
func Convert[V comparable, C any](ctx context.Context, v V, conv func(V) C) C {
	rl, ok := registry.RequestValue(ctx, requestLoadersKey{}, newRequestLoaders)
	if !ok {
		return conv(v)
	}
	// One table per conversion, known by its function type.
	key := loaderKey{endpoint: (*func(V) C)(nil)}
	rl.mu.Lock()
	m, _ := rl.m[key].(map[V]C)
	if m == nil {
		m = map[V]C{}
		rl.m[key] = m
	}
	c, found := m[v]
	rl.mu.Unlock()
	if found {
		return c
	}
	c = conv(v)
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if prev, found := m[v]; found {
		return prev
	}
	m[v] = c
	return c
}
