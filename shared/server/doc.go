// Package server is the HTTP bootstrap every BFF shares: the gqlgen
// handler (shared/edge's GraphQL-over-HTTP transport for GET and POST,
// gqlgen's for OPTIONS, the persisted operation extensions first, query
// cache, introspection and GraphiQL only in dev mode, GraphiQL served from
// the binary by shared/graphiql, field suggestions off outside dev), the
// edge layers around /graphql (CORS, CSRF prevention, compression, Vary,
// error media types), the error presenter that turns upstream failures
// into client-safe errors with extensions.code, panic recovery, the BFF's
// middleware chain, health and
// readiness endpoints, Prometheus metrics, a tracing server span per
// /graphql request (otelhttp, continuing the client's traceparent, with
// the operation's name and type but never its text or variables), and
// graceful shutdown.
//
// It knows nothing about a particular schema: a BFF passes its generated
// ExecutableSchema, middlewares and extensions in Options.
package server
