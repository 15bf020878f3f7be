package upstream

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

func TestRoute(t *testing.T) {
	for path, want := range map[string]string{
		"/":                              "/",
		"/products":                      "/products",
		"/products/prd_000042":           "/products/{id}",
		"/products/prd_1/summary":        "/products/{id}/summary",
		"/users/usr_1/addresses":         "/users/{id}/addresses",
		"/carts/usr_1/lines":             "/carts/{id}/lines",
		"/categories?ids=cat_1":          "/categories",
		"/weird/x/SKU-000042/more/items": "/weird/{id}/{id}/{id}/items",
		"/abc/plainword":                 "/abc/{id}",
	} {
		assert.Equal(t, want, Route(path), path)
	}
}

// Each REST attempt is a client span of the caller's trace, named after the
// route, carrying the trace context to the upstream; the query string of
// url.full is redacted and no header reaches the span.
func TestRESTClientSpans(t *testing.T) {
	var calls atomic.Int32
	parents := make(chan string, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parents <- r.Header.Get("Traceparent")
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"id":"prd_1","name":"Lamp"}`)
	}))
	defer srv.Close()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	defer func() { _ = tp.Shutdown(context.Background()) }()
	c := newClient(t, srv, Config{ForwardToken: true},
		WithTracerProvider(tp), WithPropagator(propagation.TraceContext{}),
		WithTokenFunc(func(context.Context) (string, bool) { return "secret-token", true }))

	ctx, parent := tp.Tracer("test").Start(context.Background(), "request")
	var out item
	require.NoError(t, c.GetJSON(ctx, "/products/prd_1", url.Values{"ids": {"usr_9"}}, &out))
	parent.End()

	var clients []sdktrace.ReadOnlySpan
	for _, s := range rec.Ended() {
		if s.SpanKind() == trace.SpanKindClient {
			clients = append(clients, s)
		}
	}
	require.Len(t, clients, 2, "one span per attempt")
	for _, s := range clients {
		assert.Equal(t, "GET catalog /products/{id}", s.Name())
		assert.Equal(t, parent.SpanContext().SpanID(), s.Parent().SpanID())
		sent := <-parents
		assert.Contains(t, sent, s.SpanContext().TraceID().String())
		for _, kv := range s.Attributes() {
			assert.NotContains(t, kv.Value.String(), "secret-token")
			assert.NotContains(t, kv.Value.String(), "usr_9")
			if kv.Key == "url.full" {
				assert.Equal(t, srv.URL+"/products/prd_1?REDACTED", kv.Value.AsString())
			}
		}
	}
}

// Without a provider or propagator (the defaults: the global no-op ones)
// nothing is sent beyond what the call itself sends.
func TestRESTWithoutTracingSendsNoTraceContext(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Empty(t, r.Header.Get("Traceparent"))
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	c := newClient(t, srv, Config{})
	var out map[string]any
	require.NoError(t, c.GetJSON(context.Background(), "/products", nil, &out))
}
