// Package pricing is the gateway's source for the pricing service (gRPC,
// tandem.pricing.v1.PricingService): the current price, currency and
// discount of each product. It offers a typed Client over the generated
// stubs and per-request Loaders (read with For) that batch price loads into
// BatchGetPrices calls.
//
// A BFF enables it with pricing.Register(reg) in its main and the config key
// upstreams.pricing.address (default 127.0.0.1:9202).
package pricing
