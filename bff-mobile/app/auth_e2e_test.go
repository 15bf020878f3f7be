package app_test

// End-to-end tests of authentication through bff-mobile's real handler: the
// directives on the real schema, the 401 for a bad token, identity
// propagation to REST and gRPC backends, token forwarding, and a key
// rotation at the identity provider. The verifier's full attack table lives
// in shared/auth; these tests prove the BFF's wiring of it.

import (
	"net/http"
	"testing"
	"time"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
)

// orderOf returns the id of one of user's (number u) seeded orders.
func orderOf(t *testing.T, u int) string {
	t.Helper()
	d := data.Load()
	if len(d.OrdersByUser[u-1]) == 0 {
		t.Fatalf("user %d has no orders", u)
	}
	return d.Order(d.OrdersByUser[u-1][0]).ID
}

// TestAuthDirectivesPartialData asks, in one query, for a field that needs
// scopes (order, here through its orders:read set; TestAuthScopeAlternatives
// covers the other set), one that needs only a principal (home.viewer) and
// public ones (home.locale, product), with tokens of different scopes. A
// protected field the caller may not see is null with its own error and is
// never resolved (no backend call); everything else in the response stands.
func TestAuthDirectivesPartialData(t *testing.T) {
	e := newEnv(t, nil)
	const user = "usr_000042"
	orderID := orderOf(t, 42)
	const query = `query($id: ID!) { order(id: $id) { id } home { locale viewer { id } } product(id: "prd_000042") { name } }`

	cases := []struct {
		name   string
		scopes []string
		anon   bool
		order  errcode.Code // "" when the order must be answered, else its error code
		viewer errcode.Code
	}{
		{name: "anonymous", anon: true, order: "UNAUTHENTICATED", viewer: "UNAUTHENTICATED"},
		{name: "no scopes", order: "FORBIDDEN"},
		{name: "wrong scope", scopes: []string{"orders:write"}, order: "FORBIDDEN"},
		{name: "similar scope name", scopes: []string{"orders:read:all", "orders"}, order: "FORBIDDEN"},
		{name: "right scope", scopes: []string{"orders:read"}},
		{name: "right scope among others", scopes: []string{"cart:write", "orders:read", "orders:write"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tok string
			if !c.anon {
				tok = e.Token(user, c.scopes...)
			}
			e.Mocks.Counters().Reset()
			r := e.do(req{query: query, vars: map[string]any{"id": orderID}, token: tok})
			if r.Status != http.StatusOK {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			var d struct {
				Order *struct{ ID string }
				Home  struct {
					Locale string
					Viewer *struct{ ID string }
				}
				Product *struct{ Name string }
			}
			r.Decode(t, &d)
			if d.Home.Locale == "" || d.Product == nil || d.Product.Name == "" {
				t.Fatalf("public fields missing: %s", r.Raw)
			}
			wantErrs := 0
			if c.order != "" {
				wantErrs++
				r.WantCode(t, "order", c.order)
				if d.Order != nil {
					t.Fatalf("order must be null: %s", r.Raw)
				}
				if n := e.Mocks.Counters().Total("orders"); n != 0 {
					t.Fatalf("a refused order field called the orders backend %d times", n)
				}
			} else if d.Order == nil || d.Order.ID != orderID {
				t.Fatalf("order %s not answered: %s", orderID, r.Raw)
			}
			if c.viewer != "" {
				wantErrs++
				r.WantCode(t, "home.viewer", c.viewer)
				if d.Home.Viewer != nil {
					t.Fatalf("viewer must be null: %s", r.Raw)
				}
			} else if d.Home.Viewer == nil || d.Home.Viewer.ID != user {
				t.Fatalf("viewer not answered: %s", r.Raw)
			}
			if len(r.Errors) != wantErrs {
				t.Fatalf("%d errors, want %d: %s", len(r.Errors), wantErrs, r.Raw)
			}
			e.assertNoInternals(r)
		})
	}
}

// TestAuthDirectivesMutationPartial runs two mutations in one operation:
// addToCart (@authenticated) and placeOrder (orders:write). With only
// orders:read the cart changes and placeOrder is FORBIDDEN without reaching
// POST /orders; with orders:write both run.
func TestAuthDirectivesMutationPartial(t *testing.T) {
	e := newEnv(t, nil)
	const user = "usr_000042"
	addr := data.Load().Addresses[41][0].ID
	const m = `mutation($p: ID!, $a: ID!, $k: String!) {
  addToCart(productId: $p, quantity: 1) { cartItemCount }
  placeOrder(shippingAddressId: $a, idempotencyKey: $k) { order { id status } }
}`
	vars := map[string]any{"p": "prd_000042", "a": addr, "k": "auth-e2e-1"}

	r := e.do(req{query: m, vars: vars, token: e.Token(user, "orders:read")})
	r.WantCode(t, "placeOrder", "FORBIDDEN")
	var d struct {
		AddToCart  *struct{ CartItemCount int }
		PlaceOrder *struct{ Order struct{ ID, Status string } }
	}
	r.Decode(t, &d)
	if d.AddToCart == nil || d.AddToCart.CartItemCount != 1 || d.PlaceOrder != nil || len(r.Errors) != 1 {
		t.Fatalf("want the cart changed and placeOrder refused: %s", r.Raw)
	}
	if n := e.Mocks.Counters().Get("orders", "POST /orders"); n != 0 {
		t.Fatalf("a refused placeOrder reached POST /orders %d times", n)
	}

	r = e.do(req{query: m, vars: vars, token: e.Token(user, "orders:write")})
	r.NoErrors(t)
	r.Decode(t, &d)
	if d.AddToCart == nil || d.PlaceOrder == nil || d.PlaceOrder.Order.Status != "PLACED" {
		t.Fatalf("want both mutations done: %s", r.Raw)
	}
	if n := e.Mocks.Counters().Get("orders", "POST /orders"); n != 1 {
		t.Fatalf("POST /orders called %d times, want 1", n)
	}
}

// TestAuthScopeAlternatives checks, through the real app, the OR-of-AND rule
// the mobile schema declares on order(id): [["orders:read"],
// ["support:read", "orders:read:any"]]. Either set admits the caller; a set
// held only in part, or scopes taken from both sets without completing one,
// is FORBIDDEN. A refused order is null with one error, never reaches the
// orders backend, and leaves the public sibling fields in place. The
// support set passes only the scope check: another user's order stays
// NOT_FOUND.
func TestAuthScopeAlternatives(t *testing.T) {
	e := newEnv(t, nil)
	const user = "usr_000042"
	orderID := orderOf(t, 42)
	otherOrder := orderOf(t, 7)
	const query = `query($id: ID!) { order(id: $id) { id } home { locale } product(id: "prd_000042") { name } }`

	cases := []struct {
		name   string
		scopes []string
		anon   bool
		order  string       // the order asked for; orderID when empty
		code   errcode.Code // "" when the order must be answered
	}{
		{name: "anonymous", anon: true, code: "UNAUTHENTICATED"},
		{name: "app set", scopes: []string{"orders:read"}},
		{name: "support set", scopes: []string{"support:read", "orders:read:any"}},
		{name: "support set among others", scopes: []string{"orders:read:any", "cart:write", "support:read"}},
		{name: "both sets", scopes: []string{"orders:read", "support:read", "orders:read:any"}},
		{name: "support set without orders:read:any", scopes: []string{"support:read"}, code: "FORBIDDEN"},
		{name: "support set without support:read", scopes: []string{"orders:read:any"}, code: "FORBIDDEN"},
		{name: "split across sets", scopes: []string{"support:read", "orders:write"}, code: "FORBIDDEN"},
		{name: "near miss of each set", scopes: []string{"orders:read:all", "support:read", "orders:read:anyone"}, code: "FORBIDDEN"},
		{name: "support set, another user's order", scopes: []string{"support:read", "orders:read:any"}, order: otherOrder, code: "NOT_FOUND"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var tok string
			if !c.anon {
				tok = e.Token(user, c.scopes...)
			}
			id := orderID
			if c.order != "" {
				id = c.order
			}
			e.Mocks.Counters().Reset()
			r := e.do(req{query: query, vars: map[string]any{"id": id}, token: tok})
			if r.Status != http.StatusOK {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
			var d struct {
				Order   *struct{ ID string }
				Home    struct{ Locale string }
				Product *struct{ Name string }
			}
			r.Decode(t, &d)
			if d.Home.Locale == "" || d.Product == nil || d.Product.Name == "" {
				t.Fatalf("public fields missing: %s", r.Raw)
			}
			calls := e.Mocks.Counters().Total("orders")
			if c.code == "" {
				r.NoErrors(t)
				if d.Order == nil || d.Order.ID != orderID {
					t.Fatalf("order %s not answered: %s", orderID, r.Raw)
				}
				if calls == 0 {
					t.Fatal("an answered order did not call the orders backend")
				}
				return
			}
			r.WantCode(t, "order", c.code)
			if d.Order != nil || len(r.Errors) != 1 {
				t.Fatalf("order must be null with one error: %s", r.Raw)
			}
			if c.code == "NOT_FOUND" {
				// Admitted by the scope check, refused by ownership: the
				// resolver had to load the order to know whose it is.
				if calls == 0 {
					t.Fatal("the ownership check did not load the order")
				}
			} else if calls != 0 {
				t.Fatalf("a refused order field called the orders backend %d times", calls)
			}
			e.assertNoInternals(r)
		})
	}
}

// TestInvalidTokenRejectsRequest sends a query that anonymous callers may
// partly run (home.locale, a product with price and stock) with a present
// but invalid credential. The whole request is refused with 401,
// WWW-Authenticate: Bearer error="invalid_token" and a GraphQL error body,
// and no backend is called; the anonymous control proves the query would
// have reached the backends.
func TestInvalidTokenRejectsRequest(t *testing.T) {
	const query = `{ home { locale viewer { id } } product(id: "prd_000042") { name price inStock } }`
	gatewaytest.CheckInvalidTokenRejects(t, newEnv(t, nil).Env, query)
}

// TestIdentityPropagation checks what the REST (accounts, orders, catalog)
// and gRPC (pricing, inventory) backends see: the verified subject, scopes
// and client id, never the identity headers the client sent itself, and no
// Authorization header (no source forwards the token by default).
func TestIdentityPropagation(t *testing.T) {
	e := newEnv(t, nil)
	spoof := http.Header{
		"X-Tandem-Subject":   {"usr_999999"},
		"X-Tandem-Scopes":    {"admin orders:write"},
		"X-Tandem-Client-Id": {"evil-client"},
	}
	const product = `product(id: "prd_000042") { name price inStock }`

	t.Run("signed in", func(t *testing.T) {
		e.Mocks.ResetRequests()
		tok, err := e.IdP.Mint("usr_000042", []string{"orders:read", "cart:write"}, time.Hour, map[string]any{"azp": "mobile-app"})
		if err != nil {
			t.Fatal(err)
		}
		hdr := spoof.Clone()
		hdr.Set("Authorization", "Bearer "+tok)
		r := e.Do(gatewaytest.Request{Query: `{ home { viewer { id } recentOrders(first: 1) { id } } ` + product + ` }`, Header: hdr})
		r.NoErrors(t)
		for _, svc := range []string{"accounts", "orders", "catalog", "pricing", "inventory"} {
			reqs := e.Mocks.Requests(svc)
			if len(reqs) == 0 {
				t.Fatalf("%s was not called", svc)
			}
			for _, rec := range reqs {
				if rec.Subject != "usr_000042" || rec.Scopes != "orders:read cart:write" || rec.ClientID != "mobile-app" {
					t.Errorf("%s %s saw subject %q scopes %q client %q", svc, rec.Target, rec.Subject, rec.Scopes, rec.ClientID)
				}
				if rec.HasAuthorization {
					t.Errorf("%s %s received the caller's token without forwardToken", svc, rec.Target)
				}
			}
		}
	})

	t.Run("anonymous", func(t *testing.T) {
		e.Mocks.ResetRequests()
		r := e.Do(gatewaytest.Request{Query: `{ home { locale } ` + product + ` }`, Header: spoof})
		r.NoErrors(t)
		for _, svc := range []string{"catalog", "pricing", "inventory"} {
			reqs := e.Mocks.Requests(svc)
			if len(reqs) == 0 {
				t.Fatalf("%s was not called", svc)
			}
			for _, rec := range reqs {
				if rec.Subject != "" || rec.Scopes != "" || rec.ClientID != "" || rec.HasAuthorization {
					t.Errorf("%s %s saw identity %q/%q/%q (authorization %v) on an anonymous request",
						svc, rec.Target, rec.Subject, rec.Scopes, rec.ClientID, rec.HasAuthorization)
				}
			}
		}
	})
}

// TestForwardTokenOnlyWhereConfigured configures forwardToken on accounts
// and catalog only: those receive the caller's verified bearer token, every
// other source (REST orders, gRPC pricing and inventory) does not, and an
// anonymous request forwards nothing.
func TestForwardTokenOnlyWhereConfigured(t *testing.T) {
	e := newEnv(t, func(c *app.Config) {
		for _, id := range []string{"accounts", "catalog"} {
			u := c.Upstreams[id]
			u.ForwardToken = true
			c.Upstreams[id] = u
		}
	})
	const query = `{ home { viewer { id } recentOrders(first: 1) { id } } product(id: "prd_000042") { name price inStock } }`
	tok := e.Token("usr_000042", "orders:read")
	r := e.do(req{query: query, token: tok})
	r.NoErrors(t)
	for svc, want := range map[string]bool{"accounts": true, "catalog": true, "orders": false, "pricing": false, "inventory": false} {
		reqs := e.Mocks.Requests(svc)
		if len(reqs) == 0 {
			t.Fatalf("%s was not called", svc)
		}
		for _, rec := range reqs {
			if want && rec.Authorization != "Bearer "+tok {
				t.Errorf("%s %s: forwardToken source did not receive the caller's token (has %v)", svc, rec.Target, rec.HasAuthorization)
			}
			if !want && rec.HasAuthorization {
				t.Errorf("%s %s received a token without forwardToken", svc, rec.Target)
			}
			if rec.Subject != "usr_000042" {
				t.Errorf("%s %s saw subject %q", svc, rec.Target, rec.Subject)
			}
		}
	}

	e.Mocks.ResetRequests()
	r = e.do(req{query: `{ product(id: "prd_000042") { name } }`})
	r.NoErrors(t)
	reqs := e.Mocks.Requests("catalog")
	if len(reqs) == 0 {
		t.Fatal("catalog was not called")
	}
	for _, rec := range reqs {
		if rec.HasAuthorization {
			t.Errorf("anonymous request forwarded an Authorization header to catalog %s", rec.Target)
		}
	}
}

// TestKeyRotationWithoutRestart rotates the identity provider's signing key
// while bff-mobile runs. A token signed with the new key names a key id the
// verifier has not seen: it refetches the JWKS once and accepts the token,
// with no restart. Tokens signed with the retired key keep working during
// the overlap, before and after that refetch.
func TestKeyRotationWithoutRestart(t *testing.T) {
	gatewaytest.CheckKeyRotation(t, startEnv, `{ home { viewer { id } } }`, "home.viewer.id")
}
