package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/reviews"
	"github.com/tandemgw/tandem/shared/upstream"
)

const (
	routePrices    = "/tandem.pricing.v1.PricingService/BatchGetPrices"
	routeStock     = "/tandem.inventory.v1.InventoryService/BatchGetStock"
	routeSummaries = "GET /summaries"
	routeUsers     = "GET /users"
)

// TestPartialResults fails one backend at a time under the product detail
// query: only the fields that backend feeds are null, each with one error
// carrying the stable code and the failing service; nothing internal leaks.
func TestPartialResults(t *testing.T) {
	n := detailProduct(t)
	tests := []struct {
		name, service, route string
		fault                mocks.Fault
		nullFields           []string
		code                 string
	}{
		{"pricing unavailable", "pricing", "", mocks.Fault{Kind: mocks.FaultError, Code: codes.Unavailable},
			[]string{"price"}, "UPSTREAM_UNAVAILABLE"},
		{"inventory hangs", "inventory", "", mocks.Fault{Kind: mocks.FaultHang},
			[]string{"inStock"}, "UPSTREAM_TIMEOUT"},
		{"reviews failing", "reviews", "", mocks.Fault{Kind: mocks.FaultError, Status: http.StatusInternalServerError},
			[]string{"rating", "topReviews"}, "UPSTREAM_ERROR"},
		{"review authors unavailable", "accounts", "", mocks.Fault{Kind: mocks.FaultError, Status: http.StatusServiceUnavailable},
			[]string{"topReviews.0.authorName", "topReviews.1.authorName", "topReviews.2.authorName"}, "UPSTREAM_UNAVAILABLE"},
		{"catalog malformed", "catalog", "", mocks.Fault{Kind: mocks.FaultMalformed},
			[]string{""}, "UPSTREAM_ERROR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, func(c *app.Config) {
				// Fail fast: short deadlines and no retries.
				for id, u := range c.Upstreams {
					u.Timeout = 300 * time.Millisecond
					u.Retries = -1
					c.Upstreams[id] = u
				}
			})
			e.Mocks.Faults().Set(tt.service, tt.route, tt.fault)
			r := e.do(req{query: productDetailQuery, vars: map[string]any{"id": data.ProductID(n), "width": 400}})
			e.assertNoInternals(r)
			if len(r.Errors) != len(tt.nullFields) {
				t.Fatalf("want %d errors: %s", len(tt.nullFields), r.Raw)
			}
			var doc map[string]any
			r.Decode(t, &doc)
			for _, f := range tt.nullFields {
				path := strings.TrimSuffix("product."+f, ".")
				ge := r.ErrorAt(t, path)
				if ge.Extensions["code"] != tt.code || ge.Extensions["service"] != tt.service {
					t.Errorf("%s: extensions %v, want code %s service %s", path, ge.Extensions, tt.code, tt.service)
				}
				if v, ok := gatewaytest.LookupPath(doc, path); !ok || v != nil {
					t.Errorf("%s = %v, want null", path, v)
				}
			}
			if tt.service == "catalog" {
				return // the product itself is gone; nothing else to check
			}
			// Every other field is still there.
			for _, f := range []string{"id", "name", "imageUrl", "price", "inStock", "summary", "rating", "topReviews"} {
				v, ok := gatewaytest.LookupPath(doc, "product."+f)
				isNull := false
				for _, nf := range tt.nullFields {
					isNull = isNull || nf == f
				}
				if !ok || (v == nil) != isNull {
					t.Errorf("product.%s = %v with %s failing", f, v, tt.service)
				}
			}
		})
	}
}

// TestHomeAccountsDown: with accounts failing, the greeting is null with an
// accounts error, prices fall back to the Accept-Language locale, and the
// recent orders are still shown.
func TestHomeAccountsDown(t *testing.T) {
	e := newEnv(t, func(c *app.Config) {
		u := c.Upstreams["accounts"]
		u.Retries = -1
		c.Upstreams["accounts"] = u
	})
	_, user := userWithOrders(t, 3, "de-DE")
	e.Mocks.Faults().Set("accounts", "", mocks.Fault{Kind: mocks.FaultError, Status: http.StatusServiceUnavailable})
	r := e.do(req{query: `{ home { locale viewer { name } recentOrders { id total } } }`, token: e.Token(user.ID), acceptLanguage: "fr-FR"})
	e.assertNoInternals(r)
	ve := r.ErrorAt(t, "home.viewer")
	if ve.Extensions["code"] != "UPSTREAM_UNAVAILABLE" || ve.Extensions["service"] != "accounts" || len(r.Errors) != 1 {
		t.Errorf("errors: %s", r.Raw)
	}
	var got struct {
		Home struct {
			Locale       string
			Viewer       *struct{ Name string }
			RecentOrders []struct{ ID, Total string }
		}
	}
	r.Decode(t, &got)
	if got.Home.Locale != "fr-FR" || got.Home.Viewer != nil || len(got.Home.RecentOrders) != 3 {
		t.Errorf("home: %s", r.Data)
	}
}

