package app_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/proto"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/telemetry"
)

// otlpReceiver is an in-process OTLP trace collector: it keeps every span
// exported to it, over gRPC (TraceService) or HTTP (POST /v1/traces).
type otlpReceiver struct {
	coltracepb.UnimplementedTraceServiceServer
	mu       sync.Mutex
	spans    []*tracepb.Span
	services []string // service.name of each resource received
}

func (r *otlpReceiver) Export(_ context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, rs := range req.GetResourceSpans() {
		for _, kv := range rs.GetResource().GetAttributes() {
			if kv.GetKey() == "service.name" {
				r.services = append(r.services, kv.GetValue().GetStringValue())
			}
		}
		for _, ss := range rs.GetScopeSpans() {
			r.spans = append(r.spans, ss.GetSpans()...)
		}
	}
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// ServeHTTP is the OTLP/HTTP endpoint (binary protobuf).
func (r *otlpReceiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, err := io.ReadAll(req.Body)
	var msg coltracepb.ExportTraceServiceRequest
	if err != nil || req.URL.Path != "/v1/traces" || proto.Unmarshal(body, &msg) != nil {
		http.Error(w, "bad export", http.StatusBadRequest)
		return
	}
	resp, _ := r.Export(req.Context(), &msg)
	out, _ := proto.Marshal(resp)
	w.Header().Set("Content-Type", "application/x-protobuf")
	_, _ = w.Write(out)
}

// startGRPCReceiver serves r over gRPC on a loopback port until the test
// ends and returns its endpoint URL.
func startGRPCReceiver(t *testing.T, r *otlpReceiver) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	coltracepb.RegisterTraceServiceServer(srv, r)
	done := make(chan struct{})
	go func() { // owned by the cleanup below, which waits for done
		defer close(done)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() { srv.Stop(); <-done })
	return "http://" + ln.Addr().String()
}

// One product page request, exported over OTLP (gRPC and HTTP, configured
// only by the standard OTEL_EXPORTER_OTLP_* variables) to an in-process
// receiver, is one trace continuing the client's: the BFF's server span,
// under it a batch span per dataloader batch with its size, under that the
// client spans of the upstream calls, and the mock backend received that
// client span as its parent.
func TestOTLPTraceSpansBFFBatchUpstreamMock(t *testing.T) {
	for _, protocol := range []string{telemetry.OTLPProtocolGRPC, telemetry.OTLPProtocolHTTP} {
		t.Run(protocol, func(t *testing.T) {
			rcv := &otlpReceiver{}
			var endpoint string
			if protocol == telemetry.OTLPProtocolGRPC {
				endpoint = startGRPCReceiver(t, rcv)
			} else {
				srv := httptest.NewServer(rcv)
				t.Cleanup(srv.Close)
				endpoint = srv.URL
			}
			t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", protocol)
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
			t.Setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "")
			t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "")

			tp, shutdown, err := telemetry.NewTracerProvider(app.Spec.Name,
				telemetry.TracingConfig{Exporter: telemetry.ExporterOTLP, SamplingRatio: 1}, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			e := newTracingEnv(t, gateway.WithTracerProvider(tp), gateway.WithPropagator(telemetry.Propagator()))
			postProductPage(t, e, e.Token("usr_000042"), clientTraceparent)
			// Shutting the provider down flushes its batch to the receiver.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := shutdown(ctx); err != nil {
				t.Fatal(err)
			}

			rcv.mu.Lock()
			spans := append([]*tracepb.Span(nil), rcv.spans...)
			services := append([]string(nil), rcv.services...)
			rcv.mu.Unlock()
			if len(services) == 0 || services[0] != "bff-web" {
				t.Errorf("resource service.name %v, want bff-web", services)
			}
			byID := map[string]*tracepb.Span{}
			var server *tracepb.Span
			for _, s := range spans {
				if got := hexID(s.GetTraceId()); got != clientTraceID {
					t.Errorf("span %q in trace %s, want the client's %s", s.GetName(), got, clientTraceID)
				}
				byID[hexID(s.GetSpanId())] = s
				if s.GetKind() == tracepb.Span_SPAN_KIND_SERVER {
					server = s
				}
			}
			if server == nil || hexID(server.GetParentSpanId()) != clientSpanID {
				t.Fatalf("no server span under the client's span among %d spans", len(spans))
			}

			// pricing: server → batch (with its size) → client span → mock.
			var batch, client *tracepb.Span
			for _, s := range spans {
				if s.GetName() == "batch pricing price" && hexID(s.GetParentSpanId()) == hexID(server.GetSpanId()) {
					batch = s
				}
			}
			if batch == nil {
				t.Fatalf("no pricing batch span under the server span: %v", spanNames(spans))
			}
			if size := attr(batch, "dataloader.batch.size"); size == "" || size == "0" {
				t.Errorf("batch span size %q", size)
			}
			for _, s := range spans {
				if s.GetKind() == tracepb.Span_SPAN_KIND_CLIENT && hexID(s.GetParentSpanId()) == hexID(batch.GetSpanId()) &&
					strings.HasPrefix(s.GetName(), "tandem.pricing.v1.PricingService/") {
					client = s
				}
			}
			if client == nil {
				t.Fatalf("no pricing client span under the batch span: %v", spanNames(spans))
			}
			reached := false
			for _, r := range e.Mocks.Requests("pricing") {
				parts := strings.Split(r.Traceparent, "-")
				if len(parts) == 4 && parts[1] == clientTraceID && parts[2] == hexID(client.GetSpanId()) {
					reached = true
				}
			}
			if !reached {
				t.Errorf("the pricing mock never received the client span %s as its parent", hexID(client.GetSpanId()))
			}
			// Every other span (catalog, inventory, reviews calls and their
			// batches) hangs from a span of the same trace: none is orphaned.
			for _, s := range spans {
				if s == server {
					continue
				}
				if _, ok := byID[hexID(s.GetParentSpanId())]; !ok {
					t.Errorf("span %q has a parent outside the trace", s.GetName())
				}
			}
		})
	}
}

func hexID(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&0xf])
	}
	return string(out)
}

func attr(s *tracepb.Span, key string) string {
	for _, kv := range s.GetAttributes() {
		if kv.GetKey() == key {
			if v := kv.GetValue(); v.GetStringValue() != "" {
				return v.GetStringValue()
			} else {
				return strconv.FormatInt(v.GetIntValue(), 10)
			}
		}
	}
	return ""
}

func spanNames(spans []*tracepb.Span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.GetName())
	}
	return out
}
