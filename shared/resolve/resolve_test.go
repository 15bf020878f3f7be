package resolve

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/server"
	"github.com/tandemgw/tandem/shared/upstream"
)

// fieldCtx is a resolver's context at the field path "products".
func fieldCtx() context.Context {
	return graphql.WithPathContext(context.Background(), graphql.NewPathWithField("products"))
}

// presented is err as a client receives it, through the server's presenter.
func presented(t *testing.T, ctx context.Context, err error) *gqlerror.Error {
	t.Helper()
	require.Error(t, err)
	return server.NewErrorPresenter(nil)(ctx, err)
}

func requireBadInput(t *testing.T, err error, msg string) {
	t.Helper()
	ctx := fieldCtx()
	got := presented(t, ctx, err)
	assert.Equal(t, msg, got.Message)
	assert.Equal(t, string(errcode.BadUserInput), got.Extensions["code"])
	assert.Equal(t, ast.Path{ast.PathName("products")}, got.Path)
}

func intp(n int) *int { return &n }

func TestPageSize(t *testing.T) {
	ctx := fieldCtx()
	n, err := PageSize(ctx, nil, 10, 100)
	require.NoError(t, err)
	assert.Equal(t, 10, n, "absent first takes the default")
	for _, ok := range []int{1, 37, 100} {
		n, err := PageSize(ctx, intp(ok), 10, 100)
		require.NoError(t, err)
		assert.Equal(t, ok, n)
	}
	for _, bad := range []int{0, -1, 101} {
		_, err := PageSize(ctx, intp(bad), 10, 100)
		requireBadInput(t, err, "first must be between 1 and 100")
	}
	// The same mistake reads the same whatever the surface's maximum.
	_, err = PageSize(ctx, intp(21), 6, 20)
	requireBadInput(t, err, "first must be between 1 and 20")
	// A default outside the range is refused like a client's value.
	_, err = PageSize(ctx, nil, 0, 20)
	requireBadInput(t, err, "first must be between 1 and 20")
}

func TestBetweenAndMaxRunes(t *testing.T) {
	ctx := fieldCtx()
	require.NoError(t, Between(ctx, "quantity", 99, 1, MaxCartQuantity))
	requireBadInput(t, Between(ctx, "quantity", 100, 1, MaxCartQuantity), "quantity must be between 1 and 99")
	requireBadInput(t, Between(ctx, "quantity", 0, 1, MaxCartQuantity), "quantity must be between 1 and 99")

	require.NoError(t, MaxRunes(ctx, "query", strings.Repeat("ü", 100), 100), "characters, not bytes")
	requireBadInput(t, MaxRunes(ctx, "query", strings.Repeat("a", 101), 100), "query must be at most 100 characters")
}

func TestIdempotencyKey(t *testing.T) {
	ctx := fieldCtx()
	for k, ok := range map[string]bool{
		"3f0c9a4e-2b1d-4c55-9e7a-1d2c3b4a5f60":   true,
		"a":                                      true,
		strings.Repeat("k", MaxIdempotencyKey):   true,
		"":                                       false,
		strings.Repeat("k", MaxIdempotencyKey+1): false,
		"with space":                             false,
		" padded ":                               false,
		"new\nline":                              false,
		"ümlaut":                                 false,
	} {
		err := IdempotencyKey(ctx, "idempotencyKey", k)
		if ok {
			assert.NoError(t, err, "%q", k)
			continue
		}
		requireBadInput(t, err, "idempotencyKey must be 1 to 128 visible ASCII characters")
		if k != "" {
			assert.NotContains(t, err.Error(), k, "the message never quotes the value")
		}
	}
}

func TestInput(t *testing.T) {
	ctx := fieldCtx()
	require.NoError(t, Input(ctx, nil))
	requireBadInput(t, Input(ctx, upstream.CheckID("id", "a,b")), "id must be 1 to 256 characters without commas or control characters")
	other := errors.New("boom")
	assert.Same(t, other, Input(ctx, other), "only input errors become BAD_USER_INPUT")
}

