// Package registry is how a BFF declares which backends it talks to.
//
// A BFF's main creates one Registry, calls each source package's Register
// (catalog.Register(reg), pricing.Register(reg), ...), builds a Set from its
// upstream configuration, checks with Set.Require that every source its
// resolvers use is there, and wraps its GraphQL handler in Set.Middleware,
// which installs fresh per-request loaders of every source.
//
// There are no globals and no init()-time registration: what a binary talks
// to is visible in its main. Misconfiguration fails at startup with a
// message that names the source, the config key and the fix.
package registry