// TestFanOutIsConcurrent proves with barriers (no timing) that the product
// screen's independent backends are called at the same time: each barrier
// answers only once all of its calls have arrived, so a serial fan-out would
// run into the deadline instead.
func TestFanOutIsConcurrent(t *testing.T) {
	n := detailProduct(t)
	e := newEnv(t, nil)
	barrier := mocks.Fault{Kind: mocks.FaultBarrier, Group: "detail", Size: 3}
	e.Mocks.Faults().Set("pricing", routePrices, barrier)
	e.Mocks.Faults().Set("inventory", routeStock, barrier)
	e.Mocks.Faults().Set("reviews", routeSummaries, barrier)
	r := e.do(req{query: `query($id: ID!) { product(id: $id) { price inStock rating { count } } }`, vars: map[string]any{"id": data.ProductID(n)}})
	r.NoErrors(t)

	// Signed in, the price waits for the account (its locale decides the
	// currency the price is loaded in), but that account load runs
	// alongside the other backends: accounts, inventory and reviews meet
	// at one barrier.
	e.Mocks.Faults().Clear()
	_, user := userWithOrders(t, 1, "")
	wave := mocks.Fault{Kind: mocks.FaultBarrier, Group: "signed-in", Size: 3}
	e.Mocks.Faults().Set("accounts", routeUsers, wave)
	e.Mocks.Faults().Set("inventory", routeStock, wave)
	e.Mocks.Faults().Set("reviews", routeSummaries, wave)
	r = e.do(req{query: `query($id: ID!) { product(id: $id) { price inStock rating { count } } }`, vars: map[string]any{"id": data.ProductID(n)}, token: e.Token(user.ID)})
	r.NoErrors(t)
}

// TestLoadersArePerRequest: two requests for the same product each fetch it;
// nothing is cached across requests (or users).
func TestLoadersArePerRequest(t *testing.T) {
	e := newEnv(t, nil)
	q := `{ a: product(id: "prd_000003") { name } b: product(id: "prd_000003") { name } c: product(id: "prd_000004") { name } }`
	for i := 1; i <= 2; i++ {
		e.do(req{query: q}).NoErrors(t)
		if got := e.Mocks.Counters().Total("catalog"); got != int64(i) {
			t.Fatalf("after request %d: catalog calls %d, want %d (one batch per request)", i, got, i)
		}
	}
}

func TestHealthEndpoints(t *testing.T) {
	e := newEnv(t, nil)
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := e.Server.Client().Get(e.Server.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
	// GraphiQL only in dev mode.
	resp, err := e.Server.Client().Get(e.Server.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode == http.StatusOK {
		t.Errorf("GraphiQL served outside dev mode")
	}
	dev := newEnv(t, func(c *app.Config) { c.Dev = true })
	resp, err = dev.Server.Client().Get(dev.Server.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("dev mode: GET / = %d %s, want GraphiQL", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// TestStartupMisconfiguration: each registration mistake stops the start
// with a message naming the source and the fix.
func TestStartupMisconfiguration(t *testing.T) {
	ctx := context.Background()

	t.Run("duplicate source", func(t *testing.T) {
		reg := registry.New(registry.WithApp(app.Name))
		if err := catalog.Register(reg); err != nil {
			t.Fatal(err)
		}
		err := catalog.Register(reg)
		wantMessage(t, err, `"catalog"`, "registered twice", "bff-mobile/graph/connectors.generated.go")
	})

	// Dev mode: the registered sources fall back to their default
	// addresses (production is TestProductionStartWithDefaultsFails).
	devDefaults := app.Default()
	devDefaults.Dev = true

	t.Run("missing address", func(t *testing.T) {
		// A new backend registered without a default and without
		// configuration stops the start. Its id is a placeholder no backend
		// uses, so it never collides with a real one.
		reg := gatewaytest.Registry(t, app.Name, app.Sources)
		if err := reg.Register(registry.Source{
			ID:   "unconfigured",
			Kind: registry.REST,
			New: func(context.Context, upstream.Config, registry.Deps) (registry.Instance, error) {
				t.Error("constructor called without an address")
				return nopInstance{}, nil
			},
		}); err != nil {
			t.Fatal(err)
		}
		_, err := app.New(ctx, devDefaults, reg)
		wantMessage(t, err, `"unconfigured"`, "upstreams.unconfigured.address", "TANDEM_UPSTREAMS_UNCONFIGURED_ADDRESS")
	})

	t.Run("source not registered", func(t *testing.T) {
		reg := registry.New(registry.WithApp(app.Name))
		for _, register := range []func(*registry.Registry) error{accounts.Register, catalog.Register, reviews.Register} {
			if err := register(reg); err != nil {
				t.Fatal(err)
			}
		}
		_, err := app.New(ctx, devDefaults, reg)
		wantMessage(t, err, `"orders"`, "run make generate", "bff-mobile/graph/connectors.generated.go", "upstreams.orders.address")
		_ = orders.ID
	})
}

type nopInstance struct{}

func (nopInstance) NewRequestScope() any { return nil }

func wantMessage(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error, got none")
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}
