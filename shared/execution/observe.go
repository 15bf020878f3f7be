package execution

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// FieldObserver is told of each field the executor resolves through the
// field interceptors (every field but ResolveLeaf's plain leaves) once the
// field has resolved, before its value is marshalled: the batching plan
// starts the next level's loads there, the cost extension counts what the
// field returned.
type FieldObserver interface {
	ObserveField(ctx context.Context, fc *graphql.FieldContext, res any, err error)
}

// Observe returns one field interceptor that resolves each field and then
// tells observers, in order; nil when there are none. gqlgen wraps every
// field in a closure per field interceptor, allocated on each call: a
// response of a few hundred objects paid some 250 allocations for each
// interceptor that only looked at a field's result, which observers share.
func Observe(observers ...FieldObserver) graphql.FieldInterceptor {
	if len(observers) == 0 {
		return nil
	}
	return observing(observers)
}

type observing []FieldObserver

func (o observing) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if fc := graphql.GetFieldContext(ctx); fc != nil {
		for _, ob := range o {
			ob.ObserveField(ctx, fc, res, err)
		}
	}
	return res, err
}
