package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// Registered names always stay; of the others the first limit do, and the
// rest become "other".
func TestOperationNamesAreBounded(t *testing.T) {
	n := NewOperationNames(3)
	n.Register("FromManifest")
	for i := 0; i < 3; i++ {
		assert.Equal(t, fmt.Sprintf("Op%d", i), n.Label(fmt.Sprintf("Op%d", i)))
	}
	assert.Equal(t, OperationOther, n.Label("Op3"))
	assert.Equal(t, OperationOther, n.Label("Op4"))
	assert.Equal(t, "Op1", n.Label("Op1"), "a name kept once stays kept")
	assert.Equal(t, "FromManifest", n.Label("FromManifest"), "registered names do not count against the limit")
	assert.Equal(t, OperationAnonymous, n.Label(""))
	long := string(make([]byte, 500))
	assert.Len(t, NewOperationNames(0).Label(long), maxNameBytes)
}

// A batch is a span between the request's span and the calls made with the
// returned context, with its size; its size is recorded on the metrics of
// the request. Without a recording span there is no span.
func TestStartBatch(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	m, err := NewMetrics("bff-web")
	require.NoError(t, err)
	ctx, parent := tp.Tracer("t").Start(ContextWithMetrics(context.Background(), m), "POST /graphql")
	bctx, end := StartBatch(ctx, "pricing", "price", 7)
	_, child := tp.Tracer("t").Start(bctx, "upstream call")
	child.End()
	end(errors.New("pricing: UPSTREAM_UNAVAILABLE"))
	parent.End()

	byName := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range rec.Ended() {
		byName[s.Name()] = s
	}
	batch := byName["batch pricing price"]
	require.NotNil(t, batch)
	assert.Equal(t, parent.SpanContext().SpanID(), batch.Parent().SpanID())
	assert.Equal(t, batch.SpanContext().SpanID(), byName["upstream call"].Parent().SpanID())
	assert.Equal(t, trace.SpanKindInternal, batch.SpanKind())
	attrs := map[string]string{}
	for _, kv := range batch.Attributes() {
		attrs[string(kv.Key)] = kv.Value.String()
	}
	assert.Equal(t, "7", attrs["dataloader.batch.size"])
	assert.Equal(t, "pricing", attrs["upstream.service"])
	assert.Equal(t, "Error", batch.Status().Code.String())

	out := httptest.NewRecorder()
	m.Handler().ServeHTTP(out, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.Contains(t, out.Body.String(), `tandem_dataloader_batch_size_sum{dataloader_name="price",service_name="bff-web",upstream_service="pricing"} 7`)

	// No span without a recording parent; the context is unchanged.
	plain := context.Background()
	got, end := StartBatch(plain, "pricing", "price", 1)
	end(nil)
	assert.Equal(t, plain, got)
}

func TestOTLPProtocolFromEnvironment(t *testing.T) {
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "")
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "")
	p, err := OTLPProtocol("traces")
	require.NoError(t, err)
	assert.Equal(t, OTLPProtocolHTTP, p, "the specification's default")
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	p, _ = OTLPProtocol("traces")
	assert.Equal(t, OTLPProtocolGRPC, p)
	t.Setenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf")
	p, _ = OTLPProtocol("traces")
	assert.Equal(t, OTLPProtocolHTTP, p, "the signal's own variable wins")
	p, _ = OTLPProtocol("metrics")
	assert.Equal(t, OTLPProtocolGRPC, p)
	t.Setenv("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/json")
	_, err = OTLPProtocol("metrics")
	assert.ErrorContains(t, err, "http/json")
}

func TestClassifyOutcome(t *testing.T) {
	ran := RequestSnapshot{Executed: true, HasData: true}
	assert.Equal(t, OutcomeOK, ClassifyOutcome(200, nil, ran))
	assert.Equal(t, OutcomePartial, ClassifyOutcome(200, []string{"UPSTREAM_TIMEOUT"}, ran))
	assert.Equal(t, OutcomeError, ClassifyOutcome(200, []string{"INTERNAL_SERVER_ERROR"}, RequestSnapshot{Executed: true}))
	assert.Equal(t, OutcomeRefused, ClassifyOutcome(200, []string{"INTROSPECTION_DISABLED"}, RequestSnapshot{}))
	for _, s := range []int{400, 401, 413, 422, 429} {
		assert.Equal(t, OutcomeRefused, ClassifyOutcome(s, []string{"X"}, RequestSnapshot{}))
	}
	assert.Equal(t, OutcomeError, ClassifyOutcome(503, []string{"RATE_LIMIT_UNAVAILABLE"}, RequestSnapshot{}))
}
