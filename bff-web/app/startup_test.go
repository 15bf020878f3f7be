package app_test

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
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
		wantAll(t, err, `"catalog"`, "registered twice", "catalog.Register once", "bff-web/cmd/bff-web/main.go")
	})

	t.Run("missing address", func(t *testing.T) {
		// The registered sources fall back to their default addresses, so
		// a missing address shows on a source that has none, as a new
		// backend would before its address is configured. Its id is a
		// placeholder no backend uses, so it never collides with a real one.
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
		wantAll(t, err, "bff-web", `"pricing"`, "pricing.Register", "bff-web/cmd/bff-web/main.go", "upstreams.pricing.address")
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
