package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewLoggerFormatsAndLevels(t *testing.T) {
	var buf bytes.Buffer
	l, err := NewLogger(&buf, "bff-web", "warn", "json")
	require.NoError(t, err)
	l.Info("dropped")
	l.Warn("kept", "k", 1)
	var rec map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &rec), buf.String())
	assert.Equal(t, "kept", rec["msg"])
	assert.Equal(t, "bff-web", rec["bff"])
	assert.NotContains(t, rec, "service")

	buf.Reset()
	l, err = NewLogger(&buf, "", "debug", "text")
	require.NoError(t, err)
	l.Debug("hello")
	assert.Contains(t, buf.String(), "msg=hello")

	_, err = NewLogger(&buf, "", "loud", "json")
	assert.ErrorContains(t, err, "log level")
	_, err = NewLogger(&buf, "", "info", "xml")
	assert.ErrorContains(t, err, "log format")
}

func TestMetricsServeInstruments(t *testing.T) {
	m, err := NewMetrics("bff-web")
	require.NoError(t, err)
	defer func() { _ = m.Shutdown(context.Background()) }()
	c, err := m.Meter("test").Int64Counter("widgets")
	require.NoError(t, err)
	c.Add(context.Background(), 3)

	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.Contains(t, rec.Body.String(), `widgets_total{service_name="bff-web"} 3`, "every series names the BFF")
	assert.Contains(t, rec.Body.String(), `service_name="bff-web"`)
	assert.Contains(t, rec.Body.String(), "go_goroutines")

	// Two Metrics in one process do not collide.
	_, err = NewMetrics("bff-mobile")
	require.NoError(t, err)
}

func TestSetupTracingWithoutExporter(t *testing.T) {
	shutdown := SetupTracing("bff-web")
	require.NoError(t, shutdown(context.Background()))
}

func TestTracerProviderFromConfig(t *testing.T) {
	// none: a no-op provider, nothing is written.
	var buf bytes.Buffer
	tp, shutdown, err := NewTracerProvider("bff-web", DefaultTracingConfig(), &buf)
	require.NoError(t, err)
	_, span := tp.Tracer("test").Start(context.Background(), "op")
	assert.False(t, span.IsRecording())
	span.End()
	require.NoError(t, shutdown(context.Background()))
	assert.Zero(t, buf.Len())

	// stdout: spans are written when the provider is flushed.
	tp, shutdown, err = NewTracerProvider("bff-web", TracingConfig{Exporter: "stdout", SamplingRatio: 1}, &buf)
	require.NoError(t, err)
	_, span = tp.Tracer("test").Start(context.Background(), "op")
	assert.True(t, span.IsRecording())
	span.End()
	require.NoError(t, shutdown(context.Background()))
	assert.Contains(t, buf.String(), `"Name":"op"`)
	assert.Contains(t, buf.String(), "bff-web")

	// Ratio 0 records no new trace.
	buf.Reset()
	tp, shutdown, err = NewTracerProvider("bff-web", TracingConfig{Exporter: "stdout", SamplingRatio: 0}, &buf)
	require.NoError(t, err)
	_, span = tp.Tracer("test").Start(context.Background(), "op")
	assert.False(t, span.IsRecording())
	span.End()
	require.NoError(t, shutdown(context.Background()))
	assert.Zero(t, buf.Len())

	_, _, err = NewTracerProvider("bff-web", TracingConfig{Exporter: "zipkin"}, &buf)
	assert.ErrorContains(t, err, "use none, stdout or otlp")
	_, _, err = NewTracerProvider("bff-web", TracingConfig{Exporter: "stdout", SamplingRatio: -1}, &buf)
	assert.ErrorContains(t, err, "samplingRatio")
}
