package app_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/shared/errcode"
)

const orderQuery = `query($id: ID!) {
  order(id: $id) {
    id status createdAt itemCount
    total { amountMinor currency }
    shippingAddress { id city }
    lines {
      sku quantity
      unitPrice { amountMinor currency }
      lineTotal { amountMinor currency }
      product { id name sku }
    }
  }
}`

type orderData struct {
	Order *struct {
		ID, Status string
		ItemCount  int
		Total      struct {
			AmountMinor int64
			Currency    string
		}
		ShippingAddress *struct{ ID string }
		Lines           []struct {
			SKU       string
			Quantity  int
			UnitPrice struct{ AmountMinor int64 }
			LineTotal struct{ AmountMinor int64 }
			Product   *struct{ ID, Name, SKU string }
		}
	}
}

// firstOrderOf returns the id of a user's newest order, asked of the orders
// service directly.
func (e *env) firstOrderOf(user string) string {
	e.T.Helper()
	var page struct{ Items []struct{ ID string } }
	e.BackendJSON("orders", "/orders", url.Values{"userId": {user}, "limit": {"1"}}, &page)
	if len(page.Items) == 0 {
		e.T.Fatalf("%s has no orders", user)
	}
	return page.Items[0].ID
}

func TestOrderDetail(t *testing.T) {
	e := newEnv(t, nil)
	id := e.firstOrderOf("usr_000042")
	r := e.do(gql{query: orderQuery, vars: map[string]any{"id": id}, token: e.Token("usr_000042", "orders:read")})
	r.NoErrors(t)
	var d orderData
	r.Decode(t, &d)
	o := d.Order
	if o == nil || o.ID != id || o.ShippingAddress == nil || len(o.Lines) == 0 {
		t.Fatalf("order: %s", r.Raw)
	}
	var sum int64
	items := 0
	for _, l := range o.Lines {
		if l.LineTotal.AmountMinor != l.UnitPrice.AmountMinor*int64(l.Quantity) {
			t.Errorf("line %s: lineTotal %d != %d x %d", l.SKU, l.LineTotal.AmountMinor, l.UnitPrice.AmountMinor, l.Quantity)
		}
		if l.Product == nil || l.Product.SKU != l.SKU || l.Product.Name == "" {
			t.Errorf("line %s: product %+v", l.SKU, l.Product)
		}
		sum += l.LineTotal.AmountMinor
		items += l.Quantity
	}
	if sum != o.Total.AmountMinor || items != o.ItemCount {
		t.Errorf("lines sum to %d (%d items), order says %d (%d items)", sum, items, o.Total.AmountMinor, o.ItemCount)
	}
}

func TestOrderAccess(t *testing.T) {
	e := newEnv(t, nil)
	other := e.firstOrderOf("usr_000043")
	cases := []struct {
		name  string
		token string
		id    string
		code  errcode.Code
	}{
		{"anonymous", "", other, "UNAUTHENTICATED"},
		{"without orders:read", e.Token("usr_000042"), e.firstOrderOf("usr_000042"), "FORBIDDEN"},
		{"another user's order", e.Token("usr_000042", "orders:read"), other, "NOT_FOUND"},
		{"unknown order", e.Token("usr_000042", "orders:read"), "ord_999999", "NOT_FOUND"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(gql{query: orderQuery, vars: map[string]any{"id": c.id}, token: c.token})
			if code, _ := r.ErrorAt(t, "order").Code(); code != c.code {
				t.Fatalf("code %q, want %q: %s", code, c.code, r.Raw)
			}
			var d orderData
			r.Decode(t, &d)
			if d.Order != nil {
				t.Fatalf("order must be null: %s", r.Raw)
			}
			e.assertNoInternals(r)
		})
	}
}

const addToCart = `mutation($p: ID!, $q: Int!) {
  addToCart(productId: $p, quantity: $q) { itemCount lines { quantity product { id price { current { amountMinor } } } } }
}`

