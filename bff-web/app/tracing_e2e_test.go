package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/telemetry"
)

// The trace context a client sends: trace 4bf9…4736, its span 00f0…02b7.
const (
	clientTraceID     = "4bf92f3577b34da6a3ce929d0e0e4736"
	clientSpanID      = "00f067aa0ba902b7"
	clientTraceparent = "00-" + clientTraceID + "-" + clientSpanID + "-01"
)

// serverEnded signals each server span that ends: the server span ends
// after the response is written, so the test waits for it instead of
// racing the handler.
type serverEnded chan struct{}

func (c serverEnded) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (c serverEnded) OnEnd(s sdktrace.ReadOnlySpan) {
	if s.SpanKind() == trace.SpanKindServer {
		select {
		case c <- struct{}{}:
		default: // a second server span; the test reports it
		}
	}
}
func (serverEnded) Shutdown(context.Context) error   { return nil }
func (serverEnded) ForceFlush(context.Context) error { return nil }

var _ sdktrace.SpanProcessor = serverEnded(nil)

// newTracingEnv is newEnv with opts given to the app, and the upstreams
// forwarding the caller's token (so that a token does travel next to the
// spans).
func newTracingEnv(t *testing.T, opts ...gateway.Option) *gatewaytest.Env {
	t.Helper()
	return gatewaytest.Start(t, gatewaytest.Options{
		Spec:     app.Spec,
		New:      app.New,
		Register: app.Sources,
		Tweak: func(c *app.Config) {
			relaxRates(c)
			for _, id := range []string{"catalog", "pricing", "inventory"} {
				u := c.Upstreams[id]
				u.ForwardToken = true
				c.Upstreams[id] = u
			}
		},
		AppOptions: opts,
	})
}

// postProductPage sends the product page query with a bearer token and,
// when traceparent is set, the client's trace context; it returns the data.
func postProductPage(t *testing.T, e *gatewaytest.Env, token, traceparent string) json.RawMessage {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": productPageQuery, "variables": map[string]any{"id": "prd_000042"}})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.Server.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if traceparent != "" {
		req.Header.Set("Traceparent", traceparent)
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var out gatewaytest.Response
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("status %d, body not JSON: %s", resp.StatusCode, raw)
	}
	out.Raw, out.Status = raw, resp.StatusCode
	out.NoErrors(t)
	return out.Data
}

