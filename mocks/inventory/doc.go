// Package inventory is the mock inventory service (gRPC,
// tandem.inventory.v1.InventoryService): stock and delivery estimates per
// SKU, derived deterministically from the seeded products
// ([data.Set.Stock]). It keeps no state of its own.
package inventory
