// Package server is the HTTP bootstrap every BFF shares: the gqlgen
// handler (POST, GET and OPTIONS transports, query cache, introspection and
// GraphiQL only in dev mode, field suggestions off outside dev), the error
// presenter that turns upstream failures into client-safe errors with
// extensions.code, panic recovery, the BFF's middleware chain, health and
// readiness endpoints, Prometheus metrics, a tracing server span per
// /graphql request (otelhttp, continuing the client's traceparent, with
// the operation's name and type but never its text or variables), and
// graceful shutdown in steps: /readyz fails for the drain delay while the
// listener still accepts, the listener closes, requests in flight get the
// grace period, and what is left is cut off (Serve, Draining,
// ListenerClosed).
//
// It knows nothing about a particular schema: a BFF passes its generated
// ExecutableSchema, middlewares and extensions in Options.
package server
