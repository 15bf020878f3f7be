// Package telemetry sets up what a BFF reports about itself: structured
// logs (log/slog, JSON or text), metrics through an OpenTelemetry meter
// provider exported in the Prometheus format, and tracing.
//
// Tracing is configured by TracingConfig (the BFF config's
// telemetry.tracing): exporter "none" (default) gives a no-op provider,
// "stdout" writes spans as JSON for local debugging, sampling a ratio of
// new traces. Propagator is the W3C TraceContext and Baggage propagator
// the BFFs install. The spans themselves are made by shared/server (one
// per request) and shared/upstream (one per upstream call). An OTLP
// exporter is the next step once there is a collector.
package telemetry
