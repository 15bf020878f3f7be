// Package inventory is the gateway's source for the inventory service
// (gRPC, tandem.inventory.v1.InventoryService): stock levels and delivery
// estimates per SKU. It offers a typed Client over the generated stubs and
// StockBySKU, the endpoint (connector.Endpoint) every read of a SKU's stock
// goes through, batched into BatchGetStock calls and cached per request.
//
// A BFF enables it with inventory.Register(reg) in its main and the config
// key upstreams.inventory.address (default 127.0.0.1:9201).
package inventory
