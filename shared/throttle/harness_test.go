package throttle

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/execution"
)

// testSDL is a small shop schema using the common directives. The directive
// definitions are loaded from the real common schema file.
const testSDL = `
directive @trace on FIELD
directive @audit on FIELD
type Query {
  product(id: ID!): Product
  products(first: Int = 10, after: String): ProductConnection! @listSize(slicingArguments: ["first"], sizedFields: ["edges", "nodes"])
  categories: [Category!]! @listSize(assumedSize: 20)
  search(term: String!, filter: SearchFilter): [SearchResult!]! @listSize(assumedSize: 5)
  tags: [String!]!
  expensive: Int! @cost(weight: 50)
  recent(limit: Int, last: Int): [Product!]! @listSize(slicingArguments: ["limit", "last"], requireOneSlicingArgument: false)
}
type Mutation {
  addToCart(productId: ID!, quantity: Int!): Cart
  placeOrder: Cart @cost(weight: 25)
}
input SearchFilter { brand: String, fuzzy: Boolean @cost(weight: 5) }
type ProductConnection { edges: [ProductEdge!]!, nodes: [Product!]!, pageInfo: PageInfo!, totalCount: Int! }
type ProductEdge { cursor: String!, node: Product! }
type PageInfo { endCursor: String, hasNextPage: Boolean! }
type Product {
  id: ID!
  name: String!
  price: Money! @cost(weight: 3)
  reviews(first: Int): [Review!]! @listSize(slicingArguments: ["first"], assumedSize: 3)
  category: Category
}
type Money @cost(weight: 2) { amountMinor: Int!, currency: String! }
type Review { id: ID!, rating: Int!, author: User }
type User { id: ID!, name: String! }
type Category { id: ID!, name: String!, parent: Category }
union SearchResult = Product | Category
type Cart { id: ID!, lines: [CartLine!]! }
type CartLine { quantity: Int! }
`

func loadTestSchema(tb testing.TB) *ast.Schema {
	tb.Helper()
	dirs, err := os.ReadFile("../../schema/graphql/common/directives.graphqls")
	if err != nil {
		tb.Fatalf("read common directives: %v", err)
	}
	s, gerr := gqlparser.LoadSchema(
		&ast.Source{Name: "directives.graphqls", Input: string(dirs)},
		&ast.Source{Name: "test.graphqls", Input: testSDL},
	)
	if gerr != nil {
		tb.Fatalf("load schema: %v", gerr)
	}
	return s
}

// backend stands in for the resolvers: it produces data for any valid
// operation by walking the selection, resolving each field through the
// operation's field middleware as generated code does (so field
// interceptors see every field with its result), and counts how often it
// ran. Lists have 3 elements (2 for categories, or the first/limit/last
// argument); an abstract type resolves to its first possible type; a
// field aliased null_<anything> resolves to null.
type backend struct {
	schema *ast.Schema
	calls  atomic.Int64
	// block, when set, is waited on by every execution (concurrency tests).
	block chan struct{}
	// started, when set, receives one value per execution that began.
	started chan struct{}
}

func (b *backend) executable() graphql.ExecutableSchema {
	return &graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return b.schema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			b.calls.Add(1)
			if b.started != nil {
				b.started <- struct{}{}
			}
			if b.block != nil {
				<-b.block
			}
			opCtx := graphql.GetOperationContext(ctx)
			root := b.schema.Query
			if opCtx.Operation.Operation == ast.Mutation {
				root = b.schema.Mutation
			}
			data := b.object(ctx, root, root.Name, opCtx.Operation.SelectionSet)
			raw, _ := json.Marshal(data)
			return graphql.OneShot(&graphql.Response{Data: raw})
		},
	}
}

func (b *backend) object(ctx context.Context, def *ast.Definition, concrete string, ss ast.SelectionSet) map[string]any {
	out := map[string]any{}
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			out[s.Alias] = b.resolve(ctx, s, concrete)
		case *ast.InlineFragment:
			if s.TypeCondition == "" || s.TypeCondition == concrete {
				for k, v := range b.object(ctx, def, concrete, s.SelectionSet) {
					out[k] = v
				}
			}
		case *ast.FragmentSpread:
			if s.Definition.TypeCondition == concrete {
				for k, v := range b.object(ctx, def, concrete, s.Definition.SelectionSet) {
					out[k] = v
				}
			}
		}
	}
	return out
}

// resolve runs field f of an object of type object through the field
// middleware, and a root field through the root field middleware first,
// as gqlgen's generated executor does.
func (b *backend) resolve(ctx context.Context, f *ast.Field, object string) any {
	if f.Name == "__typename" {
		return object
	}
	opCtx := graphql.GetOperationContext(ctx)
	if object == b.schema.Query.Name || (b.schema.Mutation != nil && object == b.schema.Mutation.Name) {
		var res any
		rctx := graphql.WithRootFieldContext(ctx, &graphql.RootFieldContext{Object: object, Field: graphql.CollectedField{Field: f}})
		opCtx.RootResolverMiddleware(rctx, func(ctx context.Context) graphql.Marshaler {
			res = b.field(ctx, opCtx, f, object)
			return graphql.Null
		})
		return res
	}
	return b.field(ctx, opCtx, f, object)
}

