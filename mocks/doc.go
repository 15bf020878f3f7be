// Package mocks runs the shop's internal services as fakes for development,
// tests and benchmarks: accounts, catalog, orders, reviews,
// recommendations and wishlists (REST) and inventory, pricing and
// shipping (gRPC), each on its own loopback port, plus one admin endpoint.
//
// The services serve the contracts in schema/ (OpenAPI documents and
// protobuf) from a seeded, deterministic data set (package data), with the
// Go types generated from those contracts (shared/gen), and are
// the reference for how a backend team's service looks. On top of them a
// [Cluster] offers what tests need: per-route call [Counters], run-time
// [Faults] (latency, errors, hangs, malformed bodies, connection resets and
// barriers), and the identity headers each service received
// ([Cluster.Requests]). The same controls are exposed as JSON on the admin
// endpoint (schema/openapi/mocks-admin.yaml); the mock identity provider
// mounts token minting there with [Cluster.HandleAdmin].
//
// Tests start a cluster on free ports:
//
//	c, err := mocks.Start(ctx, mocks.Options{})
//	defer c.Close()
//	resp, err := http.Get(c.URL("catalog") + "/products/prd_000042")
//
// `go run ./mocks/cmd/mocks` runs one on the fixed default ports.
//
// What it is not: a store that survives a restart, or a load-tested service.
// Carts and placed orders live in memory, per cluster.
package mocks
