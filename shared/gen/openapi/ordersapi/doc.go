// Package ordersapi holds the Go types of the orders service's REST contract,
// generated from schema/openapi/orders.yaml by oapi-codegen (settings in
// oapi-codegen.yaml beside it). The gateway's source (shared/sources/orders)
// decodes into them and the mock service (mocks/orders) answers with them.
// Nothing here is edited by hand: change the contract and run make generate.
package ordersapi

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../../../../schema/openapi/orders.yaml
