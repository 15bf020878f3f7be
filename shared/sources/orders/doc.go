// Package orders is the gateway's source for the orders service (REST):
// orders with their lines, carts, and placing orders. It offers a typed
// Client and per-request Loaders (read with For) that batch order loads,
// deduplicate cart loads, and keep the request's view consistent after a
// mutation (AddToCart and PlaceOrder refresh the cached cart and order).
//
// A BFF enables it with orders.Register(reg) in its main and the config key
// upstreams.orders.address (default http://127.0.0.1:9103).
//
// Its entity types are aliases of those generated from the service's
// contract, schema/openapi/orders.yaml (package shared/gen/openapi/ordersapi).
package orders
