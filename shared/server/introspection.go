package server

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	gqlcode "github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/introspection"
)

var registerIntrospectionCode sync.Once

// introspectionGuard refuses, before execution, any operation that asks
// for __schema or __type while introspection is off. Without it gqlgen
// answers such fields with a plain "introspection disabled" error, which
// the error presenter must treat as internal; refusing up front gives the
// client a stable code (HTTP 422, like other refusals before execution)
// and runs no resolver of the operation. __typename stays allowed: clients
// need it for unions and caching.
//
// The verdict reads only the root selection, each fragment once
// (introspection.Classify), so it costs a few steps for any document the
// token limit lets through and is not worth a per-document cache.
type introspectionGuard struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = introspectionGuard{}

func newIntrospectionGuard() introspectionGuard {
	registerIntrospectionCode.Do(func() {
		gqlcode.RegisterErrorType(string(errcode.IntrospectionDisabled), gqlcode.KindProtocol)
	})
	return introspectionGuard{}
}

func (introspectionGuard) ExtensionName() string                   { return "IntrospectionGuard" }
func (introspectionGuard) Validate(graphql.ExecutableSchema) error { return nil }

func (introspectionGuard) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if introspection.Classify(opCtx.Operation) == introspection.None {
		return nil
	}
	return &gqlerror.Error{
		Message:    "introspection is disabled",
		Extensions: map[string]any{"code": string(errcode.IntrospectionDisabled)},
	}
}
