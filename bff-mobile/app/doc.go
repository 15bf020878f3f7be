// Package app is bff-mobile's part of the gateway assembly (shared/gateway):
// its Spec (name, TANDEM_MOBILE environment prefix, default address, the
// mobile throttle defaults, the generated schema and the Accept-Language
// middleware), its one source list (Sources, whose ids are the Spec's
// RequiredSources) and thin Default, Load and New over the gateway's.
// cmd/bff-mobile runs gateway.Main with Spec and Sources; the end-to-end tests build the same application through New
// (gateway.New) against in-process mocks.
package app
