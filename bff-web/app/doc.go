// Package app is bff-web's part of the gateway assembly (shared/gateway):
// its Spec (name, TANDEM_WEB environment prefix, default address, the web
// throttle defaults, the resolvers' required sources, the generated schema
// and the display locale middleware) and thin Default, Load and New over
// the gateway's. cmd/bff-web runs gateway.Main with Spec and its source
// list; tests build the same application through New (gateway.New) against
// in-process mocks.
package app
