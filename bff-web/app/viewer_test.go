package app_test

import (
	"strings"
	"testing"
)

const viewerQuery = `query($first: Int, $after: String) {
  viewer {
    id
    profile { id email name tier locale createdAt defaultAddress { id city } }
    addresses { id label line1 line2 city postalCode country }
    orders(first: $first, after: $after) {
      nodes { id status createdAt itemCount total { amountMinor currency formatted } }
      pageInfo { endCursor hasNextPage }
    }
    cart { itemCount updatedAt lines { quantity product { id name } } }
  }
}`

type viewerData struct {
	Viewer *struct {
		ID      string
		Profile *struct {
			ID, Email, Name, Tier, Locale string
			DefaultAddress                *struct{ ID, City string }
		}
		Addresses []struct{ ID, Label, City, Country string }
		Orders    *struct {
			Nodes []struct {
				ID, Status string
				ItemCount  int
				Total      struct {
					AmountMinor int
					Currency    string
					Formatted   string
				}
			}
			PageInfo struct {
				EndCursor   *string
				HasNextPage bool
			}
		}
		Cart *struct {
			ItemCount int
			Lines     []struct{ Quantity int }
		}
	}
}

func TestViewer(t *testing.T) {
	e := newEnv(t, nil)
	tok := e.Token("usr_000042")
	r := e.do(gql{query: viewerQuery, vars: map[string]any{"first": 3}, token: tok})
	r.NoErrors(t)
	var d viewerData
	r.Decode(t, &d)
	v := d.Viewer
	if v == nil || v.ID != "usr_000042" || v.Profile == nil || v.Profile.ID != "usr_000042" {
		t.Fatalf("viewer: %s", r.Raw)
	}
	if v.Profile.Tier != "STANDARD" && v.Profile.Tier != "PLUS" {
		t.Errorf("tier %q", v.Profile.Tier)
	}
	if len(v.Addresses) == 0 || v.Profile.DefaultAddress == nil {
		t.Fatalf("addresses: %s", r.Raw)
	}
	found := false
	for _, a := range v.Addresses {
		found = found || a.ID == v.Profile.DefaultAddress.ID
	}
	if !found {
		t.Errorf("default address %s is not among the addresses", v.Profile.DefaultAddress.ID)
	}
	if v.Orders == nil || len(v.Orders.Nodes) == 0 || len(v.Orders.Nodes) > 3 {
		t.Fatalf("orders: %s", r.Raw)
	}
	for _, o := range v.Orders.Nodes {
		if o.ItemCount < 1 || o.Total.AmountMinor <= 0 || o.Total.Formatted == "" || strings.ToUpper(o.Status) != o.Status {
			t.Errorf("order %+v", o)
		}
	}
	if v.Cart == nil || v.Cart.ItemCount != 0 {
		t.Errorf("a new cluster's cart should be empty: %s", r.Raw)
	}

	// Pagination: the next page continues without overlap.
	if !v.Orders.PageInfo.HasNextPage {
		t.Fatalf("usr_000042 should have more than 3 orders: %s", r.Raw)
	}
	r2 := e.do(gql{query: viewerQuery, vars: map[string]any{"first": 3, "after": *v.Orders.PageInfo.EndCursor}, token: tok})
	r2.NoErrors(t)
	var d2 viewerData
	r2.Decode(t, &d2)
	seen := map[string]bool{}
	for _, o := range v.Orders.Nodes {
		seen[o.ID] = true
	}
	for _, o := range d2.Viewer.Orders.Nodes {
		if seen[o.ID] {
			t.Errorf("order %s on both pages", o.ID)
		}
	}

	// The user's identity reached the backends.
	for _, req := range e.Mocks.Requests("orders") {
		if req.Subject != "usr_000042" {
			t.Errorf("orders saw subject %q", req.Subject)
		}
	}
}

func TestViewerNeedsAuthentication(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(gql{query: `{ viewer { id } categories { id } }`})
	if code, _ := r.ErrorAt(t, "viewer").Code(); code != "UNAUTHENTICATED" {
		t.Fatalf("code %q: %s", code, r.Raw)
	}
	var d struct {
		Viewer     any
		Categories []any
	}
	r.Decode(t, &d)
	if d.Viewer != nil || len(d.Categories) == 0 {
		t.Fatalf("viewer must be null and categories still answered: %s", r.Raw)
	}
	if n := e.Mocks.Counters().Total("accounts") + e.Mocks.Counters().Total("orders"); n != 0 {
		t.Fatalf("anonymous viewer reached the backends (%d calls)", n)
	}
}

func TestPageSizeIsValidated(t *testing.T) {
	e := newEnv(t, nil)
	for _, first := range []int{0, 101} {
		r := e.do(gql{query: `query($n: Int) { viewer { orders(first: $n) { nodes { id } } } products(first: $n) { nodes { id } } }`,
			vars: map[string]any{"n": first}, token: e.Token("usr_000042")})
		for _, path := range []string{"viewer.orders", "products"} {
			if code, _ := r.ErrorAt(t, path).Code(); code != "BAD_USER_INPUT" {
				t.Errorf("first=%d %s: code %q", first, path, code)
			}
		}
	}
	if n := e.Mocks.Counters().Total("orders") + e.Mocks.Counters().Total("catalog"); n != 0 {
		t.Fatalf("out-of-range pages reached the backends (%d calls)", n)
	}
}
