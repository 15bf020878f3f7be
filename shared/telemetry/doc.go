// Package telemetry sets up what a BFF reports about itself: structured
// logs (log/slog, JSON or text), metrics through an OpenTelemetry meter
// provider exported in the Prometheus format, and a tracer provider hook.
//
// Tracing has no exporter by default: SetupTracing installs a provider with
// the exporters it is given (an OTLP exporter later), so instrumentation
// can be written now and shipped somewhere when there is a collector.
package telemetry
