// Package catalogapi holds the Go types of the catalog service's REST contract,
// generated from schema/openapi/catalog.yaml by oapi-codegen (settings in
// oapi-codegen.yaml beside it). The gateway's source (shared/sources/catalog)
// decodes into them and the mock service (mocks/catalog) answers with them.
// Nothing here is edited by hand: change the contract and run make generate.
package catalogapi

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../../../../schema/openapi/catalog.yaml
