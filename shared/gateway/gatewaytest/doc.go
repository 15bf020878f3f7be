// Package gatewaytest runs a BFF built by gateway.New against in-process
// mock backends (mocks.Start) and a mock identity provider (mocks/idp), on
// loopback ports chosen by the kernel, for end-to-end tests through the
// real HTTP handler. It is test support: only _test.go files import it.
//
// Start builds the app through the BFF's own constructor (the app.New that
// main uses, handed in as Options.New) from a configuration pointing every
// source at its mock and auth at the identity provider; Env posts GraphQL
// requests, mints tokens and reads the mocks' call counters. The harness of
// each BFF (bff-*/app/harness_test.go) is a thin layer over this package.
//
// The Check functions hold end-to-end checks both BFFs run alike, each
// given the BFF's Envs (or a StartFunc building them) and its own queries
// and defaults: introspection (introspection.go), hostile documents such as
// fragment bombs (hostile.go), operation limits, cost, rate limits and the
// Redis store's failure modes (throttlecheck.go), invalid credentials and
// key rotation (authcheck.go), the safety of upstream calls under faults:
// request budgets, retries, breakers, bulkheads, endpoint ejection and
// pins, mutual TLS (safetycheck.go, which takes a Safety describing the
// BFF), and the graceful drain on a real listener (drain.go). The BFF's test
// keeps its name and says what it proves; the check's doc comment says how.
//
// Every source runs with its production settings, the 1ms batch window
// included: tests that count backend calls prove the batching plan, not a
// widened window.
package gatewaytest
