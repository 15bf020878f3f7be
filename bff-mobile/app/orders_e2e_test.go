package app_test

import (
	"fmt"
	"testing"

	"github.com/tandemgw/tandem/shared/market"

	"github.com/tandemgw/tandem/mocks/data"
)

// userWithOrders returns a user (number and record) with at least min orders.
func userWithOrders(t *testing.T, min int, locale string) (int, *data.User) {
	t.Helper()
	d := data.Load()
	for u := 1; u <= data.NumUsers; u++ {
		if len(d.OrdersByUser[u-1]) >= min && (locale == "" || string(d.User(u).Locale) == locale) {
			return u, d.User(u)
		}
	}
	t.Fatalf("no user with %d orders", min)
	return 0, nil
}

type orderCard struct {
	ID           string
	Status       string
	PlacedAt     string
	ItemCount    int
	Total        string
	ThumbnailURL *string
}

const cardFields = `id status placedAt itemCount total thumbnailUrl`

// wantCard is the card bff-mobile should show for order n in locale.
func wantCard(t *testing.T, n int, locale string) orderCard {
	t.Helper()
	d := data.Load()
	o := d.Order(n)
	items := 0
	for _, l := range o.Lines {
		items += l.Quantity
	}
	total := market.Resolve(locale, "").Format(o.Total.AmountMinor, o.Total.Currency)
	first, _ := data.ParseProductID(o.Lines[0].ProductID)
	thumb := imageOfWidth(d.Product(first), 200)
	return orderCard{
		ID: o.ID, Status: map[string]string{"placed": "PLACED", "paid": "PAID", "shipped": "SHIPPED", "delivered": "DELIVERED", "cancelled": "CANCELLED"}[string(o.Status)],
		PlacedAt: o.CreatedAt.UTC().Format("2006-01-02T15:04:05Z"), ItemCount: items, Total: total, ThumbnailURL: &thumb,
	}
}

func sameCard(a, b orderCard) bool {
	return fmt.Sprintf("%v %v %v %v %v %v", a.ID, a.Status, a.PlacedAt, a.ItemCount, a.Total, *a.ThumbnailURL) ==
		fmt.Sprintf("%v %v %v %v %v %v", b.ID, b.Status, b.PlacedAt, b.ItemCount, b.Total, *b.ThumbnailURL)
}

func TestHomeSignedIn(t *testing.T) {
	e := newEnv(t, nil)
	u, user := userWithOrders(t, 3, "de-DE")
	r := e.do(req{
		query:          `{ home { locale viewer { id name tier locale } recentOrders { ` + cardFields + ` } } }`,
		token:          e.Token(user.ID),
		acceptLanguage: "en-GB",
	})
	r.NoErrors(t)
	var got struct {
		Home struct {
			Locale       string
			Viewer       struct{ ID, Name, Tier, Locale string }
			RecentOrders []orderCard
		}
	}
	r.Decode(t, &got)
	h := got.Home
	if h.Locale != "de-DE" || h.Viewer.ID != user.ID || h.Viewer.Name != user.Name || h.Viewer.Tier != string(user.Tier) {
		t.Errorf("home: %s", r.Data)
	}
	if len(h.RecentOrders) != 3 {
		t.Fatalf("recentOrders: %d, want the default 3", len(h.RecentOrders))
	}
	for i, c := range h.RecentOrders {
		if w := wantCard(t, data.Load().OrdersByUser[u-1][i], "de-DE"); c.ThumbnailURL == nil || !sameCard(c, w) {
			t.Errorf("card %d = %+v, want %+v", i, c, w)
		}
	}
	// One round trip to each backend: the user once (viewer and locale),
	// the orders page once, the three thumbnails' products in one batch.
	calls := e.Calls("accounts", "orders", "catalog", "pricing", "reviews", "inventory")
	want := map[string]int64{"accounts": 1, "orders": 1, "catalog": 1, "pricing": 0, "reviews": 0, "inventory": 0}
	if fmt.Sprint(calls) != fmt.Sprint(want) {
		t.Errorf("calls %v, want %v", calls, want)
	}
}

func TestHomeAnonymous(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(req{query: `{ home { locale viewer { name } recentOrders { id } } }`, acceptLanguage: "nl-BE, fr;q=0.5"})
	var got struct {
		Home struct {
			Locale       string
			Viewer       *struct{ Name string }
			RecentOrders []orderCard
		}
	}
	r.Decode(t, &got)
	if got.Home.Locale != "nl-NL" || got.Home.Viewer != nil || got.Home.RecentOrders != nil {
		t.Errorf("anonymous home: %s", r.Data)
	}
	for _, p := range []string{"home.viewer", "home.recentOrders"} {
		if c := r.ErrorAt(t, p).Extensions["code"]; c != "UNAUTHENTICATED" {
			t.Errorf("%s: code %v", p, c)
		}
	}
	if c := e.Mocks.Counters().Total("orders") + e.Mocks.Counters().Total("accounts"); c != 0 {
		t.Errorf("anonymous home called backends %d times", c)
	}
}

