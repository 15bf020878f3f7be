package auth_test

import (
	"context"
	"errors"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/errcode"
)

// fieldCtx puts a gqlgen field context on ctx so errors carry a path.
func fieldCtx(ctx context.Context) context.Context {
	return graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: &ast.Field{Alias: "orders"}}})
}

func resolver(called *bool) graphql.Resolver {
	return func(context.Context) (any, error) {
		*called = true
		return "resolved", nil
	}
}

func requireCode(t *testing.T, err error, code errcode.Code) {
	t.Helper()
	var gqlErr *gqlerror.Error
	require.True(t, errors.As(err, &gqlErr), "want *gqlerror.Error, got %T", err)
	assert.Equal(t, string(code), gqlErr.Extensions["code"])
	assert.Equal(t, ast.Path{ast.PathName("orders")}, gqlErr.Path)
}

func TestAuthenticatedDirective(t *testing.T) {
	var called bool
	res, err := auth.Authenticated(fieldCtx(context.Background()), nil, resolver(&called))
	assert.Nil(t, res)
	requireCode(t, err, errcode.Unauthenticated)
	assert.False(t, called, "resolver must not run for anonymous callers")

	ctx := auth.NewContext(fieldCtx(context.Background()), &auth.Principal{Subject: "usr_1"})
	res, err = auth.Authenticated(ctx, nil, resolver(&called))
	require.NoError(t, err)
	assert.Equal(t, "resolved", res)
	assert.True(t, called)
}

func TestRequiresScopesDirective(t *testing.T) {
	for name, tc := range map[string]struct {
		principal *auth.Principal
		scopes    [][]string
		code      errcode.Code // "" = allowed
	}{
		"anonymous":                 {nil, [][]string{{"orders:read"}}, errcode.Unauthenticated},
		"single scope held":         {&auth.Principal{Scopes: []string{"orders:read"}}, [][]string{{"orders:read"}}, ""},
		"single scope missing":      {&auth.Principal{Scopes: []string{"cart:write"}}, [][]string{{"orders:read"}}, errcode.Forbidden},
		"AND: all held":             {&auth.Principal{Scopes: []string{"a", "b", "c"}}, [][]string{{"a", "b"}}, ""},
		"AND: one missing":          {&auth.Principal{Scopes: []string{"a"}}, [][]string{{"a", "b"}}, errcode.Forbidden},
		"OR: second alternative":    {&auth.Principal{Scopes: []string{"admin"}}, [][]string{{"a", "b"}, {"admin"}}, ""},
		"OR: none satisfied":        {&auth.Principal{Scopes: []string{"a", "admin2"}}, [][]string{{"a", "b"}, {"admin"}}, errcode.Forbidden},
		"no scopes at all":          {&auth.Principal{}, [][]string{{"a"}}, errcode.Forbidden},
		"empty outer list: nobody":  {&auth.Principal{Scopes: []string{"a"}}, [][]string{}, errcode.Forbidden},
		"empty inner list: any one": {&auth.Principal{}, [][]string{{}}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			ctx := fieldCtx(context.Background())
			if tc.principal != nil {
				ctx = auth.NewContext(ctx, tc.principal)
			}
			var called bool
			res, err := auth.RequiresScopes(ctx, nil, resolver(&called), tc.scopes)
			if tc.code == "" {
				require.NoError(t, err)
				assert.Equal(t, "resolved", res)
				assert.True(t, called)
				return
			}
			assert.Nil(t, res)
			requireCode(t, err, tc.code)
			assert.False(t, called)
		})
	}
}
