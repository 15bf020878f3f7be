// Package upstream is the gateway's client side towards internal services:
// a REST client (NewREST) and a gRPC client (DialGRPC) that put every call
// through the same policy, plus helpers for batch calls (Chunked,
// GetBatch) and per-request dataloaders (NewLoader).
//
// The policy of one upstream, in the order a call meets it:
//
//   - the circuit breaker (gobreaker's two-step breaker) admits the call or
//     fails it at once with UPSTREAM_UNAVAILABLE. It records one outcome
//     per logical call, not per attempt, and trips on a failure ratio
//     over a minimum of calls in a rolling window (Config.Breaker). Only
//     what the upstream did counts: failures raised inside the gateway
//     (input that cannot be sent, a request that cannot be built, a full
//     bulkhead) and callers that went away are excluded.
//   - attempts: each one picks an endpoint (Config.Endpoints: smooth
//     weighted round-robin, a request-scoped pin for canary tests
//     (WithPins), passive outlier ejection with a cool-down), takes a slot
//     of the bulkhead (Config.MaxConcurrent; none free is an immediate
//     UPSTREAM_UNAVAILABLE) and runs with the smaller of Config.Timeout and
//     what is left of the caller's deadline, which travels to the service
//     (DeadlineHeader on REST, the gRPC deadline).
//   - retries, for idempotent calls only (GET, POST with an
//     Idempotency-Key, gRPC methods WithGRPCIdempotent accepts), after a
//     jittered backoff, while the retry budget (Config.RetryBudget: a share
//     of the calls of a sliding window plus a floor) allows and at least
//     Config.MinAttempt of the caller's deadline is left.
//
// Every attempt is an OpenTelemetry client span of the caller's trace
// (otelhttp, otelgrpc) with the W3C trace context sent along
// (WithTracerProvider, WithPropagator); REST spans are named after the
// route ("GET catalog /products/{id}"), and url.full's query string is
// redacted. An Observer (WithObserver) sees calls, attempts, retries,
// breaker state changes, bulkhead rejections and endpoint ejections.
// Config.TLS adds TLS, mutual with a client certificate, whose files are
// read again when they change.
//
// Answers are decoded leniently (unknown JSON fields are ignored, as
// protobuf ignores unknown fields): a backend adding a field breaks
// nothing. Strictness lives in the contract tests (WithStrictDecoding,
// shared/sources/contracttest).
//
// Every failure leaves this package as an *Error that carries a stable
// errcode.Code and the service name: UPSTREAM_UNAVAILABLE, UPSTREAM_TIMEOUT,
// UPSTREAM_ERROR, NOT_FOUND, BAD_REQUEST or CONFLICT for what the service
// did; BAD_USER_INPUT (caller input that cannot travel) and
// INTERNAL_SERVER_ERROR (a request the gateway could not build) for what
// the gateway refused before the service was called. Error() is safe for
// logs and clients: it never holds URLs, response bodies or tokens. The
// underlying cause is kept in Error.Err for server-side diagnostics only,
// and is scrubbed of URLs on the way in.
// Caller input the gateway refuses to send is errcode.BadUserInput with an
// *InputError naming the field and the rule; CheckIdempotencyKey, CheckID
// and CheckHeaderValue are the shared rules both BFFs validate with.
//
// Package upstream does not know any particular service; typed clients live
// in shared/sources/<service> and build on it.
package upstream
