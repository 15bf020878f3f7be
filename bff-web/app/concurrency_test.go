package app_test

import (
	"testing"
	"time"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/mocks"
	inventoryv1 "github.com/tandemgw/tandem/shared/gen/inventory/v1"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
)

// productPageCalls are the four backend calls the product page makes once
// the product is loaded; none depends on another.
var productPageCalls = []struct{ service, route string }{
	{"pricing", pricingv1.PricingService_BatchGetPrices_FullMethodName},
	{"inventory", inventoryv1.InventoryService_BatchGetStock_FullMethodName},
	{"reviews", "GET /summaries"},
	{"reviews", "GET /products/{productId}/reviews"},
}

// barrierEnv holds each of the four calls at one barrier of size 4: they
// are answered only once all four are in flight together. A gateway that
// issued them one after another would leave the first waiting until its
// deadline, so the test fails by deadline, not by a stopwatch.
func barrierEnv(t *testing.T, deadline time.Duration) *env {
	e := newEnv(t, func(c *app.Config) {
		for _, id := range []string{"pricing", "inventory", "reviews"} {
			u := c.Upstreams[id]
			u.Timeout = deadline
			u.Retries = -1
			c.Upstreams[id] = u
		}
	})
	for _, c := range productPageCalls {
		e.Mocks.Faults().Set(c.service, c.route, mocks.Fault{Kind: mocks.FaultBarrier, Group: "product-page", Size: len(productPageCalls)})
	}
	return e
}

func TestProductPageCallsBackendsConcurrently(t *testing.T) {
	e := barrierEnv(t, 10*time.Second)
	r := e.do(gql{query: productPageQuery, vars: map[string]any{"id": "prd_000042"}})
	r.NoErrors(t)
	var data struct {
		Product struct {
			Price, Stock, RatingSummary, Reviews any
		}
	}
	r.Decode(t, &data)
	p := data.Product
	if p.Price == nil || p.Stock == nil || p.RatingSummary == nil || p.Reviews == nil {
		t.Fatalf("a field is missing: %s", r.Raw)
	}
	for _, c := range productPageCalls {
		if n := e.Mocks.Counters().Get(c.service, c.route); n != 1 {
			t.Errorf("%s %s: %d calls, want 1", c.service, c.route, n)
		}
	}
}

// TestBarrierCatchesMissingConcurrency is the control: with one of the four
// calls left out, the barrier never opens and the other three fail at their
// deadline. It proves the concurrency test above can fail.
func TestBarrierCatchesMissingConcurrency(t *testing.T) {
	e := barrierEnv(t, 300*time.Millisecond)
	r := e.do(gql{query: `query($id: ID!) { product(id: $id) { id price { onSale } stock { available } ratingSummary { count } } }`,
		vars: map[string]any{"id": "prd_000042"}})
	for _, field := range []string{"price", "stock", "ratingSummary"} {
		code, _ := r.ErrorAt(t, "product."+field).Code()
		if code != "UPSTREAM_TIMEOUT" {
			t.Errorf("product.%s: code %q, want UPSTREAM_TIMEOUT", field, code)
		}
	}
	e.assertNoInternals(r)
}
