// Package reviews is the gateway's source for the reviews service (REST):
// reviews of products and their rating summaries. It offers a typed Client
// SummariesByProduct, the endpoint (connector.Endpoint) every read of a
// rating summary goes through (GET /summaries?productIds=), and per-request
// Loaders (read with For) for reviews.
//
// A BFF enables it with reviews.Register(reg) in its main and the config key
// upstreams.reviews.address (default http://127.0.0.1:9104).
//
// Its entity types are aliases of those generated from the service's
// contract, schema/openapi/reviews.yaml (package shared/gen/openapi/reviewsapi).
package reviews
