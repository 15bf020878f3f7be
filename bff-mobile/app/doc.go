// Package app assembles bff-mobile: it loads the configuration (defaults, an
// optional YAML file, environment, flags), builds the registered sources,
// checks that every source the resolvers need is there, and wires the
// GraphQL schema into the shared server with authentication, throttling and
// per-request loaders. cmd/bff-mobile only loads the configuration, lists
// the sources and calls New; the end-to-end tests build the app through the
// same New against in-process mocks.
package app
