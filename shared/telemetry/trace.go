package telemetry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	"go.opentelemetry.io/otel/propagation"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// Tracing exporters accepted by TracingConfig.Exporter.
const (
	ExporterNone   = "none"   // no tracer provider: spans are no-ops
	ExporterStdout = "stdout" // one JSON object per span, for local debugging
	ExporterOTLP   = "otlp"   // OTLP to a collector, configured by OTEL_EXPORTER_OTLP_*
)

// TracingConfig is the telemetry.tracing section of a BFF's configuration.
type TracingConfig struct {
	// Exporter is "none" (default: no spans are recorded), "stdout" or
	// "otlp" (to a collector: endpoint, protocol, headers and TLS from the
	// standard OTEL_EXPORTER_OTLP_* environment, see OTLPProtocol).
	Exporter string `yaml:"exporter"`
	// SamplingRatio is the share of new traces recorded, 0..1 (default 1).
	// A request that arrives with a W3C traceparent follows its caller's
	// sampling decision.
	SamplingRatio float64 `yaml:"samplingRatio"`
}

// DefaultTracingConfig is tracing off, sampling everything once turned on.
func DefaultTracingConfig() TracingConfig {
	return TracingConfig{Exporter: ExporterNone, SamplingRatio: 1}
}

// Enabled reports whether c asks for a tracer provider.
func (c TracingConfig) Enabled() bool {
	e := strings.ToLower(strings.TrimSpace(c.Exporter))
	return e != "" && e != ExporterNone
}

// Validate reports an unknown exporter or a ratio outside 0..1, naming the key.
func (c TracingConfig) Validate() error {
	var errs []error
	switch strings.ToLower(strings.TrimSpace(c.Exporter)) {
	case "", ExporterNone, ExporterStdout, ExporterOTLP:
	default:
		errs = append(errs, fmt.Errorf("telemetry.tracing.exporter %q: use none, stdout or otlp", c.Exporter))
	}
	if c.SamplingRatio < 0 || c.SamplingRatio > 1 || c.SamplingRatio != c.SamplingRatio {
		errs = append(errs, fmt.Errorf("telemetry.tracing.samplingRatio %v: use a number from 0 to 1", c.SamplingRatio))
	}
	return errors.Join(errs...)
}

// Propagator is the W3C TraceContext and Baggage propagator the BFFs use
// on the way in (traceparent from the client) and out (to the upstreams).
func Propagator() propagation.TextMapPropagator {
	return propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// NewTracerProvider builds the tracer provider of service that cfg asks
// for: with exporter "none" a no-op provider (nothing is recorded, nothing
// costs more than an interface call), with "stdout" NewSDKTracerProvider
// writing spans to w in batches, with "otlp" sending them in batches to the
// collector that OTEL_EXPORTER_OTLP_* names (NewOTLPSpanExporter). The
// returned function flushes and stops the provider.
func NewTracerProvider(service string, cfg TracingConfig, w io.Writer) (trace.TracerProvider, func(context.Context) error, error) {
	if err := cfg.Validate(); err != nil {
		return nil, nil, fmt.Errorf("config: %w", err)
	}
	if !cfg.Enabled() {
		return noop.NewTracerProvider(), func(context.Context) error { return nil }, nil
	}
	var exp sdktrace.SpanExporter
	var err error
	if strings.EqualFold(strings.TrimSpace(cfg.Exporter), ExporterOTLP) {
		exp, err = NewOTLPSpanExporter(context.Background())
	} else {
		exp, err = stdouttrace.New(stdouttrace.WithWriter(w))
	}
	if err != nil {
		return nil, nil, fmt.Errorf("telemetry: %s trace exporter: %w", cfg.Exporter, err)
	}
	tp := NewSDKTracerProvider(service, cfg.SamplingRatio, sdktrace.WithBatcher(exp))
	return tp, tp.Shutdown, nil
}

// NewSDKTracerProvider is the provider every exporter shares: the
// service.name resource; a sampler that records samplingRatio (0..1) of new
// traces and follows the caller's decision for a request that arrives with
// a traceparent. opts add exporters or processors (tests add a span
// recorder).
func NewSDKTracerProvider(service string, samplingRatio float64, opts ...sdktrace.TracerProviderOption) *sdktrace.TracerProvider {
	base := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(Resource(service)),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(samplingRatio))),
	}
	return sdktrace.NewTracerProvider(append(base, opts...)...)
}

// SetupTracing installs a global tracer provider for service that sends
// spans to the given exporters (none by default: spans are created, sampled
// by the parent, and dropped) and the W3C trace-context propagator. The
// returned function flushes and stops the provider.
func SetupTracing(service string, exporters ...sdktrace.SpanExporter) func(ctx context.Context) error {
	var opts []sdktrace.TracerProviderOption
	for _, e := range exporters {
		opts = append(opts, sdktrace.WithBatcher(e))
	}
	tp := NewSDKTracerProvider(service, 1, opts...)
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(Propagator())
	return tp.Shutdown
}
