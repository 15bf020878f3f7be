package edge_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/edge"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/persisted"
)

// testSchema is a small schema; execution is faked by testExec, which
// answers from the operation's text, so the tests see the transport and the
// edge layers, not resolvers.
var testSchema = gqlparser.MustLoadSchema(&ast.Source{Input: `
	type Query { product(id: ID!): Product  viewer: String }
	type Product { id: ID! name: String! reviews: [String!] }
	type Mutation { like(id: ID!): Int }
`})

// deferredResponses is what testExec answers to an operation with @defer:
// the initial payload with the deferred field null, then the deferred
// payload at ["product"].
func deferredResponses() []*graphql.Response {
	yes, no := true, false
	return []*graphql.Response{
		{Data: json.RawMessage(`{"product":{"id":"p1","name":"Kettle","reviews":null}}`), HasNext: &yes},
		{Data: json.RawMessage(`{"reviews":["great","fine"]}`), Path: ast.Path{ast.PathName("product")}, Label: "reviews", HasNext: &no},
	}
}

func testExec() graphql.ExecutableSchema {
	return &graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return testSchema },
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) {
			return 1, true
		},
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			oc := graphql.GetOperationContext(ctx)
			switch {
			case oc.Operation.Operation == ast.Mutation:
				return graphql.OneShot(&graphql.Response{Data: json.RawMessage(`{"like":1}`)})
			case strings.Contains(oc.RawQuery, "@defer"):
				rs := deferredResponses()
				return func(context.Context) *graphql.Response {
					if len(rs) == 0 {
						return nil
					}
					r := rs[0]
					rs = rs[1:]
					return r
				}
			case strings.Contains(oc.RawQuery, "viewer"):
				// A field that fails: data and an error, as a resolver error.
				return graphql.OneShot(&graphql.Response{
					Data: json.RawMessage(`{"viewer":null}`),
					Errors: gqlerror.List{{Message: "sign in", Path: ast.Path{ast.PathName("viewer")},
						Extensions: map[string]any{"code": "UNAUTHENTICATED"}}},
				})
			}
			return graphql.OneShot(&graphql.Response{Data: json.RawMessage(`{"product":{"id":"p1","name":"Kettle"}}`)})
		},
	}
}

// stack is an edge in front of a gqlgen handler with the edge's transport,
// the GET guard and the persisted operation extensions, as shared/server
// assembles them.
type stack struct {
	t       *testing.T
	handler http.Handler
	apq     *persisted.MemoryStore
}

type stackOptions struct {
	cfg       edge.Config
	vary      []string
	trusted   *persisted.Trusted
	inner     func(http.Handler) http.Handler // a middleware between the edge and gqlgen
	noPersist bool
}

func newStack(t *testing.T, o stackOptions) *stack {
	t.Helper()
	srv := handler.New(testExec())
	srv.AddTransport(transport.Options{})
	srv.AddTransport(edge.Transport{CacheMaxAge: o.cfg.Cache.MaxAge})
	srv.Use(edge.GETQueriesOnly())
	store := persisted.NewMemoryStore(10)
	if !o.noPersist {
		if o.trusted != nil {
			srv.Use(o.trusted)
		}
		apq, err := persisted.NewAPQ(store)
		if err != nil {
			t.Fatal(err)
		}
		srv.Use(apq)
	}
	var h http.Handler = srv
	if o.inner != nil {
		h = o.inner(h)
	}
	mw, err := edge.Middleware(o.cfg, o.vary)
	if err != nil {
		t.Fatal(err)
	}
	return &stack{t: t, handler: mw(h), apq: store}
}

// answer is a recorded answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

func (a answer) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(a.body, &m); err != nil {
		t.Fatalf("answer is not JSON (%v): %q", err, a.body)
	}
	return m
}

// codes returns extensions.code of every error, failing when one has none.
func (a answer) codes(t *testing.T) []errcode.Code {
	t.Helper()
	errs, _ := a.json(t)["errors"].([]any)
	var out []errcode.Code
	for _, e := range errs {
		ext, _ := e.(map[string]any)["extensions"].(map[string]any)
		c, ok := ext["code"].(string)
		if !ok || c == "" {
			t.Fatalf("error without extensions.code: %s", a.body)
		}
		out = append(out, errcode.Code(c))
	}
	return out
}

func (s *stack) do(r *http.Request) answer {
	s.t.Helper()
	rec := httptest.NewRecorder()
	s.handler.ServeHTTP(rec, r)
	body, _ := io.ReadAll(rec.Result().Body)
	return answer{status: rec.Code, header: rec.Result().Header, body: body}
}

// post builds a POST of body with the given headers ("Content-Type:
// application/json" unless headers set one, or set it to "").
func post(body string, headers ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	setHeaders(r, headers)
	return r
}

// get builds a GET with the parameters and headers; the CSRF header is set
// unless headers set it to "".
func get(params url.Values, headers ...string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/graphql?"+params.Encode(), nil)
	r.Header.Set("Apollo-Require-Preflight", "true")
	setHeaders(r, headers)
	return r
}

func setHeaders(r *http.Request, kv []string) {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			r.Header.Del(kv[i])
		} else {
			r.Header.Set(kv[i], kv[i+1])
		}
	}
}

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func pq(hash string) string {
	return `{"persistedQuery":{"version":1,"sha256Hash":"` + hash + `"}}`
}
