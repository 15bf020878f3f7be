// Package upstream is the gateway's client side towards internal services:
// a REST client and a gRPC dialer that apply the same resilience policy
// (per-attempt timeouts, jittered retries for idempotent calls only, a
// circuit breaker per upstream, response size caps) and the same identity
// propagation hooks, plus helpers for batch calls (Chunked) and per-request
// dataloaders (NewLoader). Every attempt is an OpenTelemetry client span
// (otelhttp, otelgrpc) of the caller's trace, with the W3C trace context
// sent along (WithTracerProvider, WithPropagator); REST spans are named
// after the route ("GET catalog /products/{id}"), and url.full's query
// string is redacted.
//
// Every failure leaves this package as an *Error that carries a stable Code
// and the service name. Error() is safe for logs and clients: it never holds
// URLs, response bodies or tokens. The underlying cause is kept in Error.Err
// for server-side diagnostics only, and is scrubbed of URLs on the way in.
//
// Package upstream does not know any particular service; typed clients live
// in shared/sources/<service> and build on it.
package upstream
