package e2e_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
)

// Both BFFs refuse the same mistake with the same BAD_USER_INPUT message at
// the field's path (shared/resolve), before any backend call: only the
// maxima their schemas document differ.
func TestBothBFFsRefuseBadInputAlike(t *testing.T) {
	surfaces := []struct {
		name       string
		env        *gatewaytest.Env
		maxPage    int
		page       string
		pageField  string
		addToCart  string
		placeOrder string
	}{
		{
			name: "bff-web", env: startWeb(t, nil), maxPage: 100,
			page:       `query($first: Int) { products(first: $first) { nodes { id } } }`,
			pageField:  "products",
			addToCart:  `mutation($q: Int!) { addToCart(productId: "prd_000001", quantity: $q) { itemCount } }`,
			placeOrder: `mutation($k: String!) { placeOrder(shippingAddressId: "adr_000001", idempotencyKey: $k) { id } }`,
		},
		{
			name: "bff-mobile", env: startMobile(t, nil), maxPage: 20,
			page:       `query($first: Int!) { search(query: "kettlebell", first: $first) { nodes { id } } }`,
			pageField:  "search",
			addToCart:  `mutation($q: Int!) { addToCart(productId: "prd_000001", quantity: $q) { cartItemCount } }`,
			placeOrder: `mutation($k: String!) { placeOrder(shippingAddressId: "adr_000001", idempotencyKey: $k) { order { id } } }`,
		},
	}
	for _, s := range surfaces {
		t.Run(s.name, func(t *testing.T) {
			e := s.env
			token := e.Token("usr_000042", "orders:read", "orders:write")
			refused := func(t *testing.T, query string, vars map[string]any, field, want string) {
				t.Helper()
				before := e.TotalCalls()
				r := e.Do(gatewaytest.Request{Query: query, Vars: vars, Token: token})
				if len(r.Errors) != 1 {
					t.Fatalf("want one error, got %s", r.Raw)
				}
				got := r.Errors[0]
				if code, _ := got.Code(); code != "BAD_USER_INPUT" || got.Message != want {
					t.Errorf("error %q (%s), want %q (BAD_USER_INPUT): %s", got.Message, code, want, r.Raw)
				}
				if len(got.Path) != 1 || got.Path[0] != field {
					t.Errorf("path %v, want [%s]", got.Path, field)
				}
				if after := e.TotalCalls(); after != before {
					t.Errorf("refused input cost %d backend calls", after-before)
				}
			}
			pageRule := fmt.Sprintf("first must be between 1 and %d", s.maxPage)
			for _, first := range []int{0, -1, s.maxPage + 1} {
				refused(t, s.page, map[string]any{"first": first}, s.pageField, pageRule)
			}
			for _, q := range []int{0, 100} {
				refused(t, s.addToCart, map[string]any{"q": q}, "addToCart", "quantity must be between 1 and 99")
			}
			keyRule := "idempotencyKey must be 1 to 128 visible ASCII characters"
			for _, k := range []string{"", strings.Repeat("k", 129), " padded-key ", "new\nline"} {
				refused(t, s.placeOrder, map[string]any{"k": k}, "placeOrder", keyRule)
			}
		})
	}
}
