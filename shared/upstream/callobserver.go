package upstream

import (
	"context"
	"errors"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/tandemgw/tandem/shared/telemetry"
)

// CallObserver is told, with the caller's context, about every finished
// call and the circuit breaker of every upstream: for metrics and the
// request's access log line. telemetry.Metrics implements it. Observer
// (events without a request) and CallObserver (one record per call, with
// its request) serve different readers; a client may have both.
type CallObserver interface {
	// UpstreamDone is called once per call, after its last attempt (or
	// its refusal), with the caller's context.
	UpstreamDone(ctx context.Context, call telemetry.UpstreamCall)
	// WatchBreaker is called once per client with a function reading its
	// circuit breaker's state ("closed", "half-open", "open", "disabled").
	WatchBreaker(service string, state func() string)
}

var _ CallObserver = (*telemetry.Metrics)(nil)

// WithCallObserver reports every call and the circuit breaker to o.
// Default: none.
func WithCallObserver(o CallObserver) Option {
	return func(opts *options) { opts.callObserver = o }
}

// WithMeterProvider records the semantic-convention client metrics of
// every attempt (http.client.request.duration from otelhttp,
// rpc.client.call.duration from otelgrpc) on mp, with the upstream.service
// attribute. Default: none are recorded.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(opts *options) { opts.meterProvider = mp }
}

// observed runs p.run for the call named operation and reports it to the
// call observer: how many attempts left the gateway, the failure's code,
// and whether the breaker or the bulkhead refused it.
func (p *policy) observed(ctx context.Context, operation string, idempotent bool, attempt attemptFunc) error {
	obs := p.opts.callObserver
	if obs == nil {
		return p.run(ctx, idempotent, attempt)
	}
	start := time.Now()
	attempts := 0 // run calls attempt sequentially
	err := p.run(ctx, idempotent, func(actx context.Context, ep *endpoint) *failure {
		attempts++
		return attempt(actx, ep)
	})
	call := telemetry.UpstreamCall{
		Service:   p.service,
		Operation: operation,
		Attempts:  attempts,
		Code:      string(CodeOf(err)),
		Duration:  time.Since(start),
	}
	switch {
	case errors.Is(err, errCircuitOpen):
		call.Rejected, call.Attempts = telemetry.RejectCircuitOpen, 0
	case errors.Is(err, errBulkheadFull):
		call.Rejected = telemetry.RejectBulkhead
		call.Attempts-- // the refused attempt never left the gateway
	}
	obs.UpstreamDone(ctx, call)
	return err
}

// watchBreaker hands the policy's breaker to the call observer.
func (p *policy) watchBreaker() {
	if p.opts.callObserver != nil {
		p.opts.callObserver.WatchBreaker(p.service, p.breakerState)
	}
}
