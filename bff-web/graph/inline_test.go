package graph_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/tandemgw/tandem/bff-web/graph"
	"github.com/tandemgw/tandem/bff-web/graph/generated"
)

// The pages' queries resolve without a goroutine per item and field: the
// batching plan loads every field below their lists (prefetch.RunInline).
// A field added to one of these pages that the plan does not load shows
// here, before it shows in the benchmark.
func TestPagesResolveInline(t *testing.T) {
	es := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}})
	plan := graph.Plan()
	if err := plan.Validate(es); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, query string
		vars        map[string]any
		inline      []string
	}{
		{
			name:   "fan-out",
			query:  `{ products(first: 50) { nodes { id name brand ratingSummary { average count } price { current { amountMinor currency formatted } } stock { inStock } } } }`,
			inline: []string{"products", "products.nodes", "products.nodes.price", "products.nodes.price.current", "products.nodes.ratingSummary", "products.nodes.stock"},
		},
		{
			name: "order history",
			query: `query ViewerOrders($first: Int!) { viewer { orders(first: $first) { nodes { id lines { quantity unitPrice { amountMinor }
				product { id name price { current { amountMinor currency } } stock { available inStock } } } } pageInfo { hasNextPage } } } }`,
			vars:   map[string]any{"first": 50},
			inline: []string{"viewer.orders", "viewer.orders.nodes", "viewer.orders.nodes.lines", "viewer.orders.nodes.lines.product", "viewer.orders.nodes.lines.product.price", "viewer.orders.nodes.lines.product.stock"},
		},
	}
	for _, c := range cases {
		doc, errs := gqlparser.LoadQueryWithRules(es.Schema(), c.query, rules.NewDefaultRules())
		if len(errs) > 0 {
			t.Fatal(c.name, errs)
		}
		oc := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: c.vars}
		got := plan.InlineLevels(oc)
		for _, path := range c.inline {
			if !slices.Contains(got, path) {
				t.Errorf("%s: %s does not resolve inline (inline: %v)", c.name, path, got)
			}
		}
	}
	// The product page reads reviews the plan does not load: its product
	// keeps gqlgen's goroutines, so those calls still run side by side.
	page, err := os.ReadFile("../../e2e/testdata/web_product_page.graphql")
	if err != nil {
		t.Fatal(err)
	}
	doc, errs := gqlparser.LoadQueryWithRules(es.Schema(), string(page), rules.NewDefaultRules())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	got := plan.InlineLevels(&graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{"id": "prd_000042"}})
	if slices.Contains(got, "product") {
		t.Errorf("the product page's product resolves inline, though its reviews are not loaded by the plan (inline: %v)", got)
	}
	if !slices.Contains(got, "product.related") {
		t.Errorf("the product page's related products do not resolve inline (inline: %v)", got)
	}
}

// The batching plan collects an object's fields with the list the
// executor collects them with (the type, then Schema.GetImplements), so
// that both share the operation's CollectFields cache and the plan knows
// an object it has already walked when the object's resolver returns it.
// This holds that list to the generated executor's.
func TestPlanCollectsFieldsAsTheExecutorDoes(t *testing.T) {
	es := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}})
	schema := es.Schema()
	files, err := filepath.Glob("generated/*.generated.go")
	if err != nil || len(files) == 0 {
		t.Fatal("no generated executor", err)
	}
	decl := regexp.MustCompile(`(?m)^var (\w+)Implementors = \[\]string\{(.*)\}$`)
	seen := 0
	for _, file := range files {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range decl.FindAllStringSubmatch(string(src), -1) {
			names := strings.Split(strings.ReplaceAll(m[2], `"`, ""), ", ")
			def := schema.Types[names[0]]
			if def == nil {
				t.Errorf("%s: no type %s in the schema", file, names[0])
				continue
			}
			want := []string{def.Name}
			for _, it := range schema.GetImplements(def) {
				want = append(want, it.Name)
			}
			if !slices.Equal(names, want) {
				t.Errorf("the executor collects %s's fields with %v, the plan with %v", def.Name, names, want)
			}
			seen++
		}
	}
	if seen < 10 {
		t.Fatalf("found %d implementor lists in the generated executor; its form changed", seen)
	}
}
