package app_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/errcode"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
)

const relatedRoute = "GET /products/{productId}/related"

// relatedIDs asks the recommendations mock directly (test set-up) for the
// related list of product id.
func (e *env) relatedIDs(id string, limit string) []string {
	e.T.Helper()
	var list struct{ Items []struct{ ProductID string } }
	e.BackendJSON("recommendations", "/products/"+id+"/related", url.Values{"limit": {limit}}, &list)
	ids := make([]string, len(list.Items))
	for i, it := range list.Items {
		ids[i] = it.ProductID
	}
	return ids
}

// catalogBatches returns the id lists of the catalog batch calls
// (GET /products?ids=) the mocks received.
func (e *env) catalogBatches() [][]string {
	e.T.Helper()
	var out [][]string
	for _, req := range e.Mocks.Requests("catalog") {
		u, err := url.Parse(req.Target)
		if err != nil {
			e.T.Fatal(err)
		}
		if req.Route == "GET /products" && u.Query().Has("ids") {
			out = append(out, strings.Split(u.Query().Get("ids"), ","))
		}
	}
	return out
}

type relatedProduct struct {
	ID       string
	Name     string
	Brand    string
	SKU      string
	Category *struct{ ID string }
	Images   []struct{ URL string }
	Price    *struct {
		Current struct {
			AmountMinor int
			Formatted   string
		}
	}
}

const relatedQuery = `query($id: ID!, $first: Int) {
  product(id: $id) {
    id
    name
    related(first: $first) {
      id sku name brand
      category { id }
      images { url }
      price { current { amountMinor formatted } }
    }
  }
}`

// The product page's related products are the service's list, in its
// order, with every product field filled through the existing resolvers:
// one recommendations call and one catalog batch for all of them.
func TestRelatedProducts(t *testing.T) {
	e := newEnv(t, nil)
	const id = "prd_000042"
	want := e.relatedIDs(id, "4") // the default of first
	e.Mocks.Counters().Reset()
	e.Mocks.ResetRequests()

	r := e.do(gql{query: relatedQuery, vars: map[string]any{"id": id}})
	r.NoErrors(t)
	var d struct {
		Product struct {
			ID      string
			Related []relatedProduct
		}
	}
	r.Decode(t, &d)
	var got []string
	for _, p := range d.Product.Related {
		got = append(got, p.ID)
		if p.Name == "" || p.Brand == "" || !strings.HasPrefix(p.SKU, "SKU-") || p.Category == nil || len(p.Images) == 0 {
			t.Fatalf("related product %s is incomplete: %s", p.ID, r.Raw)
		}
		if p.Price == nil || p.Price.Current.AmountMinor <= 0 || p.Price.Current.Formatted == "" {
			t.Fatalf("related product %s has no price: %s", p.ID, r.Raw)
		}
	}
	if len(want) != 4 || !slices.Equal(got, want) {
		t.Fatalf("related = %v, want the service's list %v", got, want)
	}

	c := e.Mocks.Counters()
	if n := c.Total("recommendations"); n != 1 || c.Get("recommendations", relatedRoute) != 1 {
		t.Errorf("recommendations: %d calls, want 1 related call: %v", n, c.Snapshot()["recommendations"])
	}
	// One batch for the page's product, one for all its related products.
	batches := e.catalogBatches()
	if len(batches) != 2 || c.Total("catalog") != 3 { // + one categories batch
		t.Fatalf("catalog: batches %v, %d calls in total: %v", batches, c.Total("catalog"), c.Snapshot()["catalog"])
	}
	if got := slices.Sorted(slices.Values(batches[1])); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
		t.Errorf("the related products' batch carried %v, want %v", got, want)
	}
	if n := c.Get("pricing", pricingv1.PricingService_BatchGetPrices_FullMethodName); n != 1 || c.Total("pricing") != 1 {
		t.Errorf("pricing: %d batch calls (%d in total), want 1", n, c.Total("pricing"))
	}

	// first picks the length; the service's order is kept.
	r = e.do(gql{query: relatedQuery, vars: map[string]any{"id": id, "first": 7}})
	r.NoErrors(t)
	r.Decode(t, &d)
	got = got[:0]
	for _, p := range d.Product.Related {
		got = append(got, p.ID)
	}
	if want := e.relatedIDs(id, "7"); !slices.Equal(got, want) {
		t.Fatalf("related(first: 7) = %v, want %v", got, want)
	}
}

