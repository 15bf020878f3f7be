// Package gateway assembles a Backend-for-Frontend from the shared core.
//
// A BFF is made of:
//
//   - a Spec: its name, environment prefix and default address, its
//     throttle defaults (throttle.WebDefaults, throttle.MobileDefaults), the
//     sources its resolvers need (RequiredSources), its gqlgen executable
//     schema (NewSchema, handed the shared auth directives) and any
//     middlewares of its own (a display locale, Accept-Language);
//   - its source list (graph.Sources, generated from its schema and its
//     resolvers' imports), which its main registers in a registry.Registry
//     and whose ids are RequiredSources;
//   - a Config loaded through shared/config (defaults, optional YAML file,
//     environment, flags), with auth, throttle and edge sections decoded by
//     those packages;
//   - its built-in trusted documents (the published operations of its
//     client, embedded) and the headers its answers vary on (Spec.Vary).
//
// New turns these into an App. First the profile (ApplyProfile): in dev
// mode what is not configured takes the local mocks' defaults (each
// source's registered address, the mock identity provider); outside dev
// mode New refuses to start, listing every missing address and a missing
// token issuer in one message. Then the sources are built and checked
// against RequiredSources, then come the token verifier, the rate limit
// store and limiter (clients' addresses found by the top-level
// trustedProxies rule, which the startup log states), the schema with the
// auth directives, and the server with its middleware chain (body limit,
// token verification, endpoint pins of trusted callers, rate limits,
// per-request loaders, the BFF's own middlewares, all behind the edge's
// CORS, CSRF prevention and compression), its extensions (trusted
// documents and automatic persisted queries first, then operation limits
// and cost), its batching plan and its request budget (a deadline per
// operation that every upstream call inherits). Every manifest is
// validated against the schema before the server starts; an invalid one
// stops New. Spans go to the provider of WithTracerProvider (default: the
// global one) from the server and every upstream client. Metrics
// (WithMetrics, default a fresh telemetry.Metrics) observe every upstream
// call and breaker, every rate limit decision and every request, and are
// served on the admin listener (Config.AdminAddr) with the profiler;
// App.RegisterOperationNames keeps a persisted manifest's operation names
// as metric attribute values.
//
// App.Run and App.Serve stop in the server's steps when their context
// ends (/readyz fails for shutdown.drainDelay, the listener closes,
// requests in flight get shutdown.gracePeriod) and only then close the
// upstream connections, the verifier and the rate limit store.
// Main is what a BFF's cmd calls; it loads the configuration (printing
// usage on -h), makes the logger, installs the W3C propagator and the
// tracer provider telemetry.tracing asks for, and runs New's App until a
// signal. Tests build the same App through New (see gatewaytest).
//
// The package holds no BFF-specific knowledge: a third BFF is a schema, its
// resolvers, a Spec, a source list and a thin main.
package gateway
