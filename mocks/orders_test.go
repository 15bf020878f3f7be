package mocks_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/tandemgw/tandem/mocks/data"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
)

func key(k string) http.Header {
	h := http.Header{}
	h.Set("Idempotency-Key", k)
	return h
}

// Twenty concurrent retries with one key place exactly one order; a
// different body with the same key is a conflict.
func TestPlaceOrderIsIdempotentUnderConcurrentRetries(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	const user = "usr_000010"
	for _, line := range []map[string]any{{"productId": "prd_000003", "quantity": 2}, {"productId": "prd_000777", "quantity": 1}, {"productId": "prd_000003", "quantity": 1}} {
		if r := cl.do("orders", "POST", "/carts/"+user+"/lines", nil, line); r.Status != http.StatusOK {
			t.Fatalf("add to cart: %d %s", r.Status, r.Body)
		}
	}
	var cart struct {
		Lines []struct {
			ProductID string
			Quantity  int
		}
	}
	cl.get("orders", "/carts/"+user).decode(t, &cart)
	if len(cart.Lines) != 2 || cart.Lines[0].Quantity != 3 {
		t.Fatalf("cart: %+v", cart)
	}
	var before struct{ Items []data.Order }
	cl.get("orders", "/orders?userId="+user+"&limit=100").decode(t, &before)

	body := map[string]string{"userId": user, "shippingAddressId": data.AddressID(10, 1)}
	const retries = 20
	var wg sync.WaitGroup
	results := make([]response, retries)
	for i := range retries {
		wg.Go(func() { results[i] = cl.do("orders", "POST", "/orders", key("order-once"), body) })
	}
	wg.Wait()
	var first data.Order
	replays := 0
	for i, r := range results {
		if r.Status != http.StatusCreated {
			t.Fatalf("retry %d: %d %s", i, r.Status, r.Body)
		}
		var o data.Order
		r.decode(t, &o)
		if first.ID == "" {
			first = o
		}
		if o.ID != first.ID || o.Total != first.Total {
			t.Fatalf("retry %d placed %s, another placed %s", i, o.ID, first.ID)
		}
		if r.Header.Get("Idempotent-Replayed") == "true" {
			replays++
		}
	}
	if replays != retries-1 {
		t.Fatalf("%d replays, want %d", replays, retries-1)
	}
	if got := c.Counters().Get("orders", "POST /orders"); got != retries {
		t.Fatalf("counted %d place-order calls", got)
	}

	var after struct{ Items []data.Order }
	cl.get("orders", "/orders?userId="+user+"&limit=100").decode(t, &after)
	if len(after.Items) != len(before.Items)+1 || after.Items[0].ID != first.ID {
		t.Fatalf("orders of %s: %d before, %d after, newest %s", user, len(before.Items), len(after.Items), after.Items[0].ID)
	}
	var got data.Order
	cl.get("orders", "/orders/"+first.ID).decode(t, &got)
	if got.ID != first.ID || got.Status != "placed" || len(got.Lines) != 2 {
		t.Fatalf("placed order: %+v", got)
	}

	// Unit prices are what pricing answers in the user's currency.
	d := data.Load()
	u, _ := data.ParseUserID(user)
	cur := data.CurrencyForLocale(d.Users[u-1].Locale)
	pc := pricingClient(t, c)
	var total int64
	for _, l := range got.Lines {
		p, err := pc.GetPrice(t.Context(), &pricingv1.GetPriceRequest{ProductId: l.ProductID, Currency: cur})
		if err != nil {
			t.Fatal(err)
		}
		if l.UnitPrice.AmountMinor != p.GetPrice().GetAmountMinor() || l.UnitPrice.Currency != cur {
			t.Fatalf("line %s: %+v, pricing says %d %s", l.ProductID, l.UnitPrice, p.GetPrice().GetAmountMinor(), cur)
		}
		total += l.UnitPrice.AmountMinor * int64(l.Quantity)
	}
	if got.Total.AmountMinor != total {
		t.Fatalf("total %d, lines add up to %d", got.Total.AmountMinor, total)
	}

	// The cart is empty now; the same key with another body is a conflict.
	cl.get("orders", "/carts/"+user).decode(t, &cart)
	if len(cart.Lines) != 0 {
		t.Fatalf("cart after placing: %+v", cart)
	}
	other := map[string]string{"userId": user, "shippingAddressId": data.AddressID(10, 1)}
	if len(d.Addresses[u-1]) > 1 {
		other["shippingAddressId"] = data.AddressID(10, 2)
	} else {
		other["userId"] = "usr_000011"
		other["shippingAddressId"] = data.AddressID(11, 1)
	}
	if r := cl.do("orders", "POST", "/orders", key("order-once"), other); r.Status != http.StatusConflict || r.errorCode(t) != "CONFLICT" {
		t.Fatalf("same key, other body: %d %s", r.Status, r.Body)
	}
	// The replay still answers the first order.
	if r := cl.do("orders", "POST", "/orders", key("order-once"), body); r.Status != http.StatusCreated {
		t.Fatalf("late replay: %d", r.Status)
	}
}

