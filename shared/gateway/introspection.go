package gateway

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// devIntrospectionCost wraps the cost extension so that operations selecting
// only introspection fields are neither checked against the cost ceiling
// nor charged to the point budgets. GraphiQL's schema query costs some
// 16,000 points on the web schema: over any sensible ceiling, and enough to
// spend a caller's point budget on opening the page. New wraps the cost
// extension only in dev mode, the one mode that serves introspection; the
// operation limits (throttle.ExemptIntrospection) get the same exemption,
// and the token limit still applies.
type devIntrospectionCost struct {
	inner interface {
		graphql.HandlerExtension
		graphql.OperationContextMutator
		graphql.ResponseInterceptor
	}
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
} = devIntrospectionCost{}

// ExtensionName implements graphql.HandlerExtension: the cost extension's
// own name, so throttle.GetCostStats still finds its record.
func (d devIntrospectionCost) ExtensionName() string { return d.inner.ExtensionName() }

// Validate implements graphql.HandlerExtension.
func (d devIntrospectionCost) Validate(s graphql.ExecutableSchema) error { return d.inner.Validate(s) }

// MutateOperationContext implements graphql.OperationContextMutator.
func (d devIntrospectionCost) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation != nil && introspectionOnly(opCtx.Operation.SelectionSet) {
		return nil
	}
	return d.inner.MutateOperationContext(ctx, opCtx)
}

// InterceptResponse implements graphql.ResponseInterceptor.
func (d devIntrospectionCost) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	return d.inner.InterceptResponse(ctx, next)
}

// exemptIntrospectionCost returns ext wrapped by devIntrospectionCost when
// exempt is set and ext has the cost extension's methods, else ext.
func exemptIntrospectionCost(ext graphql.HandlerExtension, exempt bool) graphql.HandlerExtension {
	if !exempt {
		return ext
	}
	inner, ok := ext.(interface {
		graphql.HandlerExtension
		graphql.OperationContextMutator
		graphql.ResponseInterceptor
	})
	if !ok {
		return ext
	}
	return devIntrospectionCost{inner: inner}
}

// introspectionOnly reports whether every root field of ss (fragments
// expanded) is an introspection field (__schema, __type, __typename); the
// same rule as throttle.ExemptIntrospection.
func introspectionOnly(ss ast.SelectionSet) bool {
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name != "__schema" && s.Name != "__type" && s.Name != "__typename" {
				return false
			}
		case *ast.InlineFragment:
			if !introspectionOnly(s.SelectionSet) {
				return false
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || !introspectionOnly(s.Definition.SelectionSet) {
				return false
			}
		}
	}
	return true
}
