package telemetry

import (
	"context"
	"fmt"
	"os"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetricgrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// OTLP transport protocols, as OTEL_EXPORTER_OTLP_PROTOCOL names them.
const (
	OTLPProtocolGRPC = "grpc"
	OTLPProtocolHTTP = "http/protobuf"
)

// OTLPProtocol is the protocol the standard environment asks for to export
// signal ("traces" or "metrics"): OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL,
// else OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf (the default the
// OpenTelemetry specification recommends). Everything else (endpoint,
// headers, timeout, compression, certificates, OTEL_EXPORTER_OTLP_INSECURE)
// is read by the exporters themselves from the same OTEL_EXPORTER_OTLP_*
// variables.
func OTLPProtocol(signal string) (string, error) {
	p := os.Getenv("OTEL_EXPORTER_OTLP_" + strings.ToUpper(signal) + "_PROTOCOL")
	if p == "" {
		p = os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	switch strings.TrimSpace(p) {
	case "", OTLPProtocolHTTP:
		return OTLPProtocolHTTP, nil
	case OTLPProtocolGRPC:
		return OTLPProtocolGRPC, nil
	}
	return "", fmt.Errorf("telemetry: OTLP protocol %q for %s: use grpc or http/protobuf (http/json is not supported)", p, signal)
}

// NewOTLPSpanExporter returns the OTLP trace exporter the standard
// environment configures (see OTLPProtocol). It does not connect yet.
func NewOTLPSpanExporter(ctx context.Context) (sdktrace.SpanExporter, error) {
	proto, err := OTLPProtocol("traces")
	if err != nil {
		return nil, err
	}
	if proto == OTLPProtocolGRPC {
		return otlptracegrpc.New(ctx)
	}
	return otlptracehttp.New(ctx)
}

// NewOTLPMetricReader returns a periodic reader pushing metrics through
// the OTLP exporter the standard environment configures (see OTLPProtocol;
// the interval and timeout come from OTEL_METRIC_EXPORT_INTERVAL and
// OTEL_METRIC_EXPORT_TIMEOUT, default 60s and 30s). Pass it to NewMetrics
// with WithMetricReader.
func NewOTLPMetricReader(ctx context.Context) (sdkmetric.Reader, error) {
	proto, err := OTLPProtocol("metrics")
	if err != nil {
		return nil, err
	}
	var exp sdkmetric.Exporter
	if proto == OTLPProtocolGRPC {
		exp, err = otlpmetricgrpc.New(ctx)
	} else {
		exp, err = otlpmetrichttp.New(ctx)
	}
	if err != nil {
		return nil, fmt.Errorf("telemetry: OTLP metric exporter: %w", err)
	}
	return sdkmetric.NewPeriodicReader(exp), nil
}

// MetricsConfig is the telemetry.metrics section of a BFF's configuration.
// Prometheus always scrapes the admin listener's /metrics; OTLP pushes the
// same metrics to a collector as well.
type MetricsConfig struct {
	// OTLP pushes metrics over OTLP (endpoint and protocol from the
	// OTEL_EXPORTER_OTLP_* environment). Default false.
	OTLP bool `yaml:"otlp"`
}