func (b *backend) field(ctx context.Context, opCtx *graphql.OperationContext, f *ast.Field, object string) any {
	ctx = graphql.WithFieldContext(ctx, &graphql.FieldContext{
		Object: object, IsResolver: true, Field: graphql.CollectedField{Field: f},
	})
	res, _ := opCtx.ResolverMiddleware(ctx, func(ctx context.Context) (any, error) {
		if strings.HasPrefix(f.Alias, "null_") {
			return nil, nil
		}
		return b.value(ctx, f, f.Definition.Type, opCtx.Variables, object), nil
	})
	return res
}

func (b *backend) value(ctx context.Context, f *ast.Field, t *ast.Type, vars map[string]any, parent string) any {
	if t.Elem != nil {
		n := 3
		if f.Name == "categories" {
			n = 2
		}
		for _, a := range []string{"first", "limit", "last"} {
			if arg := f.Arguments.ForName(a); arg != nil {
				if v, err := arg.Value.Value(vars); err == nil {
					if i, ok := toInt(v); ok {
						n = i
					}
				}
			}
		}
		list := make([]any, n)
		for i := range list {
			list[i] = b.value(ctx, f, t.Elem, vars, parent)
		}
		return list
	}
	def := b.schema.Types[t.Name()]
	switch def.Kind {
	case ast.Object:
		return b.object(ctx, def, def.Name, f.SelectionSet)
	case ast.Union, ast.Interface:
		concrete := b.schema.GetPossibleTypes(def)[0]
		return b.object(ctx, concrete, concrete.Name, f.SelectionSet)
	}
	switch def.Name {
	case "Int":
		return 1
	case "Boolean":
		return true
	default:
		return "x"
	}
}

type gateway struct {
	handler http.Handler
	backend *backend
	limiter *Limiter
}

type gatewayOpts struct {
	cfg     Config
	store   Store
	dev     bool
	limOpts []Option
}

// newGateway wires the package the way a BFF does: body limit, then the
// rate limiter, then the gqlgen handler with operation limits and cost.
func newGateway(tb testing.TB, o gatewayOpts) *gateway {
	tb.Helper()
	b := &backend{schema: loadTestSchema(tb)}
	srv := handler.New(b.executable())
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.GET{})
	srv.SetDisableSuggestion(!o.dev)
	if o.store == nil {
		o.store = NewMemoryStore()
	}
	lim, err := NewLimiter(o.cfg.Rate, o.store, o.limOpts...)
	if err != nil {
		tb.Fatalf("NewLimiter: %v", err)
	}
	srv.Use(NewOperationLimits(o.cfg.Operation))
	useCost(srv, NewCostExtension(b.schema, o.cfg.Cost, WithPointsLimiter(lim)))
	h := BodyLimit(o.cfg.Operation)(withTestSubject(lim.Middleware(srv)))
	return &gateway{handler: h, backend: b, limiter: lim}
}

type gqlResponse struct {
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions map[string]any  `json:"extensions"`
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

func (r gqlResponse) code() errcode.Code {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return errcode.Code(c)
}

func (r gqlResponse) ext(key string) any {
	if len(r.Errors) == 0 {
		return nil
	}
	return r.Errors[0].Extensions[key]
}

// post sends one operation; headers are "Key: value" pairs.
func (g *gateway) post(tb testing.TB, query string, vars map[string]any, hdr ...string) (*httptest.ResponseRecorder, gqlResponse) {
	tb.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	return g.postRaw(tb, body, hdr...)
}

func (g *gateway) postRaw(tb testing.TB, body []byte, hdr ...string) (*httptest.ResponseRecorder, gqlResponse) {
	tb.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.RemoteAddr = "192.0.2.10:4000"
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "RemoteAddr" {
			req.RemoteAddr = hdr[i+1]
			continue
		}
		req.Header.Add(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	g.handler.ServeHTTP(rec, req)
	var resp gqlResponse
	if err := json.Unmarshal(rec.Body.Bytes(), &resp); err != nil {
		tb.Fatalf("response is not GraphQL JSON (status %d): %q", rec.Code, rec.Body.String())
	}
	return rec, resp
}

func itoa(n int) string { return strconv.Itoa(n) }

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }

// withTestSubject stands in for the auth middleware: it puts the
// X-Test-Subject header into the context as the verified subject.
func withTestSubject(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := r.Header.Get("X-Test-Subject"); s != "" {
			r = r.WithContext(context.WithValue(r.Context(), subjectKey{}, s))
		}
		next.ServeHTTP(w, r)
	})
}

// useCost puts the cost extension in use as the server does: its field
// observer, when it reports actual costs, behind one field interceptor.
func useCost(srv interface {
	Use(graphql.HandlerExtension)
	AroundFields(graphql.FieldMiddleware)
}, ext graphql.HandlerExtension) {
	srv.Use(ext)
	if o, ok := ext.(execution.FieldObserver); ok {
		srv.AroundFields(execution.Observe(o).InterceptField)
	}
}
