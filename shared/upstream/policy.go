package upstream

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/tandemgw/tandem/shared/telemetry"
)

// failure is the outcome of one failed attempt, as the policy sees it.
type failure struct {
	err        *Error
	retryable  bool // the same request may succeed if tried again
	unhealthy  bool // counts against the upstream's circuit breaker
	callerGone bool // the caller's context ended; neither retried nor counted
}

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// policy applies timeouts, retries and the circuit breaker to attempts
// against one upstream. It is shared by the REST client and the gRPC
// interceptor of that upstream.
type policy struct {
	service string
	cfg     Config
	opts    *options
	breaker *gobreaker.CircuitBreaker[struct{}]
}

func newPolicy(service string, cfg Config, o *options) *policy {
	p := &policy{service: service, cfg: cfg, opts: o}
	if o.breakerOff {
		return p
	}
	bs := o.breaker
	p.breaker = gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        service,
		MaxRequests: bs.HalfOpenRequests,
		Timeout:     bs.OpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= bs.ConsecutiveFailures },
		IsSuccessful: func(err error) bool {
			var f *failure
			return err == nil || !errors.As(err, &f) || !f.unhealthy
		},
		IsExcluded: func(err error) bool {
			var f *failure
			return errors.As(err, &f) && f.callerGone
		},
		OnStateChange: func(name string, from, to gobreaker.State) {
			o.logger.Warn("upstream circuit breaker changed state",
				slog.String(telemetry.KeyUpstreamService, name), slog.String("from", from.String()), slog.String("to", to.String()))
		},
	})
	p.watchBreaker()
	return p
}

// BreakerState reports the breaker's state ("closed", "half-open", "open",
// or "disabled"); meant for readiness checks and tests.
func (p *policy) breakerState() string {
	if p.breaker == nil {
		return "disabled"
	}
	return p.breaker.State().String()
}

// run calls attempt until it succeeds, fails for good, the retry allowance
// (only for idempotent calls) is spent, or the next try would start past the
// caller's deadline. Each attempt gets its own timeout of cfg.Timeout.
func (p *policy) run(ctx context.Context, idempotent bool, attempt func(ctx context.Context) *failure) error {
	max := 1
	if idempotent {
		max = p.cfg.attempts()
	}
	var last *failure
	for n := 0; n < max; n++ {
		if n > 0 {
			if !p.wait(ctx, n) {
				break
			}
		}
		if err := ctx.Err(); err != nil {
			return p.callerErr(ctx)
		}
		last = p.once(ctx, attempt)
		if last == nil {
			return nil
		}
		if last.callerGone {
			return p.callerErr(ctx)
		}
		if !last.retryable {
			break
		}
	}
	return last.err
}

// once runs one attempt through the breaker with the per-attempt timeout.
func (p *policy) once(ctx context.Context, attempt func(ctx context.Context) *failure) *failure {
	actx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	if p.breaker == nil {
		return attempt(actx)
	}
	_, err := p.breaker.Execute(func() (struct{}, error) {
		if f := attempt(actx); f != nil {
			return struct{}{}, f
		}
		return struct{}{}, nil
	})
	if err == nil {
		return nil
	}
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		// Fail fast: the breaker exists so that nobody waits on a dead
		// upstream, so retrying here would defeat it.
		return &failure{err: &Error{Service: p.service, Code: CodeUnavailable, Err: errCircuitOpen}}
	}
	return &failure{err: &Error{Service: p.service, Code: CodeInternal, Err: err}}
}

var errCircuitOpen = errors.New("circuit breaker open")

// wait sleeps the jittered backoff before retry n, unless that would end
// past the caller's deadline. It reports whether to go on.
func (p *policy) wait(ctx context.Context, n int) bool {
	ceiling := p.opts.backoffBase << (n - 1)
	if ceiling > p.opts.backoffMax || ceiling <= 0 {
		ceiling = p.opts.backoffMax
	}
	var d time.Duration
	if ceiling > 0 {
		d = rand.N(ceiling) // full jitter
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= d {
		return false
	}
	if d == 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// callerErr is the error for a call whose own context ended.
func (p *policy) callerErr(ctx context.Context) *Error {
	return &Error{Service: p.service, Code: CodeTimeout, Err: context.Cause(ctx)}
}

// classifyCtx turns an attempt error that happened while a context ended
// into a failure: the caller's context ending is not the upstream's fault;
// the per-attempt timeout is.
func (p *policy) classifyCtx(ctx, actx context.Context, cause error) (*failure, bool) {
	if ctx.Err() != nil {
		return &failure{err: p.callerErr(ctx), callerGone: true}, true
	}
	if actx.Err() != nil {
		return &failure{err: &Error{Service: p.service, Code: CodeTimeout, Err: scrub(cause)}, retryable: true, unhealthy: true}, true
	}
	return nil, false
}
