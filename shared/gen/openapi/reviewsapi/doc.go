// Package reviewsapi holds the Go types of the reviews service's REST contract,
// generated from schema/openapi/reviews.yaml by oapi-codegen (settings in
// oapi-codegen.yaml beside it). The gateway's source (shared/sources/reviews)
// decodes into them and the mock service (mocks/reviews) answers with them.
// Nothing here is edited by hand: change the contract and run make generate.
package reviewsapi

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../../../../schema/openapi/reviews.yaml
