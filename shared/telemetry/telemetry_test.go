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
	assert.Equal(t, "bff-web", rec["service"])

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
	assert.Contains(t, rec.Body.String(), "widgets_total 3")
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
