// Package server is the HTTP bootstrap every BFF shares: the gqlgen
// handler (shared/edge's GraphQL-over-HTTP transport for GET and POST,
// gqlgen's for OPTIONS, the persisted operation extensions first, query
// cache, introspection and GraphiQL only in dev mode, GraphiQL served from
// the binary by shared/graphiql, field suggestions off outside dev), the
// edge layers around /graphql (CORS, CSRF prevention, compression, Vary,
// error media types), the error presenter that turns upstream failures
// into client-safe errors with extensions.code (and, in dev mode only,
// extensions.cause: devcause.go), panic recovery, the BFF's
// middleware chain, health and
// readiness endpoints, Prometheus metrics, a tracing server span per
// /graphql request (otelhttp, continuing the client's traceparent, with
// the operation's name and type but never its text or variables), and
// graceful shutdown in steps: /readyz fails for the drain delay while the
// listener still accepts, the listener closes, requests in flight get the
// grace period, and what is left is cut off (Serve, Draining,
// ListenerClosed).
//
// Every /graphql request, refused ones included (401, 413, 422, 429,
// batches), is observed (accesslog.go): it gets a telemetry.Request record,
// counts as in flight, and once the response is done is recorded in the
// metrics and written as one access log line (trace id, operation, document
// id, subject, client address and application, status, outcome, error
// codes, duration, bytes out, cost, upstream calls per source; never a
// token, the query text or a variable value).
//
// /metrics and /debug/pprof/ are served by a separate admin listener
// (admin.go, Options.AdminAddr, loopback by default), never on the public
// port.
//
// It knows nothing about a particular schema: a BFF passes its generated
// ExecutableSchema, middlewares and extensions in Options.
package server
