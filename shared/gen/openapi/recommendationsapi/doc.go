// Package recommendationsapi holds the Go types of the recommendations service's REST contract,
// generated from schema/openapi/recommendations.yaml by oapi-codegen (settings in
// oapi-codegen.yaml beside it). The gateway's source (shared/sources/recommendations)
// decodes into them and the mock service (mocks/recommendations) answers with them.
// Nothing here is edited by hand: change the contract and run make generate.
package recommendationsapi

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../../../../schema/openapi/recommendations.yaml
