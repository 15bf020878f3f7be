// Package app is bff-web's part of the gateway assembly (shared/gateway):
// its Spec (name, TANDEM_WEB environment prefix, default address, the web
// throttle defaults, the generated schema and the display locale
// middleware), its one source list (Sources, whose ids are the Spec's
// RequiredSources) and thin Default, Load and New over the gateway's.
// cmd/bff-web runs gateway.Main with Spec and Sources; tests build the same
// application through New (gateway.New) from the same Sources against
// in-process mocks.
package app
