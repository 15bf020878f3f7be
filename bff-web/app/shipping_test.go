package app_test

import (
	"testing"
)

// TestProductShippingQuote reads delivery quotes for a page of products:
// one call to shipping per country asked, whatever the number of products.
func TestProductShippingQuote(t *testing.T) {
	e := newEnv(t, nil)
	const query = `{ products(first: 20) { nodes { id
	  de: shippingQuote(country: "DE") { carrier amountMinor currency minDays maxDays }
	  us: shippingQuote(country: "US") { carrier currency minDays } } } }`
	e.Mocks.Counters().Reset()
	r := e.do(gql{query: query})
	r.NoErrors(t)
	type quote struct {
		Carrier, Currency             string
		AmountMinor, MinDays, MaxDays int
	}
	var d struct {
		Products struct {
			Nodes []struct {
				ID     string
				DE, US *quote
			}
		}
	}
	r.Decode(t, &d)
	if len(d.Products.Nodes) != 20 {
		t.Fatalf("products: %s", r.Raw)
	}
	for _, n := range d.Products.Nodes {
		if n.DE == nil || n.DE.Carrier == "" || n.DE.Currency != "EUR" || n.DE.MinDays < 1 || n.DE.MaxDays < n.DE.MinDays {
			t.Fatalf("%s: DE quote: %s", n.ID, r.Raw)
		}
		if n.US == nil || n.US.Currency != "USD" || n.US.MinDays <= n.DE.MinDays {
			t.Fatalf("%s: US quote: %s", n.ID, r.Raw)
		}
	}
	if got := e.Mocks.Counters().Get("shipping", "/tandem.shipping.v1.ShippingService/BatchGetQuotes"); got != 2 {
		t.Errorf("%d batch calls to shipping, want one per country (%v)", got, e.Mocks.Counters().Snapshot())
	}
	if got := e.Mocks.Counters().Total("shipping"); got != 2 {
		t.Errorf("%d calls to shipping, want 2 (%v)", got, e.Mocks.Counters().Snapshot())
	}

	// A country the shop does not deliver to is the caller's mistake.
	r = e.do(gql{query: `{ products(first: 2) { nodes { id shippingQuote(country: "ZZ") { carrier } } } }`})
	r.WantCode(t, "products.nodes.0.shippingQuote", "BAD_REQUEST")
}
