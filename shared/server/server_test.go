package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/upstream"
)

// fakeSchema is a tiny executable schema, Query.field(kind), whose
// resolver fails in the way kind asks for; it runs resolvers the way
// generated code does (field context, resolver middleware, recover).
func fakeSchema() graphql.ExecutableSchema {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `type Query { field(kind: String!): String }
type Mutation { field(kind: String!): String }`})
	resolve := func(ctx context.Context, kind string) (any, error) {
		switch kind {
		case "ok":
			return "fine", nil
		case "upstream":
			return nil, &upstream.Error{Service: "catalog", Code: errcode.UpstreamUnavailable, Status: 503,
				Err: errors.New("GET http://10.1.2.3:9102/products?token=secret: connection refused")}
		case "notfound":
			return nil, upstream.NotFound("catalog", "product", "prd_9")
		case "plain":
			return nil, errors.New("pq: password authentication failed for user admin")
		case "gqlerror":
			return nil, &gqlerror.Error{Message: "first must be at most 100"}
		case "coded":
			return nil, &gqlerror.Error{Message: "sign in first", Extensions: map[string]any{"code": "UNAUTHENTICATED"}}
		case "panic":
			panic("boom: internal state secret")
		case "budget":
			dl, ok := ctx.Deadline()
			if !ok {
				return "none", nil
			}
			return time.Until(dl).Round(time.Second).String(), nil
		case "input":
			return nil, &upstream.Error{Service: "orders", Code: errcode.BadUserInput,
				Err: &upstream.InputError{Field: "idempotencyKey", Rule: "must be 1 to 200 visible ASCII characters"}}
		case "unbuildable":
			return nil, &upstream.Error{Service: "orders", Code: errcode.InternalServerError, Err: errors.New("parse http://10.1.2.3/x: bad")}
		}
		return nil, errors.New("unknown kind")
	}
	return &graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return schema },
		ComplexityFunc: func(context.Context, string, string, int, map[string]any) (int, bool) {
			return 1, true
		},
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			oc := graphql.GetOperationContext(ctx)
			return graphql.OneShot(func() *graphql.Response {
				data := map[string]any{}
				for _, sel := range oc.Operation.SelectionSet {
					f, ok := sel.(*ast.Field)
					if ok && f.Name == "__schema" {
						// Generated code refuses introspection fields the same way.
						if oc.DisableIntrospection {
							graphql.AddError(ctx, &gqlerror.Error{Message: "introspection disabled", Extensions: map[string]any{"code": "INTROSPECTION_DISABLED"}})
						}
						continue
					}
					if !ok || f.Name != "field" {
						continue
					}
					kind := f.Arguments.ForName("kind").Value.Raw
					fctx := graphql.WithFieldContext(ctx, &graphql.FieldContext{
						Object: "Query", IsResolver: true,
						Field: graphql.CollectedField{Field: f},
					})
					data[f.Alias] = func() (out any) {
						defer func() {
							if r := recover(); r != nil {
								graphql.AddError(fctx, oc.Recover(fctx, r))
								out = nil
							}
						}()
						v, err := oc.ResolverMiddleware(fctx, func(ctx context.Context) (any, error) { return resolve(ctx, kind) })
						if err != nil {
							graphql.AddError(fctx, err)
							return nil
						}
						return v
					}()
				}
				b, _ := json.Marshal(data)
				return &graphql.Response{Data: b, Errors: graphql.GetErrors(ctx)}
			}())
		},
	}
}

