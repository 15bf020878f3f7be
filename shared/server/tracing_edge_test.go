package server

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/baggage"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// The edge continues a client's trace but does not let its baggage in:
// internal services may trust baggage entries.
func TestEdgeContinuesTraceButDropsClientBaggage(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
	s := &Server{opts: Options{TracerProvider: tp}}
	var gotTrace trace.TraceID
	var gotBaggage string
	h := s.traceHandler(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		gotTrace = trace.SpanContextFromContext(r.Context()).TraceID()
		gotBaggage = baggage.FromContext(r.Context()).String()
	}))
	req := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	req.Header.Set("baggage", "role=admin,tenant=other")
	h.ServeHTTP(httptest.NewRecorder(), req)

	if gotTrace.String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Errorf("trace id = %s, want the client's", gotTrace)
	}
	if gotBaggage != "" {
		t.Errorf("client baggage %q passed the edge", gotBaggage)
	}
}
