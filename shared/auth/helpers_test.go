package auth_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/mocks/idp"
	"github.com/tandemgw/tandem/shared/auth"
)

// fakeClock is shared by the mock IdP (iat/nbf/exp, rotation overlap) and the
// verifier (exp/nbf/iat checks), so time-dependent tests are deterministic.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// testIdP is a mock IdP behind an httptest server that counts JWKS fetches.
type testIdP struct {
	*idp.Provider
	srv       *httptest.Server
	jwksFetch atomic.Int64
}

func newTestIdP(t testing.TB, opts idp.Options) *testIdP {
	t.Helper()
	p, err := idp.New(opts)
	require.NoError(t, err)
	ti := &testIdP{Provider: p}
	h := p.Handler()
	ti.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == idp.JWKSPath {
			ti.jwksFetch.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ti.srv.Close)
	return ti
}

func (ti *testIdP) jwksURL() string { return ti.srv.URL + idp.JWKSPath }

// issuerConfig trusts ti with the given allowed algorithms (default: its own).
func (ti *testIdP) issuerConfig(algs ...string) auth.IssuerConfig {
	if len(algs) == 0 {
		algs = []string{ti.Algorithm()}
	}
	return auth.IssuerConfig{
		Issuer:     ti.Issuer(),
		Audiences:  []string{ti.Audience()},
		JWKSURL:    ti.jwksURL(),
		Algorithms: algs,
	}
}

func (ti *testIdP) mint(t testing.TB, sub string, scopes []string, extra map[string]any) string {
	t.Helper()
	tok, err := ti.Mint(sub, scopes, time.Hour, extra)
	require.NoError(t, err)
	return tok
}

func newVerifier(t testing.TB, cfg auth.Config, opts ...auth.Option) *auth.Verifier {
	t.Helper()
	v, err := auth.New(cfg, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = v.Close() })
	return v
}

// syncBuffer collects log output written from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func debugLogger(buf *syncBuffer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// recorder is the handler behind Middleware: it notes whether it was reached
// and with which principal and headers.
type recorder struct {
	mu        sync.Mutex
	reached   int
	principal *auth.Principal
	header    http.Header
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.reached++
	rec.principal, _ = auth.FromContext(r.Context())
	rec.header = r.Header.Clone()
	w.WriteHeader(http.StatusNoContent)
}

func (rec *recorder) calls() int {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return rec.reached
}
