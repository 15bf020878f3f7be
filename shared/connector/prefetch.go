package connector

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tandemgw/tandem/shared/prefetch"
)

// PrefetchOne registers e as plan p's step for typeName.field, a field
// whose value is one object: a level of parents (P) is read with one Start
// of their keys (key) and of the field's arguments argNames, and the
// objects found lead the walk on to the next level.
func PrefetchOne[P, T any](p *prefetch.Plan, typeName, field string, e *Endpoint[*T], key func(P) string, argNames ...string) {
	prefetch.Load(p, typeName, field, func(ctx context.Context, parents []P, f graphql.CollectedField, next func([]*T)) {
		e.Start(ctx, keys(parents, key), CollectedArgs(ctx, f, argNames...), f.Selections, func(found map[string]*T) {
			out := make([]*T, 0, len(found))
			for _, v := range found {
				out = append(out, v)
			}
			next(out)
		})
	})
}

// PrefetchMany is PrefetchOne for a field whose value is a list of
// objects: the walk goes on into every object of every list found.
func PrefetchMany[P, T any](p *prefetch.Plan, typeName, field string, e *Endpoint[[]*T], key func(P) string, argNames ...string) {
	prefetch.Load(p, typeName, field, func(ctx context.Context, parents []P, f graphql.CollectedField, next func([]*T)) {
		e.Start(ctx, keys(parents, key), CollectedArgs(ctx, f, argNames...), f.Selections, func(found map[string][]*T) {
			var out []*T
			for _, v := range found {
				out = append(out, v...)
			}
			next(out)
		})
	})
}

// PrefetchLeaf is PrefetchOne for a field whose value leads nowhere (a
// scalar or a list of them): the level is read, and the walk stops.
func PrefetchLeaf[P, V any](p *prefetch.Plan, typeName, field string, e *Endpoint[V], key func(P) string, argNames ...string) {
	prefetch.Load(p, typeName, field, func(ctx context.Context, parents []P, f graphql.CollectedField, _ func([]struct{})) {
		e.Start(ctx, keys(parents, key), CollectedArgs(ctx, f, argNames...), f.Selections, nil)
	})
}

func keys[P any](parents []P, key func(P) string) []string {
	out := make([]string, len(parents))
	for i, p := range parents {
		out[i] = key(p)
	}
	return out
}
