package ceiling

import (
	"fmt"
	"strconv"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/tandemgw/tandem/bff-web/graph/generated"
	"github.com/tandemgw/tandem/shared/throttle"
)

// orderCostModel is extensions.cost for OrderHistoryQuery, worked out
// once as costModel is: actual is a sum of per-object weights.
type orderCostModel struct {
	costExtension
	// Weights of the objects of the answer: the viewer with its orders
	// connection and page info, an order, a line (with its unit price), a
	// line's product, its price (with the current amount) and its stock.
	page, order, line, product, price, stock int
}

func newOrderCostModel(first int, cfg throttle.CostConfig) (orderCostModel, error) {
	schema := generated.NewExecutableSchema(generated.Config{}).Schema()
	doc, errs := gqlparser.LoadQueryWithRules(schema, OrderHistoryQuery, rules.NewDefaultRules())
	if len(errs) > 0 {
		return orderCostModel{}, fmt.Errorf("ceiling: the order history query does not validate against bff-web's schema: %w", errs)
	}
	m := orderCostModel{costExtension: newCostExtension(throttle.NewCalculator(schema, cfg).Cost(doc.Operations[0], map[string]any{"first": first}), cfg)}

	// An executed list field costs its weight per element, whatever the
	// size the static cost assumes for it; with that assumed size 1 (the
	// lines have no slicing argument), the static cost of the query for
	// one order is the actual cost of an order with one line holding the
	// objects named.
	one := cfg
	one.DefaultListSize = 1
	calc := throttle.NewCalculator(schema, one)
	cost := func(orders int, node string) (int, error) {
		q := `{ viewer { orders(first: ` + strconv.Itoa(orders) + `) { nodes { ` + node + ` } pageInfo { hasNextPage } } } }`
		d, errs := gqlparser.LoadQueryWithRules(schema, q, rules.NewDefaultRules())
		if len(errs) > 0 {
			return 0, fmt.Errorf("ceiling: actual cost: %w", errs)
		}
		return calc.Cost(d.Operations[0], nil), nil
	}
	const line = "quantity unitPrice { amountMinor } "
	costs := make([]int, 6)
	for i, q := range []struct {
		orders int
		node   string
	}{
		{0, "id"}, // the viewer and its connection, no order
		{1, "id"}, // one order without lines
		{1, "id lines { " + line + "}"},
		{1, "id lines { " + line + "product { id name } }"},
		{1, "id lines { " + line + "product { id name price { current { amountMinor currency } } } }"},
		{1, "id lines { " + line + "product { id name stock { available inStock } } }"},
	} {
		c, err := cost(q.orders, q.node)
		if err != nil {
			return orderCostModel{}, err
		}
		costs[i] = c
	}
	m.page = costs[0]
	m.order = costs[1] - costs[0]
	m.line = costs[2] - costs[1]
	m.product = costs[3] - costs[2]
	m.price = costs[4] - costs[3]
	m.stock = costs[5] - costs[3]
	return m, nil
}
