// Package data is the seeded, read-only data set that every mock backend
// serves: categories, products, users with addresses, orders and reviews,
// plus the prices and stock levels derived from them.
//
// The data set is a pure function of a fixed seed: every run, every process
// and every test cluster sees the same ids, names and numbers. [Load] builds
// it once per process and shares it; nothing in it may be modified. Prices
// ([Set.Price]), stock ([Set.Stock]) and shipping quotes
// ([Set.ShippingQuote], from the product's warehouse to a country) are
// deterministic functions of the product, so the orders, pricing, inventory
// and shipping services agree: a seeded
// order line's unit price is exactly what pricing answers for that product in
// the order's currency.
//
// The REST entities (User, Product, Order, Review, ...) are aliases of the
// Go types generated from schema/openapi (shared/gen/openapi), so the mocks
// answer with exactly the shapes the contracts describe.
//
// It is not a store for mutable state: carts and placed orders live in the
// orders service, one copy per cluster.
package data