const placeOrder = `mutation($a: ID!, $k: String!) {
  placeOrder(shippingAddressId: $a, idempotencyKey: $k) {
    id status itemCount total { amountMinor } shippingAddress { id } lines { quantity product { id } }
  }
}`

func TestAddToCartAndPlaceOrder(t *testing.T) {
	e := newEnv(t, nil)
	const user = "usr_000002" // has several addresses, for the conflict case
	tok := e.Token(user, "orders:read", "orders:write")

	// Add two products, one of them twice.
	for _, add := range []struct {
		id  string
		qty int
	}{{"prd_000042", 1}, {"prd_000043", 2}, {"prd_000042", 1}} {
		r := e.do(gql{query: addToCart, vars: map[string]any{"p": add.id, "q": add.qty}, token: tok})
		r.NoErrors(t)
	}
	r := e.do(gql{query: `{ viewer { cart { itemCount lines { quantity product { id } } } } }`, token: tok})
	r.NoErrors(t)
	var cart struct {
		Viewer struct {
			Cart struct {
				ItemCount int
				Lines     []struct {
					Quantity int
					Product  struct{ ID string }
				}
			}
		}
	}
	r.Decode(t, &cart)
	if cart.Viewer.Cart.ItemCount != 4 {
		t.Fatalf("cart: %s", r.Raw)
	}

	var addrs struct{ Items []struct{ ID string } }
	e.BackendJSON("accounts", "/users/"+user+"/addresses", nil, &addrs)
	if len(addrs.Items) < 2 {
		t.Fatalf("%s needs two addresses for the conflict case, has %d", user, len(addrs.Items))
	}
	addr := addrs.Items[0].ID

	place := func(key, address string) response {
		return e.do(gql{query: placeOrder, vars: map[string]any{"a": address, "k": key}, token: tok})
	}
	first := place("checkout-1", addr)
	first.NoErrors(t)
	var placed struct {
		PlaceOrder struct {
			ID, Status      string
			ItemCount       int
			ShippingAddress struct{ ID string }
		}
	}
	first.Decode(t, &placed)
	if placed.PlaceOrder.Status != "PLACED" || placed.PlaceOrder.ItemCount != 4 || placed.PlaceOrder.ShippingAddress.ID != addr {
		t.Fatalf("placed: %s", first.Raw)
	}

	// A retry with the same key answers the same order and creates none.
	retry := place("checkout-1", addr)
	retry.NoErrors(t)
	var again struct{ PlaceOrder struct{ ID string } }
	retry.Decode(t, &again)
	if again.PlaceOrder.ID != placed.PlaceOrder.ID {
		t.Fatalf("retry placed %s, first %s", again.PlaceOrder.ID, placed.PlaceOrder.ID)
	}
	if n := e.firstOrderOf(user); n != placed.PlaceOrder.ID {
		t.Fatalf("newest order is %s, want %s", n, placed.PlaceOrder.ID)
	}

	// The same key with different input is a conflict.
	c := place("checkout-1", addrs.Items[1].ID)
	if code, service := c.ErrorAt(t, "placeOrder").Code(); code != "CONFLICT" || service != "orders" {
		t.Fatalf("code %q service %q: %s", code, service, c.Raw)
	}
	// The cart is empty now: a new key is refused by the backend.
	empty := place("checkout-2", addr)
	if code, _ := empty.ErrorAt(t, "placeOrder").Code(); code != "BAD_REQUEST" {
		t.Fatalf("empty cart: %s", empty.Raw)
	}
	e.assertNoInternals(empty)
	// The placed order is readable as order detail.
	d := e.do(gql{query: orderQuery, vars: map[string]any{"id": placed.PlaceOrder.ID}, token: tok})
	d.NoErrors(t)
}

