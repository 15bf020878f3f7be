package ceiling

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/tandemgw/tandem/bff-web/graph/generated"
	inventoryv1 "github.com/tandemgw/tandem/shared/gen/inventory/v1"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
	"github.com/tandemgw/tandem/shared/throttle"
)

// TestRenderedCostMatchesCalculator: whatever objects an answer holds, the
// extensions.cost the ceiling writes charges each object that is there
// what the calculator charges for selecting it: the static cost of a
// one-node page with exactly that node's objects, above the bare page (the
// byte-for-byte test against bff-web covers the seeded data, where every
// object is present).
func TestRenderedCostMatchesCalculator(t *testing.T) {
	for _, cfg := range []throttle.CostConfig{
		throttle.WebDefaults().Cost,
		{DefaultListSize: 10, ReportActual: false},
	} {
		m, err := newCostModel(4, cfg)
		if err != nil {
			t.Fatal(err)
		}
		h := &Handler{cost: m}
		res := fanOut{
			products:  []product{{ID: "a", SKU: "A"}, {ID: "b", SKU: "B"}, {ID: "c", SKU: "C"}, {ID: "d", SKU: "D"}},
			summaries: map[string]summary{"a": {ProductID: "a", Average: 4.5, Count: 2}, "c": {ProductID: "c"}},
			prices: map[string]*pricingv1.Price{
				"a": {ProductId: "a", Currency: "EUR", AmountMinor: 100},
				"b": {ProductId: "b", Currency: "EUR", AmountMinor: 250},
			},
			stocks: map[string]*inventoryv1.Stock{"A": {Sku: "A", Available: 3}, "D": {Sku: "D"}},
		}
		var body struct {
			Data       json.RawMessage `json:"data"`
			Extensions struct {
				Cost map[string]int `json:"cost"`
			} `json:"extensions"`
		}
		rendered := h.render(nil, res)
		if err := json.Unmarshal(rendered, &body); err != nil {
			t.Fatalf("%v: %s", err, rendered)
		}
		schema := generated.NewExecutableSchema(generated.Config{}).Schema()
		doc, errs := gqlparser.LoadQueryWithRules(schema, Query(4), rules.NewDefaultRules())
		if len(errs) > 0 {
			t.Fatal(errs)
		}
		calc := throttle.NewCalculator(schema, cfg)
		cost := func(first int, objects string) int {
			q := `{ products(first: ` + strconv.Itoa(first) + `) { nodes { id name brand ` + objects + ` } } }`
			d, errs := gqlparser.LoadQueryWithRules(schema, q, rules.NewDefaultRules())
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			return calc.Cost(d.Operations[0], nil)
		}
		const rating, price, stock = "ratingSummary { average count }", "price { current { amountMinor currency formatted } }", "stock { inStock }"
		page := cost(0, "")
		wantActual := page
		for _, objects := range []string{rating + " " + price + " " + stock, price, rating, stock} { // nodes a, b, c, d
			wantActual += cost(1, objects) - page
		}
		want := map[string]int{"requested": calc.Cost(doc.Operations[0], nil)}
		if cfg.ReportActual {
			want["actual"] = wantActual
		}
		if cfg.MaxCost > 0 {
			want["max"] = cfg.MaxCost
		}
		if len(body.Extensions.Cost) != len(want) {
			t.Errorf("cost %v, want %v", body.Extensions.Cost, want)
		}
		for k, v := range want {
			if body.Extensions.Cost[k] != v {
				t.Errorf("cost.%s = %d, want %d (%s)", k, body.Extensions.Cost[k], v, rendered)
			}
		}
	}
}
