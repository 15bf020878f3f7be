package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// accessLines decodes the access log lines among logs.
func accessLines(t *testing.T, logs *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
		if rec["msg"] == accessLogMessage {
			out = append(out, rec)
		}
	}
	return out
}

// A persisted request (Apollo's persistedQuery extension: the hash alone,
// after the document was registered) is logged with its document id and
// operation name, and never with the query text.
func TestAccessLogPersistedDocument(t *testing.T) {
	s, logs := newServer(t, func(o *Options) {
		o.Extensions = []graphql.HandlerExtension{extension.AutomaticPersistedQuery{Cache: lru.New[string](100)}}
	})
	query := `query Persisted { field(kind: "ok") }`
	sum := sha256.Sum256([]byte(query))
	hash := hex.EncodeToString(sum[:])
	send := func(body map[string]any) {
		t.Helper()
		b, _ := json.Marshal(body)
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(b))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		require.Contains(t, rec.Body.String(), "fine")
	}
	pq := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
	send(map[string]any{"query": query, "extensions": pq}) // registers the document
	send(map[string]any{"extensions": pq})                 // runs it by id

	lines := accessLines(t, logs)
	require.Len(t, lines, 2)
	for _, l := range lines {
		assert.Equal(t, "sha256:"+hash, l[logDocumentID])
		assert.Equal(t, "Persisted", l[logOperationName])
		assert.Equal(t, "ok", l[logOutcome])
	}
	assert.NotContains(t, logs.String(), "field(kind")
}

// The admin listener serves /metrics and the profiler; the public one
// serves neither; both stop when the context ends.
func TestServeWithAdmin(t *testing.T) {
	s, _ := newServer(t, func(o *Options) { o.AdminAddr = "127.0.0.1:0" })
	public, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	admin, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.ServeWithAdmin(ctx, public, admin) }()

	status := func(base, path string) int {
		t.Helper()
		resp, err := http.Get("http://" + base + path)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	_, _, _ = post(t, s.Handler(), `{ field(kind: "ok") }`)
	assert.Equal(t, http.StatusOK, status(public.Addr().String(), "/healthz"))
	assert.Equal(t, http.StatusNotFound, status(public.Addr().String(), "/metrics"))
	assert.Equal(t, http.StatusNotFound, status(public.Addr().String(), "/debug/pprof/"))
	assert.Equal(t, http.StatusOK, status(admin.Addr().String(), "/metrics"))
	assert.Equal(t, http.StatusOK, status(admin.Addr().String(), "/debug/pprof/"))
	assert.Equal(t, http.StatusOK, status(admin.Addr().String(), "/debug/pprof/cmdline"))

	cancel()
	require.NoError(t, <-done)
	for _, ln := range []net.Listener{public, admin} {
		_, err := http.Get("http://" + ln.Addr().String() + "/healthz")
		assert.Error(t, err, "closed after shutdown")
	}
}

// The admin address may not be the public one.
func TestAdminAddrDiffersFromPublic(t *testing.T) {
	_, err := New(Options{Name: "x", Schema: fakeSchema(), Addr: "127.0.0.1:8080", AdminAddr: "127.0.0.1:8080",
		Logger: slog.New(slog.DiscardHandler)})
	assert.ErrorContains(t, err, "admin address")
}

// BenchmarkObservedRequest is one small /graphql request through the whole
// handler, with the access log line (JSON, to io.Discard) and every request
// metric recorded; BenchmarkObservedRequest/log-off keeps the metrics but
// drops the line below its level, to show what the line itself costs.
func BenchmarkObservedRequest(b *testing.B) {
	body := []byte(`{"query":"query Bench { field(kind: \"ok\") }"}`)
	for _, c := range []struct {
		name  string
		level slog.Level
	}{{"log-on", slog.LevelInfo}, {"log-off", slog.LevelError}} {
		b.Run(c.name, func(b *testing.B) {
			s, err := New(Options{Name: "bff-bench", Schema: fakeSchema(),
				Logger: slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: c.level}))})
			require.NoError(b, err)
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				s.Handler().ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatal(rec.Code)
				}
			}
		})
	}
}
