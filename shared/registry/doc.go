// Package registry is how a BFF declares which backends it talks to.
//
// A BFF's source list is generated (graph.Sources in
// <bff>/graph/connectors.generated.go, see shared/connector/gqlplugin): the
// Register functions of the source packages its resolvers reach
// (catalog.Register, pricing.Register, ...) and the backends its schema
// declares with @source. Its main creates one Registry, calls each of them, builds a Set from its
// upstream configuration, checks with Set.Require that every source its
// resolvers use is there, and wraps its GraphQL handler in Set.Middleware,
// which installs fresh per-request loaders of every source.
//
// Every source needs a configured address. A registration may carry the
// address of its local mock (Source.DefaultAddress); WithDefaultAddresses
// fills those in for dev mode, and MissingAddresses lists what a
// production configuration lacks. Build never falls back on its own.
//
// There are no globals and no init()-time registration: what a binary talks
// to is visible in its source list, which SourceIDs reads as ids. Misconfiguration fails at startup with a
// message that names the source, the config key and the fix.
package registry
