// Package connector is the runtime of Tandem's declarative sources: the
// resolvers that the gqlgen plugin in connector/gqlplugin generates from
// the @rest and @grpc directives of a schema call it, and nothing else
// needs to.
//
// A generated resolver names an Endpoint (one read of one source, with the
// call and the mapping generated as plain Go) and a key taken from its
// parent object. Endpoint keeps one upstream.Loader per request, per
// endpoint and per set of argument values, so every such read is cached
// and de-duplicated for the request and batched the two ways
// upstream.Loader batches: the generated prefetch steps (see
// shared/prefetch) hand a whole level of parents to Endpoint.Start in one
// call, and a Load nobody prefetched falls back to the loader's window.
// The call itself goes through the source's upstream.REST or upstream.GRPC
// client, so timeouts, retries, breakers, identity propagation, tracing and
// metrics apply as they do to hand-written sources.
//
// Fields making the same call share one generated endpoint, and so the
// request's loader: a product read for an order line and for a wishlist
// item is read once. A
// model that derives fields of its own implements Completer.
//
// Hand-written sources export their reads by key as Endpoints too, and a
// directive that makes the same call as one of them is generated to read
// through it, converting its value with a function of the resolver
// package: a resource has one cache per request. Step and Prefetch are
// how the generated batching plan reads a level of parents through an
// endpoint (see shared/prefetch for the whole picture).
//
// Source registers a backend declared with @source in the schema that has
// no hand-written package: the registry builds its client from the config
// like any other source. A hand-written source that the directives also
// read implements Connected.
package connector