func TestViewerID(t *testing.T) {
	ctx := fieldCtx()
	_, err := ViewerID(ctx)
	got := presented(t, ctx, err)
	assert.Equal(t, string(errcode.Unauthenticated), got.Extensions["code"])
	assert.Equal(t, "authentication required", got.Message)
	_, ok := SignedIn(ctx)
	assert.False(t, ok)

	_, err = ViewerID(auth.NewContext(ctx, &auth.Principal{}))
	assert.Error(t, err, "a principal without a subject is nobody")

	signed := auth.NewContext(ctx, &auth.Principal{Subject: "usr_000042"})
	id, err := ViewerID(signed)
	require.NoError(t, err)
	assert.Equal(t, "usr_000042", id)
	id, ok = SignedIn(signed)
	assert.True(t, ok)
	assert.Equal(t, "usr_000042", id)
}

type status string

func (s status) IsValid() bool { return s == "SHIPPED" || s == "PLACED" }

func TestEnum(t *testing.T) {
	s, err := Enum[status]("orders", "order status", "shipped")
	require.NoError(t, err)
	assert.Equal(t, status("SHIPPED"), s)

	_, err = Enum[status]("orders", "order status", "lost")
	assert.Equal(t, errcode.UpstreamError, upstream.CodeOf(err))
	var ue *upstream.Error
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, "orders", ue.Service)
	got := presented(t, fieldCtx(), err)
	assert.NotContains(t, got.Message, "lost", "the backend's value stays internal")
	assert.Equal(t, "orders", got.Extensions["service"])
}

func TestFound(t *testing.T) {
	gone := upstream.NotFound("catalog", "product", "prd_2")
	items, err := Found([]string{"a", "", "c"}, []error{nil, gone, nil})
	require.NoError(t, err)
	assert.Equal(t, []string{"a", "c"}, items)

	items, err = Found([]string{"a"}, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"a"}, items)

	down := &upstream.Error{Service: "catalog", Code: errcode.UpstreamUnavailable}
	_, err = Found([]string{"a", ""}, []error{nil, down})
	assert.Same(t, down, err)
}

func TestSliceHelpers(t *testing.T) {
	assert.Equal(t, []int{1, 2}, Map([]string{"a", "bb"}, func(s string) int { return len(s) }))
	assert.NotNil(t, Map([]string(nil), func(s string) int { return 0 }), "an empty list stays []")

	out, err := MapErr([]int{1, 2}, func(n int) (int, error) { return n * 2, nil })
	require.NoError(t, err)
	assert.Equal(t, []int{2, 4}, out)
	boom := errors.New("boom")
	_, err = MapErr([]int{1, 2}, func(n int) (int, error) {
		if n == 2 {
			return 0, boom
		}
		return n, nil
	})
	assert.Same(t, boom, err)

	assert.Equal(t, []string{"x", "z"}, Keys([]string{"x", "", "z"}, func(s string) string { return s }))

	assert.Equal(t, "", Deref[string](nil))
	v := "after"
	assert.Equal(t, "after", Deref(&v))

	assert.Nil(t, Cursor(""))
	assert.Equal(t, "c1", *Cursor("c1"))
}

func TestSelectsUnderLooksThroughFragments(t *testing.T) {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `
type Query { products: Conn }
type Conn { nodes: [P!]! total: Int }
interface Node { id: ID! }
type P implements Node { id: ID! name: String description: String images: [String!] }`})
	cases := map[string]bool{
		`{ products { nodes { id name } } }`:                                                 false,
		`{ products { nodes { id description } } }`:                                          true,
		`{ products { nodes { ...F } } } fragment F on P { images }`:                         true,
		`{ products { nodes { ... on Node { ... on P { images } } } } }`:                     true,
		`{ products { a: nodes { id } b: nodes { ...F } } } fragment F on P { description }`: true,
		`{ products { total nodes { ...F ...F } } } fragment F on P { name }`:                false,
	}
	for query, want := range cases {
		doc, errs := gqlparser.LoadQueryWithRules(schema, query, rules.NewDefaultRules())
		require.Empty(t, errs, query)
		root := doc.Operations[0].SelectionSet[0].(*ast.Field)
		ctx := graphql.WithFieldContext(context.Background(), &graphql.FieldContext{Field: graphql.CollectedField{Field: root, Selections: root.SelectionSet}})
		assert.Equal(t, want, SelectsUnder(ctx, "nodes", "description", "images"), query)
	}
}
