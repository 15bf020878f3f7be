package gateway

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/telemetry"
	"github.com/tandemgw/tandem/shared/throttle"
)

// Main is the body of a BFF's main: it loads spec's configuration from args
// (without the program name) and environ, writes the usage to stdout and
// returns nil when args ask for help (-h, -help), makes the logger (to
// stderr), installs the W3C trace propagator and, when telemetry.tracing
// names an exporter, the global tracer provider (spans flushed on return),
// makes the metrics (pushed over OTLP as well when telemetry.metrics.otlp
// is on, flushed on return), registers sources in a fresh registry,
// builds the App with New and runs it until ctx ends.
// Errors are returned for main to print; a
// configuration error is followed by a hint to run with -h.
func Main(ctx context.Context, spec Spec, sources []func(*registry.Registry) error, args, environ []string, stdout, stderr io.Writer) error {
	cfg, err := Load(spec, args, environ)
	if errors.Is(err, flag.ErrHelp) {
		_, werr := io.WriteString(stdout, Usage(spec))
		return werr
	}
	if err != nil {
		return fmt.Errorf("%s: %w (run %s -h for the flags)", spec.Name, err, spec.Name)
	}
	logger, err := telemetry.NewLogger(stderr, spec.Name, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return fmt.Errorf("%s: %w", spec.Name, err)
	}
	TuneGC(environ, logger)
	// go-redis logs pool and dial failures with the Redis address through a
	// process-wide logger; route them to ours without their arguments.
	throttle.InstallRedisLogger(logger)
	// Tracing: the W3C propagator always (a client's traceparent reaches
	// the upstreams even when this BFF records nothing), a recording
	// provider only when telemetry.tracing names an exporter.
	tp, shutdownTracing, err := telemetry.NewTracerProvider(spec.Name, cfg.Telemetry.Tracing, stdout)
	if err != nil {
		return fmt.Errorf("%s: %w", spec.Name, err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := shutdownTracing(sctx); err != nil {
			logger.Warn("flushing spans failed", slog.Any("error", err))
		}
	}()
	otel.SetTextMapPropagator(telemetry.Propagator())
	if cfg.Telemetry.Tracing.Enabled() {
		otel.SetTracerProvider(tp)
	}
	var metricOpts []telemetry.MetricsOption
	if cfg.Telemetry.Metrics.OTLP {
		reader, err := telemetry.NewOTLPMetricReader(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", spec.Name, err)
		}
		metricOpts = append(metricOpts, telemetry.WithMetricReader(reader))
	}
	metrics, err := telemetry.NewMetrics(spec.Name, metricOpts...)
	if err != nil {
		return fmt.Errorf("%s: %w", spec.Name, err)
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := metrics.Shutdown(sctx); err != nil {
			logger.Warn("flushing metrics failed", slog.Any("error", err))
		}
	}()
	reg := registry.New(registry.WithApp(spec.Name))
	for _, register := range sources {
		if err := register(reg); err != nil {
			return fmt.Errorf("%s: %w", spec.Name, err)
		}
	}
	a, err := New(ctx, spec, cfg, reg, WithLogger(logger), WithMetrics(metrics))
	if err != nil {
		return err
	}
	if err := a.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
