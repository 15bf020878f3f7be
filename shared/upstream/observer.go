package upstream

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/tandemgw/tandem/shared/telemetry"
)

// Observer is told what the clients of this package do, for metrics and
// the access log: every finished call, and the circuit breaker of every
// upstream. telemetry.Metrics implements it.
type Observer interface {
	// UpstreamDone is called once per call, after its last attempt (or
	// its refusal), with the caller's context.
	UpstreamDone(ctx context.Context, call telemetry.UpstreamCall)
	// WatchBreaker is called once per client with a function reading its
	// circuit breaker's state ("closed", "half-open", "open", "disabled").
	WatchBreaker(service string, state func() string)
}

var _ Observer = (*telemetry.Metrics)(nil)

// WithObserver reports every call and the circuit breaker to o. Default:
// none.
func WithObserver(o Observer) Option { return func(opts *options) { opts.observer = o } }

// WithMeterProvider records the semantic-convention client metrics of
// every attempt (http.client.request.duration from otelhttp,
// rpc.client.call.duration from otelgrpc) on mp, with the upstream.service
// attribute. Default: none are recorded.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(opts *options) { opts.meterProvider = mp }
}

// observed runs p.run for the call named operation and reports it to the
// observer: how many attempts left the gateway, the failure's code, and
// whether the breaker refused it.
func (p *policy) observed(ctx context.Context, operation string, idempotent bool, attempt func(ctx context.Context) *failure) error {
	obs := p.opts.observer
	if obs == nil {
		return p.run(ctx, idempotent, attempt)
	}
	start := time.Now()
	attempts := 0 // run calls attempt sequentially
	err := p.run(ctx, idempotent, func(actx context.Context) *failure {
		attempts++
		return attempt(actx)
	})
	call := telemetry.UpstreamCall{
		Service:   p.service,
		Operation: operation,
		Attempts:  attempts,
		Code:      string(CodeOf(err)),
		Duration:  time.Since(start),
	}
	if errors.Is(err, errCircuitOpen) {
		call.Rejected = telemetry.RejectCircuitOpen
	}
	obs.UpstreamDone(ctx, call)
	return err
}

// watchBreaker hands the policy's breaker to the observer.
func (p *policy) watchBreaker() {
	if p.opts.observer != nil {
		p.opts.observer.WatchBreaker(p.service, p.breakerState)
	}
}
