package app_test

import (
	"testing"

	"google.golang.org/grpc/codes"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/errcode"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
)

// noRetries makes failing upstreams fail on the first attempt, so fault
// tests do not wait for retries.
func noRetries(c *app.Config) {
	for id, u := range c.Upstreams {
		u.Retries = -1
		c.Upstreams[id] = u
	}
}

// When one backend fails, only the fields it serves are null, each with an
// error naming the code and the service; everything else is answered and no
// backend detail reaches the client.
func TestPartialResults(t *testing.T) {
	cases := []struct {
		name     string
		service  string
		route    string
		fault    mocks.Fault
		nullPath string
		code     errcode.Code
	}{
		{"pricing unavailable", "pricing", pricingv1.PricingService_BatchGetPrices_FullMethodName,
			mocks.Fault{Kind: mocks.FaultError, Code: codes.Unavailable}, "product.price", "UPSTREAM_UNAVAILABLE"},
		{"inventory malformed", "inventory", "",
			mocks.Fault{Kind: mocks.FaultMalformed}, "product.stock", "UPSTREAM_ERROR"},
		{"reviews 500", "reviews", "GET /summaries",
			mocks.Fault{Kind: mocks.FaultError, Status: 500}, "product.ratingSummary", "UPSTREAM_ERROR"},
		{"reviews list reset", "reviews", "GET /products/{productId}/reviews",
			mocks.Fault{Kind: mocks.FaultReset}, "product.reviews", "UPSTREAM_UNAVAILABLE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, noRetries)
			e.Mocks.Faults().Set(c.service, c.route, c.fault)
			r := e.do(gql{query: productPageQuery, vars: map[string]any{"id": "prd_000042"}})
			code, service := r.ErrorAt(t, c.nullPath).Code()
			if code != c.code || service != c.service {
				t.Fatalf("code %q service %q, want %q %q: %s", code, service, c.code, c.service, r.Raw)
			}
			if len(r.Errors) != 1 {
				t.Fatalf("want exactly one error: %s", r.Raw)
			}
			var d struct{ Product map[string]any }
			r.Decode(t, &d)
			for _, f := range []string{"name", "images", "category", "price", "stock", "ratingSummary", "reviews"} {
				isNull := d.Product[f] == nil
				if want := "product." + f; (want == c.nullPath) != isNull {
					t.Errorf("product.%s null=%v", f, isNull)
				}
			}
			e.assertNoInternals(r)
		})
	}
}

func TestPartialResultsViewer(t *testing.T) {
	e := newEnv(t, noRetries)
	e.Mocks.Faults().Set("accounts", "", mocks.Fault{Kind: mocks.FaultError, Status: 503})
	r := e.do(gql{query: viewerQuery, vars: map[string]any{"first": 2}, token: e.Token("usr_000042")})
	for _, path := range []string{"viewer.profile", "viewer.addresses"} {
		if code, service := r.ErrorAt(t, path).Code(); code != "UPSTREAM_UNAVAILABLE" || service != "accounts" {
			t.Errorf("%s: code %q service %q", path, code, service)
		}
	}
	var d viewerData
	r.Decode(t, &d)
	if d.Viewer == nil || d.Viewer.Profile != nil || d.Viewer.Orders == nil || len(d.Viewer.Orders.Nodes) != 2 || d.Viewer.Cart == nil {
		t.Fatalf("orders and cart must survive an accounts outage: %s", r.Raw)
	}
	e.assertNoInternals(r)
}

// A failing catalog nulls each order line's product, not the order.
func TestPartialResultsOrderLines(t *testing.T) {
	e := newEnv(t, noRetries)
	id := e.firstOrderOf("usr_000042")
	e.Mocks.Faults().Set("catalog", "", mocks.Fault{Kind: mocks.FaultError, Status: 503})
	r := e.do(gql{query: orderQuery, vars: map[string]any{"id": id}, token: e.Token("usr_000042", "orders:read")})
	var d orderData
	r.Decode(t, &d)
	if d.Order == nil || len(d.Order.Lines) == 0 {
		t.Fatalf("order must survive a catalog outage: %s", r.Raw)
	}
	if len(r.Errors) != len(d.Order.Lines) {
		t.Fatalf("want one error per line: %s", r.Raw)
	}
	for _, l := range d.Order.Lines {
		if l.Product != nil || l.SKU == "" || l.UnitPrice.AmountMinor == 0 {
			t.Fatalf("line %+v", l)
		}
	}
	if code, service := r.ErrorAt(t, "order.lines.0.product").Code(); code != "UPSTREAM_UNAVAILABLE" || service != "catalog" {
		t.Fatalf("code %q service %q", code, service)
	}
	e.assertNoInternals(r)
}
