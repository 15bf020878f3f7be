// Package pricing is the mock pricing service (gRPC,
// tandem.pricing.v1.PricingService): the current price, currency and
// discount of each product, derived deterministically from the seeded
// products ([data.Set.Price]) so that order lines agree with it. It keeps no
// state of its own.
package pricing