// One product page request is one trace, continuing the client's: a server
// span with the operation's name and type, and a client span per upstream
// call (catalog over REST, pricing and inventory over gRPC) below it; the
// backends receive that trace's context; no span holds the token, a
// query string or the GraphQL text.
func TestTracingProductPage(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	ended := make(serverEnded, 1)
	tp := telemetry.NewSDKTracerProvider(app.Spec.Name, 1,
		sdktrace.WithSpanProcessor(rec), sdktrace.WithSpanProcessor(ended))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	e := newTracingEnv(t, gateway.WithTracerProvider(tp), gateway.WithPropagator(telemetry.Propagator()))
	token := e.Token("usr_000042")

	traced := postProductPage(t, e, token, clientTraceparent)
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the server span never ended")
	}

	spans := rec.Ended()
	byID := map[trace.SpanID]sdktrace.ReadOnlySpan{}
	var server sdktrace.ReadOnlySpan
	for _, s := range spans {
		byID[s.SpanContext().SpanID()] = s
		if s.SpanKind() == trace.SpanKindServer {
			if server != nil {
				t.Fatalf("two server spans: %q and %q", server.Name(), s.Name())
			}
			server = s
		}
	}
	if server == nil {
		t.Fatalf("no server span among %d spans", len(spans))
	}
	if got := server.SpanContext().TraceID().String(); got != clientTraceID {
		t.Fatalf("server span in trace %s, want the client's %s", got, clientTraceID)
	}
	if got := server.Parent().SpanID().String(); got != clientSpanID || !server.Parent().IsRemote() {
		t.Fatalf("server span's parent %s (remote %v), want the client's span %s", got, server.Parent().IsRemote(), clientSpanID)
	}
	if server.Name() != "POST /graphql" {
		t.Errorf("server span named %q", server.Name())
	}
	attrs := map[string]string{}
	for _, kv := range server.Attributes() {
		attrs[string(kv.Key)] = kv.Value.String()
	}
	if attrs["graphql.operation.name"] != "ProductPage" || attrs["graphql.operation.type"] != "query" {
		t.Errorf("server span attributes: %v", attrs)
	}

	// Every client span descends from the server span.
	underServer := func(s sdktrace.ReadOnlySpan) bool {
		for p := s.Parent(); p.IsValid(); {
			if p.SpanID() == server.SpanContext().SpanID() {
				return true
			}
			parent, ok := byID[p.SpanID()]
			if !ok {
				return false
			}
			p = parent.Parent()
		}
		return false
	}
	clientSpans := map[string][]sdktrace.ReadOnlySpan{} // by service
	for _, s := range spans {
		if s.SpanKind() != trace.SpanKindClient {
			continue
		}
		if s.SpanContext().TraceID() != server.SpanContext().TraceID() || !underServer(s) {
			t.Errorf("client span %q is not below the server span", s.Name())
		}
		switch {
		case strings.HasPrefix(s.Name(), "GET catalog "):
			clientSpans["catalog"] = append(clientSpans["catalog"], s)
		case strings.HasPrefix(s.Name(), "tandem.pricing.v1.PricingService/"):
			clientSpans["pricing"] = append(clientSpans["pricing"], s)
		case strings.HasPrefix(s.Name(), "tandem.inventory.v1.InventoryService/"):
			clientSpans["inventory"] = append(clientSpans["inventory"], s)
		}
	}
	for _, svc := range []string{"catalog", "pricing", "inventory"} {
		if len(clientSpans[svc]) == 0 {
			t.Errorf("no client span for %s", svc)
		}
	}
	for _, s := range clientSpans["catalog"] {
		if strings.Contains(s.Name(), "prd_") {
			t.Errorf("REST span name %q carries an id", s.Name())
		}
	}

	// The backends were called within the trace, each by a client span.
	for _, svc := range []string{"catalog", "pricing", "inventory"} {
		reqs := e.Mocks.Requests(svc)
		if len(reqs) == 0 {
			t.Fatalf("%s was not called", svc)
		}
		for _, r := range reqs {
			parts := strings.Split(r.Traceparent, "-")
			if len(parts) != 4 || parts[1] != clientTraceID {
				t.Errorf("%s got traceparent %q, want trace %s", svc, r.Traceparent, clientTraceID)
				continue
			}
			sid, err := trace.SpanIDFromHex(parts[2])
			if s, ok := byID[sid]; err != nil || !ok || s.SpanKind() != trace.SpanKindClient {
				t.Errorf("%s got parent span %s, which is not a recorded client span", svc, parts[2])
			}
		}
		if reqs[0].Authorization != "Bearer "+token {
			t.Fatalf("%s did not get the forwarded token; the check below would prove nothing", svc)
		}
	}

	// Nothing secret or request-specific beyond what otelhttp records.
	for _, s := range spans {
		for _, kv := range s.Attributes() {
			v := kv.Value.String()
			for _, bad := range []string{token, "Bearer", "ProductPage(", "$reviews"} {
				if strings.Contains(v, bad) {
					t.Errorf("span %q attribute %s carries %q", s.Name(), kv.Key, bad)
				}
			}
			if kv.Key == "url.full" && strings.Contains(v, "?") && !strings.HasSuffix(v, "?REDACTED") {
				t.Errorf("span %q keeps a query string in url.full: %s", s.Name(), v)
			}
		}
	}

	// With tracing off (the default: the global no-op provider and
	// propagator) the same request gives the same answer, and the backends
	// see no trace context at all.
	off := newTracingEnv(t)
	plain := postProductPage(t, off, off.Token("usr_000042"), clientTraceparent)
	if !bytes.Equal(plain, traced) {
		t.Errorf("tracing changed the answer:\n on: %s\noff: %s", traced, plain)
	}
	for _, svc := range []string{"catalog", "pricing", "inventory"} {
		for _, r := range off.Mocks.Requests(svc) {
			if r.Traceparent != "" {
				t.Errorf("tracing off: %s got traceparent %q", svc, r.Traceparent)
			}
		}
	}
}

// With telemetry.tracing left at its default (exporter none) and the W3C
// propagator that Main installs, nothing records a span: the client's
// trace context reaches the backends unchanged, with no span of the BFF in
// between.
func TestTracingNoneRecordsNothing(t *testing.T) {
	tp, shutdown, err := telemetry.NewTracerProvider(app.Spec.Name, telemetry.DefaultTracingConfig(), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = shutdown(context.Background()) })
	e := newTracingEnv(t, gateway.WithTracerProvider(tp), gateway.WithPropagator(telemetry.Propagator()))
	postProductPage(t, e, e.Token("usr_000042"), clientTraceparent)
	for _, svc := range []string{"catalog", "pricing", "inventory"} {
		reqs := e.Mocks.Requests(svc)
		if len(reqs) == 0 {
			t.Fatalf("%s was not called", svc)
		}
		for _, r := range reqs {
			if r.Traceparent != clientTraceparent {
				t.Errorf("%s got traceparent %q, want the client's %q untouched", svc, r.Traceparent, clientTraceparent)
			}
		}
	}
}
