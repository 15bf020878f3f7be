package auth

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/errcode"
)

// Authenticated implements @authenticated for gqlgen's DirectiveRoot: without
// a principal the field resolves to null with an UNAUTHENTICATED error and
// its resolver is not called; the rest of the response stands.
func Authenticated(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	if _, ok := FromContext(ctx); !ok {
		return nil, unauthenticatedError(ctx)
	}
	return next(ctx)
}

// RequiresScopes implements @requiresScopes(scopes: [[String!]!]!): the
// principal must hold every scope of at least one inner list (outer list OR,
// inner list AND). Anonymous callers get UNAUTHENTICATED, principals without
// the scopes FORBIDDEN; either way the field is null and its resolver is not
// called.
func RequiresScopes(ctx context.Context, _ any, next graphql.Resolver, scopes [][]string) (any, error) {
	p, ok := FromContext(ctx)
	if !ok {
		return nil, unauthenticatedError(ctx)
	}
	if !p.SatisfiesAny(scopes) {
		return nil, &gqlerror.Error{
			Message:    "insufficient scope for this field",
			Path:       graphql.GetPath(ctx),
			Extensions: map[string]any{"code": string(errcode.Forbidden)},
		}
	}
	return next(ctx)
}

func unauthenticatedError(ctx context.Context) *gqlerror.Error {
	return &gqlerror.Error{
		Message:    "authentication required for this field",
		Path:       graphql.GetPath(ctx),
		Extensions: map[string]any{"code": string(errcode.Unauthenticated)},
	}
}