func TestPlaceOrderRejectsBadRequests(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	good := map[string]string{"userId": "usr_000020", "shippingAddressId": "adr_000020_1"}
	for _, tc := range []struct {
		name   string
		hdr    http.Header
		body   any
		status int
	}{
		{"no key", nil, good, 400},
		{"empty cart", key("k1"), good, 400},
		{"malformed user", key("k2"), map[string]string{"userId": "u", "shippingAddressId": "adr_000020_1"}, 400},
		{"unknown user", key("k3"), map[string]string{"userId": "usr_999999", "shippingAddressId": "adr_999999_1"}, 404},
		{"foreign address", key("k4"), map[string]string{"userId": "usr_000020", "shippingAddressId": "adr_000021_1"}, 400},
		{"unknown field", key("k5"), `{"userId":"usr_000020","shippingAddressId":"adr_000020_1","x":1}`, 400},
		{"not json", key("k6"), `{"userId":`, 400},
	} {
		if r := cl.do("orders", "POST", "/orders", tc.hdr, tc.body); r.Status != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.name, r.Status, tc.status, r.Body)
		}
	}
	for _, tc := range []struct {
		name string
		body any
	}{
		{"zero quantity", map[string]any{"productId": "prd_000001", "quantity": 0}},
		{"too many", map[string]any{"productId": "prd_000001", "quantity": 100}},
		{"unknown product", map[string]any{"productId": "prd_999999", "quantity": 1}},
		{"malformed product", map[string]any{"productId": "p1", "quantity": 1}},
	} {
		if r := cl.do("orders", "POST", "/carts/usr_000020/lines", nil, tc.body); r.Status != 400 {
			t.Errorf("cart %s: %d %s", tc.name, r.Status, r.Body)
		}
	}
	// A failed attempt is not recorded: filling the cart and retrying the
	// key places the order.
	cl.do("orders", "POST", "/carts/usr_000020/lines", nil, map[string]any{"productId": "prd_000001", "quantity": 1})
	if r := cl.do("orders", "POST", "/orders", key("k1"), good); r.Status != http.StatusCreated || r.Header.Get("Idempotent-Replayed") != "false" {
		t.Fatalf("retry after fixing the cart: %d %s", r.Status, r.Body)
	}
}

// Clusters do not share mutable state.
func TestClustersAreIsolated(t *testing.T) {
	a, b := startCluster(t), startCluster(t)
	cla, clb := newClient(t, a), newClient(t, b)
	cla.do("orders", "POST", "/carts/usr_000030/lines", nil, map[string]any{"productId": "prd_000001", "quantity": 1})
	var cart struct{ Lines []any }
	clb.get("orders", "/carts/usr_000030").decode(t, &cart)
	if len(cart.Lines) != 0 {
		t.Fatal("a cart leaked into another cluster")
	}
	if b.Counters().Total("orders") != 1 || a.Counters().Total("orders") != 1 {
		t.Fatal("counters leaked between clusters")
	}
}
