// Package accounts is the gateway's source for the accounts service (REST):
// users and their addresses. It offers a typed Client with single, batch
// and list calls, and UsersByID, the endpoint (connector.Endpoint) every
// read of a user by id goes through, batched and cached per request; the
// per-request Loaders (read with For) wrap it for the request's market.
//
// A BFF enables it with accounts.Register(reg) in its main and the config
// key upstreams.accounts.address (default http://127.0.0.1:9101).
//
// Its entity types are aliases of those generated from the service's
// contract, schema/openapi/accounts.yaml (package shared/gen/openapi/accountsapi).
package accounts
