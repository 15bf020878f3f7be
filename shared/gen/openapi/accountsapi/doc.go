// Package accountsapi holds the Go types of the accounts service's REST contract,
// generated from schema/openapi/accounts.yaml by oapi-codegen (settings in
// oapi-codegen.yaml beside it). The gateway's source (shared/sources/accounts)
// decodes into them and the mock service (mocks/accounts) answers with them.
// Nothing here is edited by hand: change the contract and run make generate.
package accountsapi

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../../../../schema/openapi/accounts.yaml
