package execution

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Direct is a handler extension that lets the generated executor call the
// field observers itself (Resolve) instead of through gqlgen's field
// interceptor chain, which costs every field a closure for the chain, one
// for the resolver it wraps and one for the marshalling after it. Register
// it only when Observe(observers...) is the server's one field
// interceptor: a field Resolve handles skips the chain altogether, so any
// other interceptor would be skipped with it. The interceptor stays
// registered for the calls the rewrite leaves to gqlgen.
func Direct(observers ...FieldObserver) graphql.HandlerExtension {
	return direct(observers)
}

// directStat is the name under which an operation's stats carry the
// observers Resolve calls.
const directStat = "tandem.observers"

type direct observing

var (
	_ graphql.HandlerExtension        = direct(nil)
	_ graphql.OperationContextMutator = direct(nil)
)

func (direct) ExtensionName() string                   { return "TandemDirectObservers" }
func (direct) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext leaves the observers in the operation's stats,
// where Resolve finds them without a walk up the context.
func (d direct) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	oc.Stats.SetExtension(directStat, observing(d))
	return nil
}

// Resolve is graphql.ResolveField for the generated executor's fields
// other than plain leaves. In an operation whose field observers are
// direct (see Direct) it resolves the field exactly as gqlgen's
// resolveField does (the field context, the panic guard, the directives'
// chain, the errors, the nulls) but calls the observers itself, without
// gqlgen's interceptor chain; otherwise it is graphql.ResolveField. The
// differential test in tools/gqlgen/internal/difftest holds it to gqlgen's
// answers.
func Resolve[T any](
	ctx context.Context,
	oc *graphql.OperationContext,
	field graphql.CollectedField,
	initializeFieldContext func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error),
	fieldResolver func(ctx context.Context) (any, error),
	middlewareChain func(ctx context.Context, next graphql.Resolver) graphql.Resolver,
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) graphql.Marshaler,
	recoverFromPanic bool,
	nonNull bool,
) (ret graphql.Marshaler) {
	observers, ok := oc.Stats.GetExtension(directStat).(observing)
	if !ok {
		return graphql.ResolveField(ctx, oc, field, initializeFieldContext, fieldResolver, middlewareChain, marshal, recoverFromPanic, nonNull)
	}
	fc, err := initializeFieldContext(ctx, field)
	if err != nil {
		return graphql.Null
	}
	ctx = graphql.WithFieldContext(ctx, fc)
	fieldCtx := ctx // what gqlgen's interceptors are given
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				ret = graphql.Null
			}
		}()
	}
	var res any
	if middlewareChain == nil {
		res, err = fieldResolver(ctx)
	} else {
		ctx, res, err = throughDirectives(ctx, middlewareChain, fieldResolver)
	}
	for _, o := range observers {
		o.ObserveField(fieldCtx, fc, res, err)
	}
	if err != nil {
		oc.Error(ctx, graphql.AddFieldLocationToError(ctx, err))
		if fc.NonNull && !nonNull {
			return graphql.RequiredNull
		}
		return graphql.Null
	}
	if res == nil {
		if nonNull || fc.NonNull {
			graphql.AddInvalidNullError(ctx, "")
		}
		if fc.NonNull && !nonNull {
			return graphql.RequiredNull
		}
		return graphql.Null
	}
	if v, ok := res.(T); ok {
		fc.Result = res // v, already boxed
		return marshal(ctx, field.Selections, v)
	}
	if m, ok := res.(graphql.Marshaler); ok {
		fc.Result = m
		return m
	}
	var t T
	graphql.AddErrorf(ctx, `unexpected type %T from middleware/directive chain, should be %T`, res, t)
	return graphql.Null
}

// throughDirectives resolves a field through its directives' chain and
// returns the context the chain gave the resolver, which the field's
// children use (gqlgen's way). Apart, so that a field without directives
// keeps its context on the stack.
func throughDirectives(ctx context.Context, chain func(ctx context.Context, next graphql.Resolver) graphql.Resolver, fieldResolver func(ctx context.Context) (any, error)) (context.Context, any, error) {
	childCtx := ctx
	next := func(rctx context.Context) (any, error) {
		childCtx = rctx
		return fieldResolver(rctx)
	}
	res, err := chain(ctx, next)(ctx)
	return childCtx, res, err
}
