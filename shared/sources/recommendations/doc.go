// Package recommendations is the gateway's source for the recommendations
// service (REST): related products and per-user recommendations. It offers
// a typed Client, RelatedProducts (the endpoint that reads a product's
// related catalog products, through catalog.ProductsByID) and per-request
// Loaders (read with For).
//
// A BFF enables it with recommendations.Register(reg) in its main; the
// address comes from upstreams.recommendations.address and defaults to
// http://127.0.0.1:9105.
//
// Its entity types are aliases of those generated from the service's
// contract, schema/openapi/recommendations.yaml (package shared/gen/openapi/recommendationsapi).
package recommendations