func TestOrdersAndOrder(t *testing.T) {
	e := newEnv(t, nil)
	u, user := userWithOrders(t, 5, "en-GB")
	tok := e.Token(user.ID, "orders:read")
	mine := data.Load().OrdersByUser[u-1]

	q := `query($first: Int!, $after: String) { orders(first: $first, after: $after) { nodes { ` + cardFields + ` } pageInfo { endCursor hasNextPage } } }`
	type page struct {
		Orders struct {
			Nodes    []orderCard
			PageInfo struct {
				EndCursor   string
				HasNextPage bool
			}
		}
	}
	r := e.do(req{query: q, vars: map[string]any{"first": 2}, token: tok})
	r.NoErrors(t)
	var p1 page
	r.Decode(t, &p1)
	if len(p1.Orders.Nodes) != 2 || !p1.Orders.PageInfo.HasNextPage {
		t.Fatalf("page 1: %s", r.Data)
	}
	r = e.do(req{query: q, vars: map[string]any{"first": 2, "after": p1.Orders.PageInfo.EndCursor}, token: tok})
	r.NoErrors(t)
	var p2 page
	r.Decode(t, &p2)
	all := append(p1.Orders.Nodes, p2.Orders.Nodes...)
	for i, c := range all {
		if w := wantCard(t, mine[i], "en-GB"); !sameCard(c, w) {
			t.Errorf("order %d = %+v, want %+v", i, c, w)
		}
	}

	// Limits are enforced before any backend call.
	before := e.Mocks.Counters().Total("orders")
	r = e.do(req{query: q, vars: map[string]any{"first": 21}, token: tok})
	if r.ErrorAt(t, "orders").Extensions["code"] != "BAD_USER_INPUT" || e.Mocks.Counters().Total("orders") != before {
		t.Errorf("first 21: %s", r.Raw)
	}

	// order(id): own order with orders:read.
	oq := `query($id: ID!) { order(id: $id) { ` + cardFields + ` } }`
	r = e.do(req{query: oq, vars: map[string]any{"id": data.OrderID(mine[0])}, token: tok})
	r.NoErrors(t)
	var one struct{ Order orderCard }
	r.Decode(t, &one)
	if w := wantCard(t, mine[0], "en-GB"); !sameCard(one.Order, w) {
		t.Errorf("order = %+v, want %+v", one.Order, w)
	}

	// Another user's order looks exactly like an unknown one.
	var other int
	for n := 1; n <= data.NumOrders; n++ {
		if data.Load().Order(n).UserID != user.ID {
			other = n
			break
		}
	}
	for _, id := range []string{data.OrderID(other), "ord_999999"} {
		r = e.do(req{query: oq, vars: map[string]any{"id": id}, token: tok})
		oe := r.ErrorAt(t, "order")
		if oe.Extensions["code"] != "NOT_FOUND" || oe.Extensions["service"] != "orders" || string(r.Data) != `{"order":null}` {
			t.Errorf("order %s: %s", id, r.Raw)
		}
	}

	// Without the scope: FORBIDDEN, and orders is never asked.
	before = e.Mocks.Counters().Total("orders")
	r = e.do(req{query: oq, vars: map[string]any{"id": data.OrderID(mine[0])}, token: e.Token(user.ID)})
	if r.ErrorAt(t, "order").Extensions["code"] != "FORBIDDEN" || e.Mocks.Counters().Total("orders") != before {
		t.Errorf("order without scope: %s", r.Raw)
	}
	// Anonymous: UNAUTHENTICATED.
	r = e.do(req{query: `{ orders { nodes { id } } }`})
	if r.ErrorAt(t, "orders").Extensions["code"] != "UNAUTHENTICATED" {
		t.Errorf("anonymous orders: %s", r.Raw)
	}
}

