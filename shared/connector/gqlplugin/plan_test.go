package gqlplugin

import (
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

const loadsSDL = `
directive @rest(source: String!, get: String, batch: String, key: String, at: String, brief: String, briefOmits: [String!]) on FIELD_DEFINITION
directive @loads(endpoint: String!, key: String!, args: [String!], briefOmits: [String!]) on FIELD_DEFINITION
type Query { product: Product }
type Product { id: ID! description: String!
`

func loadLoads(t *testing.T, fields string) (*ast.Schema, error) {
	t.Helper()
	return gqlparser.LoadSchema(&ast.Source{Name: "test.graphqls", Input: loadsSDL + fields + "\n}"})
}

func TestParseLoads(t *testing.T) {
	s, err := loadLoads(t, `related(first: Int = 4): [Product!] @loads(endpoint: "recommendations.RelatedProducts", key: "id", args: ["$args.first", "$market.currency"], briefOmits: ["description"])`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := parseLoads(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 {
		t.Fatalf("got %d fields", len(got))
	}
	f := got[0]
	if f.Type != "Product" || f.Name != "related" || f.Endpoint != "recommendations.RelatedProducts" || f.Key != "id" ||
		strings.Join(f.Args, ",") != "$args.first,$market.currency" || strings.Join(f.Omits, ",") != "description" {
		t.Fatalf("parsed %+v", f)
	}
}

func TestParseLoadsErrors(t *testing.T) {
	for _, c := range []struct{ field, want string }{
		{`p: Product @loads(endpoint: "ProductsByID", key: "id")`, "want package.Endpoint"},
		{`p: Product @loads(endpoint: "catalog.productsByID", key: "id")`, "want package.Endpoint"},
		{`p: Product @loads(endpoint: "catalog.ProductsByID", key: "id", args: ["$viewer.id"])`, "neither $args"},
		{`p: Product @loads(endpoint: "catalog.ProductsByID", key: "id", args: ["$args.first"])`, `no argument "first"`},
		{`p: Product @loads(endpoint: "catalog.ProductsByID", key: "id", briefOmits: ["nope"])`, "nope"},
		{`p: Product @loads(endpoint: "catalog.ProductsByID", key: "id") @rest(source: "catalog", get: "/p/{$parent.id}")`, "has its step already"},
	} {
		s, err := loadLoads(t, c.field)
		if err != nil {
			t.Fatal(err)
		}
		_, err = parseLoads(s)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.field, err, c.want)
		}
	}
}

// A directive and a source's endpoint make the same call when the source,
// the batch path (whatever its placeholders) or method, and the key agree.
func TestCallSig(t *testing.T) {
	if callSig("catalog", "/products?ids={$parent.productId}", "", "id") != callSig("catalog", "/products?ids={$keys}", "", "id") {
		t.Error("the same batch with other placeholders")
	}
	if callSig("catalog", "/products?ids={$keys}", "", "id") == callSig("catalog", "/products?ids={$keys}", "", "sku") {
		t.Error("another key")
	}
	if callSig("catalog", "/products?ids={$keys}", "", "id") == callSig("reviews", "/products?ids={$keys}", "", "id") {
		t.Error("another source")
	}
	if callSig("inventory", "", "a.B/C", "sku") == callSig("inventory", "", "a.B/D", "sku") {
		t.Error("methods")
	}
}