// A listing whose products each show related products costs one
// recommendations call per product, issued together in one loader batch
// (a barrier answers only when all three have arrived, so calls made one
// after another would run into the deadline), and one catalog batch for the
// related products of all of them.
func TestRelatedProductsOfAListingBatch(t *testing.T) {
	e := newEnv(t, nil)
	const q = `{ products(first: 3) { nodes { id related(first: 2) { id name } } } }`
	e.Mocks.Counters().Reset()
	e.Mocks.ResetRequests()
	e.Mocks.Faults().Set("recommendations", relatedRoute, mocks.Fault{Kind: mocks.FaultBarrier, Size: 3})

	r := e.do(gql{query: q})
	r.NoErrors(t)
	var d struct {
		Products struct {
			Nodes []struct {
				ID      string
				Related []struct{ ID, Name string }
			}
		}
	}
	r.Decode(t, &d)
	if len(d.Products.Nodes) != 3 {
		t.Fatalf("want 3 products: %s", r.Raw)
	}
	e.Mocks.Faults().Clear()
	var union []string
	for _, n := range d.Products.Nodes {
		want := e.relatedIDs(n.ID, "2")
		var got []string
		for _, p := range n.Related {
			if p.Name == "" {
				t.Fatalf("related product %s has no name: %s", p.ID, r.Raw)
			}
			got = append(got, p.ID)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: related %v, want %v", n.ID, got, want)
		}
		for _, id := range want {
			if !slices.Contains(union, id) {
				union = append(union, id)
			}
		}
	}

	c := e.Mocks.Counters()
	if n := c.Get("recommendations", relatedRoute); n != 3+3 { // + the three set-up calls of relatedIDs
		t.Errorf("related calls: %d, want one per product", n-3)
	}
	batches := e.catalogBatches()
	if len(batches) != 1 {
		t.Fatalf("catalog batches %v, want one for every related product", batches)
	}
	got := slices.Clone(batches[0])
	slices.Sort(got)
	slices.Sort(union)
	if !slices.Equal(got, union) {
		t.Errorf("the batch carried %v, want %v", got, union)
	}
}

// When recommendations fails, only related is null, with an error naming
// the code and the service; the rest of the product page stands.
func TestRelatedProductsPartialResults(t *testing.T) {
	cases := []struct {
		name  string
		fault mocks.Fault
		code  errcode.Code
	}{
		{"unavailable", mocks.Fault{Kind: mocks.FaultError, Status: 503}, "UPSTREAM_UNAVAILABLE"},
		{"malformed", mocks.Fault{Kind: mocks.FaultMalformed}, "UPSTREAM_ERROR"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, noRetries)
			e.Mocks.Faults().Set("recommendations", relatedRoute, tc.fault)
			r := e.do(gql{query: `query($id: ID!) { product(id: $id) { id name price { current { amountMinor } } related { id } } }`,
				vars: map[string]any{"id": "prd_000042"}})
			if len(r.Errors) != 1 {
				t.Fatalf("want exactly one error: %s", r.Raw)
			}
			code, service := r.ErrorAt(t, "product.related").Code()
			if code != tc.code || service != "recommendations" {
				t.Fatalf("code %q service %q, want %q recommendations: %s", code, service, tc.code, r.Raw)
			}
			var d struct{ Product map[string]any }
			r.Decode(t, &d)
			if d.Product == nil || d.Product["name"] == nil || d.Product["price"] == nil {
				t.Fatalf("the product must survive a recommendations failure: %s", r.Raw)
			}
			if v, ok := d.Product["related"]; !ok || v != nil {
				t.Fatalf("related must be null: %s", r.Raw)
			}
			e.assertNoInternals(r)
		})
	}
}

// first outside 1..50 is the client's mistake and never reaches the service.
func TestRelatedProductsBadFirst(t *testing.T) {
	e := newEnv(t, nil)
	for _, first := range []int{0, 51} {
		r := e.do(gql{query: relatedQuery, vars: map[string]any{"id": "prd_000042", "first": first}})
		if code, _ := r.ErrorAt(t, "product.related").Code(); code != "BAD_USER_INPUT" {
			t.Fatalf("first %d: code %q: %s", first, code, r.Raw)
		}
	}
	if n := e.Mocks.Counters().Total("recommendations"); n != 0 {
		t.Fatalf("recommendations called %d times for invalid input", n)
	}
}
