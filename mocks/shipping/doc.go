// Package shipping is the mock shipping service (gRPC,
// tandem.shipping.v1.ShippingService): carrier, fee and delivery days of a
// SKU to a destination country, derived deterministically from the seeded
// products and their warehouses ([data.Set.ShippingQuote]). It keeps no
// state of its own.
package shipping