func TestMutationInputAndScopes(t *testing.T) {
	e := newEnv(t, nil)
	readOnly := e.Token("usr_000042", "orders:read")
	cases := []struct {
		name, query string
		vars        map[string]any
		token, path string
		code        errcode.Code
	}{
		{"addToCart anonymous", addToCart, map[string]any{"p": "prd_000042", "q": 1}, "", "addToCart", "UNAUTHENTICATED"},
		{"addToCart quantity 0", addToCart, map[string]any{"p": "prd_000042", "q": 0}, readOnly, "addToCart", "BAD_USER_INPUT"},
		{"addToCart quantity 100", addToCart, map[string]any{"p": "prd_000042", "q": 100}, readOnly, "addToCart", "BAD_USER_INPUT"},
		{"addToCart unknown product", addToCart, map[string]any{"p": "prd_999999", "q": 1}, readOnly, "addToCart", "BAD_REQUEST"},
		{"placeOrder anonymous", placeOrder, map[string]any{"a": "adr_000042_1", "k": "k"}, "", "placeOrder", "UNAUTHENTICATED"},
		{"placeOrder without orders:write", placeOrder, map[string]any{"a": "adr_000042_1", "k": "k"}, readOnly, "placeOrder", "FORBIDDEN"},
		{"placeOrder blank key", placeOrder, map[string]any{"a": "adr_000042_1", "k": "  "}, e.Token("usr_000042", "orders:write"), "placeOrder", "BAD_USER_INPUT"},
		{"placeOrder someone else's address", placeOrder, map[string]any{"a": "adr_000043_1", "k": "k"}, e.Token("usr_000042", "orders:write"), "placeOrder", "BAD_REQUEST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(gql{query: c.query, vars: c.vars, token: c.token})
			if code, _ := r.ErrorAt(t, c.path).Code(); code != c.code {
				t.Fatalf("code %q, want %q: %s", code, c.code, r.Raw)
			}
			e.assertNoInternals(r)
		})
	}
}

// An order line's product is read as a summary unless the query asks for
// what a summary lacks, directly or through a fragment: then it is whole.
func TestOrderLineProductView(t *testing.T) {
	e := newEnv(t, nil)
	id := e.firstOrderOf("usr_000042")
	token := e.Token("usr_000042", "orders:read")
	for _, c := range []struct {
		name, selection, view string
	}{
		{"summary", "id name", "basic"},
		{"description", "id name description", ""},
		{"images in a fragment", "id name ...Pictures", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			e.Mocks.ResetRequests()
			query := `query($id: ID!) { order(id: $id) { lines { product { ` + c.selection + ` } } } }
fragment Pictures on Product { images { url } }`
			if !strings.Contains(c.selection, "...") {
				query = strings.SplitN(query, "\n", 2)[0]
			}
			r := e.do(gql{query: query, vars: map[string]any{"id": id}, token: token})
			r.NoErrors(t)
			var d struct {
				Order struct {
					Lines []struct {
						Product struct {
							ID, Name, Description string
							Images                []struct{ URL string }
						}
					}
				}
			}
			r.Decode(t, &d)
			if len(d.Order.Lines) == 0 {
				t.Fatalf("no lines: %s", r.Raw)
			}
			for _, l := range d.Order.Lines {
				p := l.Product
				if p.ID == "" || p.Name == "" {
					t.Errorf("product %+v", p)
				}
				if strings.Contains(c.selection, "description") && p.Description == "" {
					t.Errorf("%s has no description though the query asks for it", p.ID)
				}
				if strings.Contains(c.selection, "Pictures") && len(p.Images) == 0 {
					t.Errorf("%s has no images though the query asks for them", p.ID)
				}
			}
			calls := 0
			for _, req := range e.Mocks.Requests("catalog") {
				u, err := url.Parse(req.Target)
				if err != nil {
					t.Fatal(err)
				}
				if req.Route == "GET /products" && u.Query().Has("ids") {
					calls++
					if v := u.Query().Get("view"); v != c.view {
						t.Errorf("catalog asked for view %q, want %q: %s", v, c.view, req.Target)
					}
				}
			}
			if calls != 1 {
				t.Errorf("%d catalog batches, want 1", calls)
			}
		})
	}
}