func TestMutations(t *testing.T) {
	e := newEnv(t, nil)
	_, user := userWithOrders(t, 1, "nl-NL")
	addr := data.Load().Addresses[mustUser(t, user.ID)-1][0].ID
	tok := e.Token(user.ID, "orders:read", "orders:write")
	products := []string{data.ProductID(7), data.ProductID(8)}

	add := `mutation($p: ID!, $q: Int!) { addToCart(productId: $p, quantity: $q) { cartItemCount } }`
	count := 0
	for i, p := range products {
		r := e.do(req{query: add, vars: map[string]any{"p": p, "q": i + 2}, token: tok})
		r.NoErrors(t)
		var got struct{ AddToCart struct{ CartItemCount int } }
		r.Decode(t, &got)
		count += i + 2
		if got.AddToCart.CartItemCount != count {
			t.Fatalf("cartItemCount %d, want %d", got.AddToCart.CartItemCount, count)
		}
	}
	for _, q := range []int{0, 100} {
		r := e.do(req{query: add, vars: map[string]any{"p": products[0], "q": q}, token: tok})
		if r.ErrorAt(t, "addToCart").Extensions["code"] != "BAD_USER_INPUT" {
			t.Errorf("quantity %d: %s", q, r.Raw)
		}
	}
	r := e.do(req{query: add, vars: map[string]any{"p": products[0], "q": 1}})
	if r.ErrorAt(t, "addToCart").Extensions["code"] != "UNAUTHENTICATED" {
		t.Errorf("anonymous addToCart: %s", r.Raw)
	}
	// An unknown product is refused by orders, reported without internals.
	r = e.do(req{query: add, vars: map[string]any{"p": "prd_999999", "q": 1}, token: tok})
	if ae := r.ErrorAt(t, "addToCart"); ae.Extensions["code"] != "BAD_REQUEST" || ae.Extensions["service"] != "orders" {
		t.Errorf("unknown product: %s", r.Raw)
	}
	e.assertNoInternals(r)

	place := `mutation($a: ID!, $k: String!) { placeOrder(shippingAddressId: $a, idempotencyKey: $k) { order { ` + cardFields + ` } } }`
	type placed struct {
		PlaceOrder struct{ Order orderCard }
	}
	// Without orders:write: FORBIDDEN, nothing placed.
	r = e.do(req{query: place, vars: map[string]any{"a": addr, "k": "k-1"}, token: e.Token(user.ID, "orders:read")})
	if r.ErrorAt(t, "placeOrder").Extensions["code"] != "FORBIDDEN" || e.Mocks.Counters().Get("orders", "POST /orders") != 0 {
		t.Errorf("placeOrder without scope: %s", r.Raw)
	}
	r = e.do(req{query: place, vars: map[string]any{"a": addr, "k": "bad key"}, token: tok})
	if r.ErrorAt(t, "placeOrder").Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("key with a space: %s", r.Raw)
	}

	key := "3f0c9a4e-2b1d-4c55-9e7a-1d2c3b4a5f60"
	r = e.do(req{query: place, vars: map[string]any{"a": addr, "k": key}, token: tok})
	r.NoErrors(t)
	var first placed
	r.Decode(t, &first)
	o := first.PlaceOrder.Order
	if o.Status != "PLACED" || o.ItemCount != count || o.ThumbnailURL == nil || o.Total == "" {
		t.Errorf("placed order: %s", r.Data)
	}
	// A retry with the same key answers the same order.
	r = e.do(req{query: place, vars: map[string]any{"a": addr, "k": key}, token: tok})
	r.NoErrors(t)
	var again placed
	r.Decode(t, &again)
	if again.PlaceOrder.Order.ID != o.ID {
		t.Errorf("retry placed %s, first %s", again.PlaceOrder.Order.ID, o.ID)
	}
	// The new order is the viewer's newest.
	r = e.do(req{query: `{ orders(first: 1) { nodes { id } } }`, token: tok})
	r.NoErrors(t)
	var newest struct {
		Orders struct{ Nodes []struct{ ID string } }
	}
	r.Decode(t, &newest)
	if len(newest.Orders.Nodes) != 1 || newest.Orders.Nodes[0].ID != o.ID {
		t.Errorf("newest order: %s", r.Data)
	}
	// Another user's address is refused by orders.
	foreign := data.Load().Addresses[0][0].ID
	if mustUser(t, user.ID) == 1 {
		foreign = data.Load().Addresses[1][0].ID
	}
	r = e.do(req{query: place, vars: map[string]any{"a": foreign, "k": "other-key"}, token: tok})
	if r.ErrorAt(t, "placeOrder").Extensions["code"] != "BAD_REQUEST" {
		t.Errorf("foreign address: %s", r.Raw)
	}
}

func mustUser(t *testing.T, id string) int {
	t.Helper()
	n, ok := data.ParseUserID(id)
	if !ok {
		t.Fatalf("bad user id %q", id)
	}
	return n
}
