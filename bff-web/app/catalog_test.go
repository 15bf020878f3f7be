package app_test

import (
	"strings"
	"testing"
)

const productsQuery = `query($first: Int, $after: String, $filter: ProductFilter) {
  products(first: $first, after: $after, filter: $filter) {
    nodes { id name brand category { id } price { current { amountMinor } } }
    pageInfo { endCursor hasNextPage }
  }
}`

type productsData struct {
	Products struct {
		Nodes []struct {
			ID, Name, Brand string
			Category        *struct{ ID string }
			Price           *struct{ Current struct{ AmountMinor int } }
		}
		PageInfo struct {
			EndCursor   *string
			HasNextPage bool
		}
	}
}

func TestProductsSearch(t *testing.T) {
	e := newEnv(t, nil)
	search := func(first int, after string, filter map[string]any) productsData {
		t.Helper()
		vars := map[string]any{"first": first, "filter": filter}
		if after != "" {
			vars["after"] = after
		}
		r := e.do(gql{query: productsQuery, vars: vars})
		r.NoErrors(t)
		var d productsData
		r.Decode(t, &d)
		return d
	}

	// Listing with cursor pagination.
	p1 := search(5, "", nil)
	if len(p1.Products.Nodes) != 5 || !p1.Products.PageInfo.HasNextPage {
		t.Fatalf("first page: %+v", p1)
	}
	p2 := search(5, *p1.Products.PageInfo.EndCursor, nil)
	if len(p2.Products.Nodes) != 5 || p2.Products.Nodes[0].ID == p1.Products.Nodes[0].ID {
		t.Fatalf("second page does not continue: %+v", p2)
	}

	// Each filter narrows the listing.
	byQuery := search(20, "", map[string]any{"query": "kettlebell"})
	if len(byQuery.Products.Nodes) == 0 {
		t.Fatal("no kettlebells")
	}
	for _, n := range byQuery.Products.Nodes {
		if !strings.Contains(strings.ToLower(n.Name+" "+n.Brand), "kettlebell") {
			t.Errorf("%s %q does not match the query", n.ID, n.Name)
		}
	}
	byCategory := search(20, "", map[string]any{"category": "cat_24"})
	if len(byCategory.Products.Nodes) == 0 {
		t.Fatal("category cat_24 is empty")
	}
	for _, n := range byCategory.Products.Nodes {
		if n.Category == nil || n.Category.ID != "cat_24" {
			t.Errorf("%s is not in cat_24", n.ID)
		}
	}
	byBrand := search(20, "", map[string]any{"brand": "Kiln", "query": "kettlebell"})
	if len(byBrand.Products.Nodes) == 0 {
		t.Fatal("no Kiln kettlebells")
	}
	for _, n := range byBrand.Products.Nodes {
		if n.Brand != "Kiln" {
			t.Errorf("%s brand %q", n.ID, n.Brand)
		}
		if n.Price == nil || n.Price.Current.AmountMinor <= 0 {
			t.Errorf("%s has no price", n.ID)
		}
	}
	// A search result's products are not fetched again by id.
	if n := e.Mocks.Counters().Get("catalog", "GET /products/{id}"); n != 0 {
		t.Errorf("catalog GET /products/{id} called %d times", n)
	}
}

func TestProductNotFound(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(gql{query: `{ product(id: "prd_999999") { id } }`})
	code, service := r.ErrorAt(t, "product").Code()
	if code != "NOT_FOUND" || service != "catalog" {
		t.Fatalf("code %q service %q: %s", code, service, r.Raw)
	}
	e.assertNoInternals(r)
}

func TestCategories(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(gql{query: `{ categories { id name parent { id name } } }`})
	r.NoErrors(t)
	var d struct {
		Categories []struct {
			ID, Name string
			Parent   *struct{ ID, Name string }
		}
	}
	r.Decode(t, &d)
	byID := map[string]string{}
	for _, c := range d.Categories {
		byID[c.ID] = c.Name
	}
	roots, children := 0, 0
	for _, c := range d.Categories {
		if c.Parent == nil {
			roots++
			continue
		}
		children++
		if byID[c.Parent.ID] != c.Parent.Name {
			t.Errorf("%s: parent %+v does not match the list", c.ID, c.Parent)
		}
	}
	if roots == 0 || children == 0 {
		t.Fatalf("want both top-level and child categories: %s", r.Raw)
	}
}

func TestMoneyFormattedInRequestLocale(t *testing.T) {
	e := newEnv(t, nil)
	q := `{ product(id: "prd_000042") { price { current { amountMinor currency formatted } } } }`
	for lang, want := range map[string]string{"": "€299.99", "de-DE,de;q=0.9": "299,99\u00a0€", "nl": "€\u00a0299,99"} {
		r := e.do(gql{query: q, acceptLanguage: lang})
		r.NoErrors(t)
		var d struct {
			Product struct {
				Price struct{ Current struct{ Formatted string } }
			}
		}
		r.Decode(t, &d)
		if got := d.Product.Price.Current.Formatted; got != want {
			t.Errorf("Accept-Language %q: %q, want %q", lang, got, want)
		}
	}
}