type gqlResponse struct {
	Data   map[string]any `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func newServer(t *testing.T, mod func(*Options)) (*Server, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	opts := Options{Name: "bff-test", Addr: "127.0.0.1:0", Schema: fakeSchema(), Logger: slog.New(slog.NewJSONHandler(&logs, nil))}
	if mod != nil {
		mod(&opts)
	}
	s, err := New(opts)
	require.NoError(t, err)
	return s, &logs
}

func post(t *testing.T, h http.Handler, query string) (int, gqlResponse, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var resp gqlResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp), rec.Body.String())
	return rec.Code, resp, rec.Body.String()
}

func TestUpstreamErrorIsPresentedSafely(t *testing.T) {
	s, logs := newServer(t, nil)
	_, resp, raw := post(t, s.Handler(), `{ field(kind: "upstream") }`)
	require.Len(t, resp.Errors, 1)
	e := resp.Errors[0]
	assert.Equal(t, "a backend service is unavailable", e.Message)
	assert.Equal(t, map[string]any{"code": "UPSTREAM_UNAVAILABLE", "service": "catalog"}, e.Extensions)
	assert.Equal(t, []any{"field"}, e.Path)
	for _, leak := range []string{"10.1.2.3", "http://", "token", "secret", "503"} {
		assert.NotContains(t, raw, leak)
	}
	assert.Contains(t, logs.String(), "upstream failure", "the cause is logged server-side")
}

func TestNotFoundAndClientErrors(t *testing.T) {
	s, _ := newServer(t, nil)
	_, resp, _ := post(t, s.Handler(), `{ a: field(kind: "notfound") b: field(kind: "gqlerror") c: field(kind: "coded") d: field(kind: "ok") }`)
	require.Len(t, resp.Errors, 3)
	byPath := map[string]map[string]any{}
	msgs := map[string]string{}
	for _, e := range resp.Errors {
		p := e.Path[0].(string)
		byPath[p], msgs[p] = e.Extensions, e.Message
	}
	assert.Equal(t, "NOT_FOUND", byPath["a"]["code"])
	assert.Equal(t, "not found", msgs["a"])
	assert.Equal(t, string(errcode.BadUserInput), byPath["b"]["code"])
	assert.Equal(t, "first must be at most 100", msgs["b"])
	assert.Equal(t, "UNAUTHENTICATED", byPath["c"]["code"])
	assert.Equal(t, "sign in first", msgs["c"])
}

func TestPlainErrorIsInternal(t *testing.T) {
	s, logs := newServer(t, nil)
	_, resp, raw := post(t, s.Handler(), `{ field(kind: "plain") }`)
	require.Len(t, resp.Errors, 1)
	assert.Equal(t, "internal server error", resp.Errors[0].Message)
	assert.Equal(t, string(errcode.InternalServerError), resp.Errors[0].Extensions["code"])
	assert.NotContains(t, raw, "password")
	assert.Contains(t, logs.String(), "password authentication failed")
}

func TestPanicIsInternalAndLoggedWithStack(t *testing.T) {
	s, logs := newServer(t, nil)
	_, resp, raw := post(t, s.Handler(), `{ field(kind: "panic") }`)
	require.Len(t, resp.Errors, 1)
	assert.Equal(t, "internal server error", resp.Errors[0].Message)
	assert.Equal(t, string(errcode.InternalServerError), resp.Errors[0].Extensions["code"])
	assert.NotContains(t, raw, "boom")
	assert.Contains(t, logs.String(), "panic in resolver")
	assert.Contains(t, logs.String(), "boom: internal state secret")
	assert.Contains(t, logs.String(), "goroutine", "the stack is logged")
}

func TestValidationErrorsHaveCodesAndNoSuggestionsOutsideDev(t *testing.T) {
	prod, _ := newServer(t, nil)
	_, resp, _ := post(t, prod.Handler(), `{ feld(kind: "ok") }`)
	require.NotEmpty(t, resp.Errors)
	assert.NotEmpty(t, resp.Errors[0].Extensions["code"])
	assert.NotContains(t, resp.Errors[0].Message, "Did you mean")

	dev, _ := newServer(t, func(o *Options) { o.Dev = true })
	_, resp, _ = post(t, dev.Handler(), `{ feld(kind: "ok") }`)
	require.NotEmpty(t, resp.Errors)
	assert.Contains(t, resp.Errors[0].Message, "Did you mean")
}

func TestIntrospectionAndGraphiQLOnlyInDev(t *testing.T) {
	const q = `{ __schema { queryType { name } } }`
	prod, _ := newServer(t, nil)
	for _, q := range []string{q, `{ __type(name: "Query") { name } }`, `query { ...F } fragment F on Query { __schema { queryType { name } } }`} {
		status, resp, _ := post(t, prod.Handler(), q)
		// A request error: refused before execution, 200 for a client that
		// accepts only application/json (the test's), no data entry.
		assert.Equal(t, http.StatusOK, status, "refused before execution: %s", q)
		require.Len(t, resp.Errors, 1, "introspection is off outside dev: %s", q)
		assert.Equal(t, string(errcode.IntrospectionDisabled), resp.Errors[0].Extensions["code"])
		assert.Empty(t, resp.Data)
	}
	_, resp, _ := post(t, prod.Handler(), `{ __typename }`)
	assert.Empty(t, resp.Errors, "__typename stays allowed outside dev")
	rec := httptest.NewRecorder()
	prod.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)

	dev, _ := newServer(t, func(o *Options) { o.Dev = true })
	_, resp, _ = post(t, dev.Handler(), q)
	assert.Empty(t, resp.Errors)
	rec = httptest.NewRecorder()
	dev.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), "/graphql")
}

func TestGETAndOPTIONSTransports(t *testing.T) {
	s, _ := newServer(t, nil)
	rec := httptest.NewRecorder()
	get := httptest.NewRequest(http.MethodGet, `/graphql?query={field(kind:"ok")}`, nil)
	s.Handler().ServeHTTP(rec, get)
	assert.Equal(t, http.StatusBadRequest, rec.Code, "a GET without a preflight-forcing header is refused (CSRF prevention)")

	rec = httptest.NewRecorder()
	get.Header.Set("Apollo-Require-Preflight", "true")
	s.Handler().ServeHTTP(rec, get)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `"fine"`)

	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodOptions, "/graphql", nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Header().Get("Allow"), "POST")
}

func TestMiddlewaresOutermostFirstAndExtensions(t *testing.T) {
	var order []string
	mw := func(name string) func(http.Handler) http.Handler {
		return func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				order = append(order, name)
				next.ServeHTTP(w, r)
			})
		}
	}
	ext := &countingExtension{}
	s, _ := newServer(t, func(o *Options) {
		o.Middlewares = []func(http.Handler) http.Handler{mw("auth"), mw("throttle"), mw("loaders")}
		o.Extensions = []graphql.HandlerExtension{ext}
	})
	post(t, s.Handler(), `{ field(kind: "ok") }`)
	assert.Equal(t, []string{"auth", "throttle", "loaders"}, order)
	assert.Equal(t, 1, ext.ops)

	order = nil
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.Empty(t, order, "middlewares wrap /graphql only")
}

type countingExtension struct{ ops int }

func (*countingExtension) ExtensionName() string                   { return "counting" }
func (*countingExtension) Validate(graphql.ExecutableSchema) error { return nil }
func (c *countingExtension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	c.ops++
	return next(ctx)
}

func TestBodyLimit(t *testing.T) {
	s, _ := newServer(t, func(o *Options) { o.MaxBodyBytes = 64 })
	body := `{"query":"{ field(kind: \"ok\") }","variables":{"pad":"` + strings.Repeat("x", 100) + `"}}`
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)

	// Without a Content-Length the reader itself enforces the cap.
	req = httptest.NewRequest(http.MethodPost, "/graphql", io.MultiReader(strings.NewReader(body)))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	assert.NotContains(t, rec.Body.String(), "fine", "the query was not executed")
	assert.Contains(t, rec.Body.String(), "errors")
}

func TestHealthReadinessMetrics(t *testing.T) {
	ready := errors.New("catalog breaker open")
	s, _ := newServer(t, func(o *Options) {
		o.Ready = func(context.Context) error { return ready }
	})
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	assert.Equal(t, http.StatusOK, get("/healthz").Code)
	rec := get("/readyz")
	assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
	assert.NotContains(t, rec.Body.String(), "breaker", "the reason stays in the logs")
	ready = nil
	assert.Equal(t, http.StatusOK, get("/readyz").Code)

	post(t, s.Handler(), `{ field(kind: "ok") }`)
	post(t, s.Handler(), `query Broken { field(kind: "plain") }`)
	assert.Equal(t, http.StatusNotFound, get("/metrics").Code, "metrics are not on the public port")
	assert.Equal(t, http.StatusNotFound, get("/debug/pprof/").Code, "nor is the profiler")

	admin := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.AdminHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec
	}
	m := admin("/metrics").Body.String()
	assert.Contains(t, m, `graphql_operation_requests_total{graphql_operation_name="anonymous",graphql_operation_type="query",outcome="ok",service_name="bff-test"} 1`)
	assert.Contains(t, m, `graphql_operation_requests_total{error_type="INTERNAL_SERVER_ERROR",graphql_operation_name="Broken",graphql_operation_type="query",outcome="error",service_name="bff-test"} 1`)
	assert.Contains(t, m, `http_server_request_duration_seconds_count{http_request_method="POST",http_response_status_code="200",http_route="/graphql",service_name="bff-test"} 2`)
	assert.Contains(t, m, `http_server_active_requests{http_request_method="POST",service_name="bff-test"} 0`)
	assert.Equal(t, http.StatusOK, admin("/debug/pprof/").Code)
}

func TestServeShutsDownGracefully(t *testing.T) {
	s, _ := newServer(t, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	cancel()
	require.NoError(t, <-done)
	_, err = http.Get("http://" + ln.Addr().String() + "/healthz")
	assert.Error(t, err, "the listener is closed after shutdown")
}

func TestNewValidates(t *testing.T) {
	_, err := New(Options{Name: "x"})
	assert.Error(t, err)
	_, err = New(Options{Schema: fakeSchema()})
	assert.Error(t, err)
}

func TestCustomPresenterStillGetsCode(t *testing.T) {
	s, _ := newServer(t, func(o *Options) {
		o.ErrorPresenter = func(ctx context.Context, err error) *gqlerror.Error {
			return &gqlerror.Error{Message: "custom"}
		}
	})
	_, resp, _ := post(t, s.Handler(), `{ field(kind: "plain") }`)
	require.Len(t, resp.Errors, 1)
	assert.Equal(t, "custom", resp.Errors[0].Message)
	assert.Equal(t, string(errcode.InternalServerError), resp.Errors[0].Extensions["code"])
}

// TestRequestBudgetPerOperationType: the operation's context carries the
// budget of its type.
func TestRequestBudgetPerOperationType(t *testing.T) {
	s, _ := newServer(t, func(o *Options) {
		o.RequestBudget = RequestBudget{Default: 3 * time.Second, Mutation: 7 * time.Second}
	})
	_, r, _ := post(t, s.Handler(), `{ field(kind: "budget") }`)
	assert.Equal(t, "3s", r.Data["field"])
	_, r, _ = post(t, s.Handler(), `mutation { field(kind: "budget") }`)
	assert.Equal(t, "7s", r.Data["field"])

	s, _ = newServer(t, nil)
	_, r, _ = post(t, s.Handler(), `{ field(kind: "budget") }`)
	assert.Equal(t, "3s", r.Data["field"], "default 3s")
}

func TestRequestBudgetValidate(t *testing.T) {
	assert.NoError(t, RequestBudget{}.Validate())
	assert.Error(t, RequestBudget{Query: -time.Second}.Validate())
	assert.Error(t, RequestBudget{Mutation: time.Hour}.Validate())
	assert.Equal(t, RequestBudget{Default: time.Second, Query: time.Second, Mutation: 2 * time.Second},
		RequestBudget{Default: time.Second, Mutation: 2 * time.Second}.WithDefaults())
}

// TestGatewayRefusalsArePresentedAsTheGatewayOwn: input the gateway
// refused to send is the caller's BAD_USER_INPUT with the rule it broke;
// a request that could not be built is an internal error, logged, with
// nothing of the cause shown.
func TestGatewayRefusalsArePresentedAsTheGatewayOwn(t *testing.T) {
	s, logs := newServer(t, nil)
	_, r, raw := post(t, s.Handler(), `{ a: field(kind: "input") b: field(kind: "unbuildable") }`)
	require.Len(t, r.Errors, 2, raw)
	byPath := map[string]map[string]any{}
	msgs := map[string]string{}
	for _, e := range r.Errors {
		byPath[e.Path[0].(string)] = e.Extensions
		msgs[e.Path[0].(string)] = e.Message
	}
	assert.Equal(t, map[string]any{"code": "BAD_USER_INPUT"}, byPath["a"])
	assert.Equal(t, "idempotencyKey must be 1 to 200 visible ASCII characters", msgs["a"])
	assert.Equal(t, map[string]any{"code": "INTERNAL_SERVER_ERROR"}, byPath["b"])
	assert.Equal(t, "internal server error", msgs["b"])
	assert.NotContains(t, raw, "10.1.2.3")
	assert.Contains(t, logs.String(), "request to an upstream could not be built")
}

// opRecorder remembers the parsed operation of every request.
type opRecorder struct{ ops []*ast.OperationDefinition }

func (*opRecorder) ExtensionName() string                   { return "opRecorder" }
func (*opRecorder) Validate(graphql.ExecutableSchema) error { return nil }
func (r *opRecorder) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	r.ops = append(r.ops, oc.Operation)
	return nil
}

// The query cache hands every request with the same text the same parsed
// (and validated) operation: what the per-document caches of the limits
// and the cost key on. Another text is parsed anew.
func TestQueryCacheSharesParsedOperations(t *testing.T) {
	rec := &opRecorder{}
	s, _ := newServer(t, func(o *Options) { o.Extensions = []graphql.HandlerExtension{rec} })
	post(t, s.Handler(), `{ field(kind: "ok") }`)
	post(t, s.Handler(), `{ field(kind: "ok") }`)
	post(t, s.Handler(), `{ other: field(kind: "ok") }`)
	require.Len(t, rec.ops, 3)
	assert.Same(t, rec.ops[0], rec.ops[1], "a repeated text is parsed once")
	assert.NotSame(t, rec.ops[0], rec.ops[2])
}
