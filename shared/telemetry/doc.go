// Package telemetry is what a BFF reports about itself: structured logs
// (log/slog, JSON or text, the gateway named "bff" and a backend
// "upstream.service" so that no record carries a key twice), metrics
// through an OpenTelemetry meter provider (Metrics: every instrument of the
// gateway, served in the Prometheus format on the admin listener and, with
// telemetry.metrics.otlp, pushed over OTLP), and tracing (TracingConfig:
// exporter none, stdout or otlp; the OTLP exporters read the standard
// OTEL_EXPORTER_OTLP_* variables).
//
// Request is the record of one /graphql request that the layers fill in
// (operation, persisted document id, subject, error codes, cost, upstream
// calls per source) and the access log line and request metrics are written
// from. Metrics.UpstreamDone and WatchBreaker are the upstream clients'
// observer; StartBatch marks a dataloader batch (a span between the
// request's span and the upstream spans, and a size sample). Operation names
// are bounded (OperationNames): registered names and the first N seen, the
// rest "other".
//
// The spans of requests and upstream calls are made by shared/server and
// shared/upstream; this package owns no HTTP handler but Metrics.Handler.
package telemetry
