package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/inventory"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/reviews"
	"github.com/tandemgw/tandem/shared/upstream"
)

// Startup rejects each misconfiguration with a message that names the
// source and the fix.
func TestStartupRejectsMisconfiguration(t *testing.T) {
	ctx := context.Background()
	c := gatewaytest.StartMocks(t)
	p := gatewaytest.StartIdP(t)
	quiet := gateway.WithLogger(slog.New(slog.DiscardHandler))

	t.Run("duplicate source", func(t *testing.T) {
		reg := newRegistry(t)
		err := catalog.Register(reg)
		wantAll(t, err, `"catalog"`, "registered twice", "bff-web/graph/connectors.generated.go")
	})

	t.Run("missing address", func(t *testing.T) {
		// Every shipped source is configured (testConfig); a new backend
		// registered before its address is configured stops the start.
		// Its id is a placeholder no backend uses, so it never collides
		// with a real one.
		reg := newRegistry(t)
		if err := reg.Register(registry.Source{
			ID:   "unconfigured",
			Kind: registry.REST,
			New: func(context.Context, upstream.Config, registry.Deps) (registry.Instance, error) {
				t.Fatal("a source without an address must not be constructed")
				return nil, nil
			},
		}); err != nil {
			t.Fatal(err)
		}
		_, err := app.New(ctx, testConfig(c, p), reg, quiet)
		wantAll(t, err, "bff-web", `"unconfigured"`, "no address",
			"upstreams.unconfigured.address", "TANDEM_UPSTREAMS_UNCONFIGURED_ADDRESS")
	})

	t.Run("source a resolver needs is not registered", func(t *testing.T) {
		reg := registry.New(registry.WithApp(app.Name))
		for _, register := range []func(*registry.Registry) error{
			accounts.Register, catalog.Register, orders.Register, reviews.Register, inventory.Register,
		} {
			if err := register(reg); err != nil {
				t.Fatal(err)
			}
		}
		_, err := app.New(ctx, testConfig(c, p), reg, quiet)
		wantAll(t, err, "bff-web", `"pricing"`, "run make generate", "bff-web/graph/connectors.generated.go", "upstreams.pricing.address")
	})
}

func wantAll(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("startup succeeded, want an error")
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

func TestHealthReadyAndGraphiQL(t *testing.T) {
	e := newEnv(t, func(c *app.Config) { c.Dev = true })
	// /metrics and the profiler are on the admin listener only.
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/": 200, "/metrics": 404, "/debug/pprof/": 404} {
		resp, err := e.Server.Client().Get(e.Server.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	// Without dev mode there is no GraphiQL.
	prod := newEnv(t, nil)
	resp, err := prod.Server.Client().Get(prod.Server.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET / without dev: %d, want 404", resp.StatusCode)
	}
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The startup log says the mode and which rule finds a client's address:
// the TCP peer without trusted proxies (and that X-Forwarded-For is then
// ignored), the forwarded address behind the configured ones.
func TestStartupLogsClientAddressRule(t *testing.T) {
	c := gatewaytest.StartMocks(t)
	p := gatewaytest.StartIdP(t)
	for _, tc := range []struct {
		proxies []string
		want    []string
	}{
		{nil, []string{`"mode":"production"`, `"clientAddress":"the TCP peer address; X-Forwarded-For is ignored`, `"trustedProxies":null`}},
		{[]string{"10.0.0.0/8", "192.0.2.7"}, []string{`"clientAddress":"the rightmost X-Forwarded-For address that is not a trusted proxy`,
			`"trustedProxies":["10.0.0.0/8","192.0.2.7"]`}},
	} {
		var logs syncBuffer
		cfg := testConfig(c, p)
		cfg.TrustedProxies = tc.proxies
		a, err := app.New(context.Background(), cfg, newRegistry(t), gateway.WithLogger(slog.New(slog.NewJSONHandler(&logs, nil))))
		if err != nil {
			t.Fatal(err)
		}
		_ = a.Close()
		var line string
		for _, l := range strings.Split(logs.String(), "\n") {
			if strings.Contains(l, `"msg":"starting"`) {
				line = l
			}
		}
		for _, w := range tc.want {
			if !strings.Contains(line, w) {
				t.Errorf("startup log %q lacks %q", line, w)
			}
		}
	}
}
