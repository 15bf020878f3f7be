// Package gqlplugin is the gqlgen plugin that compiles Tandem's source
// directives (@source, @rest, @grpc and @from, declared in
// schema/graphql/common/connectors.graphqls) into ordinary Go: for every
// field that carries @rest or @grpc and has no hand-written resolver, a
// resolver method, an endpoint with its call and its mapping, and a
// prefetch step, so the field batches one call per source per level like a
// hand-written source does (see shared/connector and shared/prefetch).
//
// It runs inside gqlgen (tools/gqlgen, through `make generate`) and writes
// one file per BFF, graph/connectors.generated.go. A hand-written resolver
// method for the same field, in any other file of the resolver package,
// wins: the plugin then leaves the field to gqlgen's resolver generator.
//
// A directive whose call an exported endpoint of a hand-written source
// package makes too (the same batch path or method and key) is bound to
// it instead of getting an endpoint of its own, and its value converted
// with the resolver package's function of that signature: one cache per
// resource (plan.go). The plugin also writes the BFF's batching plan,
// Plan: the steps of those fields and of the hand-written resolver fields
// marked @loads, and the Vias that lead the walk to them.
package gqlplugin
