package throttle

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/tandemgw/tandem/shared/errcode"
)

func parseOp(tb testing.TB, schema *ast.Schema, query string, rawVars map[string]any) (*ast.OperationDefinition, map[string]any) {
	tb.Helper()
	doc, err := gqlparser.LoadQueryWithRules(schema, query, rules.NewDefaultRules())
	if err != nil {
		tb.Fatalf("invalid test query %q: %v", query, err)
	}
	op := doc.Operations[0]
	vars, verr := validator.VariableValues(schema, op, rawVars)
	if verr != nil {
		tb.Fatalf("variables: %v", verr)
	}
	return op, vars
}

// Hand-computed costs. Weights: objects 1, scalars 0, Money (type) 2,
// Product.price (field) 3, expensive 50, placeOrder 25, SearchFilter.fuzzy 5,
// mutation root fields 10; list sizes from @listSize, else 10.
func TestCostTable(t *testing.T) {
	schema := loadTestSchema(t)
	calc := NewCalculator(schema, CostConfig{})
	cases := []struct {
		name  string
		query string
		vars  map[string]any
		want  int
	}{
		{"object with scalars", `{ product(id: "1") { id name } }`, nil, 1},
		{"field @cost overrides type @cost", `{ product(id: "1") { price { amountMinor } } }`, nil, 1 + 3},
		{"nested object", `{ product(id: "1") { category { name } } }`, nil, 1 + 1},
		{"assumedSize", `{ categories { id } }`, nil, 20 * 1},
		{"connection sizedFields", `{ products(first: 5) { edges { node { id } } } }`, nil, 1 + 5*(1+1)},
		{"connection nodes and pageInfo", `{ products(first: 5) { nodes { price { currency } } pageInfo { hasNextPage } totalCount } }`, nil, 1 + 5*(1+3) + 1},
		{"slicing argument from a variable", `query($n: Int) { products(first: $n) { nodes { id } } }`, map[string]any{"n": 40}, 1 + 40*1},
		{"no slicing argument: default list size", `{ products { nodes { id } } }`, nil, 1 + 10*1},
		{"list of scalars is free", `{ tags }`, nil, 0},
		{"scalar with @cost", `{ expensive }`, nil, 50},
		{"union: most expensive fragment", `{ search(term: "x") { ... on Product { id price { currency } } ... on Category { id } } }`, nil, 5 * (1 + 3)},
		{"argument input field @cost", `{ search(term: "x", filter: {fuzzy: true}) { __typename } }`, nil, 5 + 5*1},
		{"input field @cost from a variable", `query($f: SearchFilter) { search(term: "x", filter: $f) { __typename } }`, map[string]any{"f": map[string]any{"fuzzy": true, "brand": "b"}}, 5 + 5*1},
		{"nested lists multiply", `{ products(first: 2) { nodes { reviews(first: 3) { author { name } } } } }`, nil, 1 + 2*(1+3*(1+1))},
		{"list assumedSize without slicing value", `{ product(id: "1") { reviews { id } } }`, nil, 1 + 3*1},
		{"largest of several slicing arguments", `{ recent(limit: 4, last: 7) { id } }`, nil, 7 * 1},
		{"mutation root field", `mutation { addToCart(productId: "1", quantity: 1) { id lines { quantity } } }`, nil, 10 + 10*1},
		{"mutation with @cost", `mutation { placeOrder { id } }`, nil, 25},
		{"fragments counted where spread", `{ a: product(id: "1") { ...P } b: product(id: "2") { ...P } } fragment P on Product { price { currency } category { id } }`, nil, 2 * (1 + 3 + 1)},
		{"fragment inside a connection keeps the size", `{ products(first: 4) { ...C } } fragment C on ProductConnection { nodes { id } }`, nil, 1 + 4*1},
		{"typename is free", `{ __typename }`, nil, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			op, vars := parseOp(t, schema, tc.query, tc.vars)
			if got := calc.Cost(op, vars); got != tc.want {
				t.Errorf("cost = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestCostSaturatesOnHugeSlices(t *testing.T) {
	schema := loadTestSchema(t)
	calc := NewCalculator(schema, CostConfig{})
	op, vars := parseOp(t, schema, `{ products(first: 2000000000) { nodes { reviews(first: 2000000000) { author { id } } } } }`, nil)
	if got := calc.Cost(op, vars); got != costCap {
		t.Errorf("cost = %d, want the cap %d", got, costCap)
	}
}

func TestCostCeilingAndReporting(t *testing.T) {
	cfg := Config{Cost: CostConfig{MaxCost: 21, ReportActual: true}}
	g := newGateway(t, gatewayOpts{cfg: cfg})

	// 20*1 + 1 + 0*1 = 21: at the ceiling. The test backend returns 2
	// categories and (ignoring first) 3 nodes, so the actual cost, read from
	// the returned lists, is 2 + 1 + 3 = 6.
	rec, resp := g.post(t, `{ categories { id } products(first: 0) { nodes { id } } }`, nil)
	if rec.Code != http.StatusOK || len(resp.Errors) != 0 {
		t.Fatalf("operation at the ceiling rejected: %d %+v", rec.Code, resp.Errors)
	}
	cost, _ := resp.Extensions["cost"].(map[string]any)
	if cost["requested"] != float64(21) || cost["actual"] != float64(2+1+3) || cost["max"] != float64(21) {
		t.Errorf("extensions.cost = %v, want requested 21, actual 6, max 21", cost)
	}

	// 22: one over.
	rec, resp = g.post(t, `{ categories { id } products(first: 1) { nodes { id } } }`, nil)
	if rec.Code != http.StatusUnprocessableEntity || resp.code() != errcode.CostLimitExceeded {
		t.Fatalf("over the ceiling: %d %+v", rec.Code, resp.Errors)
	}
	if resp.ext("cost") != float64(22) || resp.ext("max") != float64(21) {
		t.Errorf("error extensions = %v", resp.Errors[0].Extensions)
	}
	if c, _ := resp.Extensions["cost"].(map[string]any); c["requested"] != float64(22) {
		t.Errorf("rejected response extensions.cost = %v", resp.Extensions["cost"])
	}
	if g.backend.calls.Load() != 1 {
		t.Errorf("backend executions = %d, want 1", g.backend.calls.Load())
	}
}

// extensions.cost.actual is summed from the fields as they execute: a
// list costs its weight per returned element, a null object its weight
// (the resolver ran) and nothing for its selection, and on an abstract
// type only the fragment of the concrete type counts. The test backend
// returns lists of 3 (categories 2, or the first argument), the first
// possible type of a union, and null for fields aliased null_*.
func TestActualCostFromExecution(t *testing.T) {
	g := newGateway(t, gatewayOpts{cfg: Config{Cost: CostConfig{ReportActual: true}}})
	cases := []struct {
		query           string
		requested, want int
	}{
		{`{ categories { id } }`, 20, 2},
		{`{ products(first: 5) { edges { node { id } } } }`, 1 + 5*(1+1), 1 + 3*(1+1)},
		{`{ product(id: "1") { null_c: category { id } } }`, 1 + 1, 1 + 1},
		{`{ null_p: product(id: "1") { id category { id } } }`, 1 + 1, 1},
		{`{ search(term: "x") { __typename ... on Product { price { currency } } ... on Category { id } } }`, 5 * (1 + 3), 3 * (1 + 3)},
		{`{ search(term: "x", filter: {fuzzy: true}) { __typename } }`, 5 + 5*1, 5 + 3*1},
		{`{ products(first: 2) { nodes { reviews(first: 2) { author { name } } } } }`, 1 + 2*(1+2*(1+1)), 1 + 3*(1+2*(1+1))},
		{`mutation { addToCart(productId: "1", quantity: 1) { id lines { quantity } } }`, 10 + 10*1, 10 + 3*1},
		{`{ tags expensive }`, 50, 50},
	}
	for _, tc := range cases {
		rec, resp := g.post(t, tc.query, nil)
		if rec.Code != http.StatusOK || len(resp.Errors) != 0 {
			t.Fatalf("%s: %d %+v", tc.query, rec.Code, resp.Errors)
		}
		cost, _ := resp.Extensions["cost"].(map[string]any)
		if cost["requested"] != float64(tc.requested) || cost["actual"] != float64(tc.want) {
			t.Errorf("%s: extensions.cost = %v, want requested %d, actual %d", tc.query, cost, tc.requested, tc.want)
		}
	}
}

// The static cost is computed once per operation and variant of the
// variables it depends on: a variable that sizes a list (first: $n) gives
// each value its own cost, one that does not (id: $id) shares one.
func TestCostCachedPerDocumentHonoursVariables(t *testing.T) {
	g := newGateway(t, gatewayOpts{cfg: Config{Cost: CostConfig{}}})
	const sized = `query($n: Int, $id: ID!) { products(first: $n) { nodes { id } } product(id: $id) { id } }`
	for _, tc := range []struct {
		n, want int
	}{{5, 1 + 5 + 1}, {40, 1 + 40 + 1}, {5, 1 + 5 + 1}, {7, 1 + 7 + 1}} {
		for _, id := range []string{"a", "b"} {
			_, resp := g.post(t, sized, map[string]any{"n": tc.n, "id": id})
			cost, _ := resp.Extensions["cost"].(map[string]any)
			if cost["requested"] != float64(tc.want) {
				t.Errorf("n=%d id=%s: requested %v, want %d", tc.n, id, cost["requested"], tc.want)
			}
		}
	}
	calc := NewCalculator(loadTestSchema(t), CostConfig{})
	op, vars := parseOp(t, calc.schema, sized, map[string]any{"n": 3, "id": "x"})
	if r := calc.cost(op, vars); !slices.Equal(r.vars, []string{"n"}) {
		t.Errorf("cost depends on %v, want [n]", r.vars)
	}
	op, vars = parseOp(t, calc.schema, `query($f: SearchFilter, $t: String!) { search(term: $t, filter: $f) { __typename } }`,
		map[string]any{"t": "x", "f": map[string]any{"fuzzy": true}})
	if r := calc.cost(op, vars); !slices.Equal(r.vars, []string{"f"}) || r.cost != 5+5 {
		t.Errorf("cost %d depends on %v, want 10 and [f]", r.cost, r.vars)
	}
}

// The points budget drains faster for costlier queries: with the same
// budget, a cheap query runs many more times than an expensive one.
func TestPointsBudgetDrainsByCost(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	clock := func() time.Time { return now } // frozen: no refill during the test
	cfg := Config{Rate: RateConfig{Points: Window{Limit: 100, Period: time.Minute}}}
	count := func(query string, cost int) int {
		g := newGateway(t, gatewayOpts{cfg: cfg, store: NewMemoryStore(WithClock(clock))})
		for i := 0; i < 1000; i++ {
			rec, resp := g.post(t, query, nil)
			if rec.Code == http.StatusTooManyRequests {
				if resp.code() != errcode.RateLimited || resp.ext("policy") != PolicyPoints {
					t.Fatalf("429 body: %+v", resp.Errors)
				}
				if rec.Header().Get("Retry-After") == "" {
					t.Error("429 without Retry-After")
				}
				if got := int(g.backend.calls.Load()); got != i {
					t.Errorf("backend ran %d times for %d accepted operations", got, i)
				}
				return i
			}
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %+v", rec.Code, resp.Errors)
			}
			c, _ := resp.Extensions["cost"].(map[string]any)
			if c["requested"] != float64(cost) {
				t.Fatalf("cost = %v, want %d", c["requested"], cost)
			}
		}
		t.Fatal("budget never ran out")
		return 0
	}
	cheap := count(`{ product(id: "1") { id } }`, 1)                                  // cost 1
	costly := count(`{ products(first: 9) { nodes { price { currency } } } }`, 1+9*4) // cost 37
	if cheap != 100 || costly != 2 {
		t.Errorf("accepted cheap=%d (want 100), costly=%d (want 2)", cheap, costly)
	}
}
