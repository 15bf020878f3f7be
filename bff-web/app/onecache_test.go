package app_test

import (
	"strings"
	"testing"
)

// A product is one entry of the request's cache whichever field reads it:
// read in one request through a hand-written field (Product.related, which
// reads catalog.ProductsByID through recommendations.RelatedProducts) and a
// generated one (Query.product, a @rest field bound to the same
// endpoint), it is read from the catalog once.
func TestOneProductOneCatalogReadAcrossFields(t *testing.T) {
	e := newEnv(t, nil)
	var first struct {
		Product struct{ Related []struct{ ID string } }
	}
	r := e.do(gql{query: `{ product(id: "prd_000042") { related(first: 4) { id } } }`})
	r.NoErrors(t)
	r.Decode(t, &first)
	if len(first.Product.Related) == 0 {
		t.Fatal("prd_000042 has no related products")
	}
	rel := first.Product.Related[0].ID

	e.Mocks.Counters().Reset()
	e.Mocks.ResetRequests()
	r = e.do(gql{
		query: `query($rel: ID!) {
			product(id: "prd_000042") { id related(first: 4) { id name description } }
			other: product(id: $rel) { id name description }
		}`,
		vars: map[string]any{"rel": rel},
	})
	r.NoErrors(t)
	var got struct {
		Product struct {
			Related []struct{ ID, Name, Description string }
		}
		Other struct{ ID, Name, Description string }
	}
	r.Decode(t, &got)
	if got.Other.ID != rel || got.Other.Description == "" || len(got.Product.Related) == 0 || got.Product.Related[0].ID != rel || got.Product.Related[0].Description != got.Other.Description {
		t.Fatalf("unexpected answer: %s", r.Raw)
	}
	reads := 0
	var targets []string
	for _, req := range e.Mocks.Requests("catalog") {
		targets = append(targets, req.Target)
		if strings.Contains(req.Target, rel) {
			reads++
		}
	}
	if reads != 1 {
		t.Errorf("%s read from the catalog %d times in one request, want 1: %v", rel, reads, targets)
	}
}
