package ceiling

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/tandemgw/tandem/bff-web/graph/generated"
	"github.com/tandemgw/tandem/shared/throttle"
)

// Query returns the fan-out query the ceiling answers, with the page size
// first.
func Query(first int) string {
	return `{ products(first: ` + strconv.Itoa(first) + `) { nodes { id name brand ratingSummary { average count } ` +
		`price { current { amountMinor currency formatted } } stock { inStock } } } }`
}

// costModel is extensions.cost for the one query. requested depends on
// the document only; actual on which objects the answer holds, so it is a
// sum of per-object weights. Every figure comes from bff-web's schema
// through shared/throttle's calculator, once, at start-up: the ceiling
// reports what bff-web reports without costing anything per request.
type costModel struct {
	costExtension
	// Weights of the objects of the answer: the connection, a node, and
	// a node's rating summary, price (with its current amount) and stock.
	page, node, rating, price, stock int
}

// costExtension writes extensions.cost: requested and max are the same in
// every answer, so only actual is written per request.
type costExtension struct {
	reportActual bool
	// before and after surround the actual cost in the extension's bytes
	// (all of it when actual is not reported).
	before, after string
}

// newCostExtension lays out the extension's bytes for a document whose
// requested cost is requested, keys in encoding/json's sorted map order.
func newCostExtension(requested int, cfg throttle.CostConfig) costExtension {
	rest := ""
	if cfg.MaxCost > 0 {
		rest += `,"max":` + strconv.Itoa(cfg.MaxCost)
	}
	rest += `,"requested":` + strconv.Itoa(requested) + `}}`
	if cfg.ReportActual {
		return costExtension{reportActual: true, before: `,"extensions":{"cost":{"actual":`, after: rest}
	}
	return costExtension{before: `,"extensions":{"cost":{` + rest[1:]}
}

func newCostModel(first int, cfg throttle.CostConfig) (costModel, error) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	doc, errs := gqlparser.LoadQueryWithRules(schema, Query(first), rules.NewDefaultRules())
	if len(errs) > 0 {
		return costModel{}, fmt.Errorf("ceiling: the fan-out query does not validate against bff-web's schema: %w", errs)
	}
	op := doc.Operations[0]
	calc := throttle.NewCalculator(schema, cfg)

	// pageCost is what the executed page costs when it holds nodes, each
	// with the objects named. An object of a node that is there costs what
	// the calculator charges for selecting it, so the static cost of the
	// query written for exactly those nodes and objects is that figure.
	selections := map[string]string{
		"ratingSummary": "ratingSummary { average count }",
		"price":         "price { current { amountMinor currency formatted } }",
		"stock":         "stock { inStock }",
	}
	pageCost := func(nodes ...[]string) (int, error) {
		var objects []string
		if len(nodes) > 0 {
			for _, o := range nodes[0] {
				objects = append(objects, selections[o])
			}
		}
		q := `{ products(first: ` + strconv.Itoa(len(nodes)) + `) { nodes { id name brand ` + strings.Join(objects, " ") + ` } } }`
		d, errs := gqlparser.LoadQueryWithRules(schema, q, rules.NewDefaultRules())
		if len(errs) > 0 {
			return 0, errs
		}
		return calc.Cost(d.Operations[0], nil), nil
	}
	m := costModel{costExtension: newCostExtension(calc.Cost(op, nil), cfg)}
	costs := make([]int, 5)
	for i, nodes := range [][][]string{
		{},                  // no nodes: the connection
		{nil},               // one bare node
		{{"ratingSummary"}}, // one node with a rating summary
		{{"price"}},
		{{"stock"}},
	} {
		c, err := pageCost(nodes...)
		if err != nil {
			return costModel{}, fmt.Errorf("ceiling: actual cost: %w", err)
		}
		costs[i] = c
	}
	m.page = costs[0]
	m.node = costs[1] - costs[0]
	m.rating = costs[2] - costs[1]
	m.price = costs[3] - costs[1]
	m.stock = costs[4] - costs[1]

	return m, nil
}

// appendExtensions appends `,"extensions":{"cost":{...}}` as bff-web's
// cost extension reports it.
func (m costExtension) appendExtensions(b []byte, actual int) []byte {
	b = append(b, m.before...)
	if m.reportActual {
		b = strconv.AppendInt(b, int64(actual), 10)
		b = append(b, m.after...)
	}
	return b
}
