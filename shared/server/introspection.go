package server

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// CodeIntrospectionDisabled is the code of the error that refuses
// introspection outside dev mode.
const CodeIntrospectionDisabled = "INTROSPECTION_DISABLED"

// introspectionGuard refuses, before execution, any operation that asks
// for __schema or __type while introspection is off. Without it gqlgen
// answers such fields with a plain "introspection disabled" error, which
// the error presenter must treat as internal; refusing up front gives the
// client a stable code and runs no resolver of the operation. __typename
// stays allowed: clients need it for unions and caching.
type introspectionGuard struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = introspectionGuard{}

func (introspectionGuard) ExtensionName() string                   { return "IntrospectionGuard" }
func (introspectionGuard) Validate(graphql.ExecutableSchema) error { return nil }

func (introspectionGuard) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil || !asksSchema(opCtx.Operation.SelectionSet) {
		return nil
	}
	return &gqlerror.Error{
		Message:    "introspection is disabled",
		Extensions: map[string]any{"code": CodeIntrospectionDisabled},
	}
}

// asksSchema reports whether a root selection (fragments expanded) selects
// __schema or __type; validation allows them only on the root type.
func asksSchema(ss ast.SelectionSet) bool {
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" {
				return true
			}
		case *ast.InlineFragment:
			if asksSchema(s.SelectionSet) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && asksSchema(s.Definition.SelectionSet) {
				return true
			}
		}
	}
	return false
}
