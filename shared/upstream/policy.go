package upstream

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/sony/gobreaker/v2"
	"golang.org/x/sync/semaphore"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/telemetry"
)

// failure is the outcome of one failed attempt, as the policy sees it.
type failure struct {
	err        *Error
	retryable  bool // the same request may succeed if tried again
	unhealthy  bool // counts against the upstream (breaker, outlier ejection)
	callerGone bool // the caller's context ended; neither retried nor counted
	// local: the request never left the gateway (invalid input, a request
	// that cannot be built, a full bulkhead). Never retried, never counted
	// against the upstream or its endpoint.
	local bool
}

func (f *failure) Error() string { return f.err.Error() }
func (f *failure) Unwrap() error { return f.err }

// Markers handed to the two-step breaker to report a call's outcome.
var (
	errUnhealthy = errors.New("upstream failure")
	errExcluded  = errors.New("not the upstream's doing")
)

// policy is what every call to one upstream goes through, REST and gRPC
// alike: the circuit breaker (one outcome per logical call), the retry
// allowance and the retry budget, the deadline (each attempt gets the
// smaller of Config.Timeout and what is left of the request's budget), the
// bulkhead, and the choice of endpoint with outlier ejection.
type policy struct {
	service   string
	cfg       Config
	opts      *options
	obs       Observer
	breaker   *gobreaker.TwoStepCircuitBreaker[struct{}] // nil when disabled
	budget    *retryBudget
	bulkhead  *semaphore.Weighted
	inFlight  atomic.Int64
	endpoints *endpointSet
	tls       *tlsFiles // nil without Config.TLS
}

func newPolicy(service string, cfg Config, o *options) (*policy, error) {
	obs := append(observers{logObserver{logger: o.logger}}, o.observers...)
	p := &policy{
		service:   service,
		cfg:       cfg,
		opts:      o,
		obs:       obs,
		budget:    newRetryBudget(cfg.RetryBudget, o.now),
		bulkhead:  semaphore.NewWeighted(int64(cfg.MaxConcurrent)),
		endpoints: newEndpointSet(service, cfg, o.now, obs),
	}
	if cfg.TLS.Enabled() {
		f, err := newTLSFiles(service, cfg.TLS, o.logger, o.now)
		if err != nil {
			return nil, err
		}
		p.tls = f
	}
	if o.breakerOff || cfg.Breaker.Disabled {
		return p, nil
	}
	b := cfg.Breaker
	p.breaker = gobreaker.NewTwoStepCircuitBreaker[struct{}](gobreaker.Settings{
		Name:         service,
		MaxRequests:  b.HalfOpenRequests,
		Interval:     b.Window,
		BucketPeriod: b.Window / 10,
		Timeout:      b.OpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			n := c.TotalSuccesses + c.TotalFailures
			return n >= b.MinRequests && float64(c.TotalFailures) >= b.FailureRatio*float64(n)
		},
		IsSuccessful: func(err error) bool { return !errors.Is(err, errUnhealthy) },
		IsExcluded:   func(err error) bool { return errors.Is(err, errExcluded) },
		OnStateChange: func(name string, from, to gobreaker.State) {
			obs.BreakerChanged(name, from.String(), to.String())
		},
	})
	p.watchBreaker()
	return p, nil
}

// breakerState reports the breaker's state ("closed", "half-open", "open",
// or "disabled").
func (p *policy) breakerState() string {
	if p.breaker == nil {
		return "disabled"
	}
	return p.breaker.State().String()
}

// State is a snapshot of one upstream's resilience state, for readiness
// checks, metrics and tests.
type State struct {
	Service   string
	Breaker   string // "closed", "half-open", "open" or "disabled"
	InFlight  int    // calls holding a bulkhead slot
	Endpoints []EndpointState
}

func (p *policy) state() State {
	return State{
		Service:   p.service,
		Breaker:   p.breakerState(),
		InFlight:  int(p.inFlight.Load()),
		Endpoints: p.endpoints.snapshot(),
	}
}

// attemptFunc is one try of a call against ep with the attempt's context.
type attemptFunc func(actx context.Context, ep *endpoint) *failure

// run makes one logical call: the breaker admits it (once), then attempts
// run until one succeeds, one fails for good, the retry allowance (only
// for idempotent calls) or the retry budget is spent, or what is left of
// the request's budget cannot fit another attempt.
func (p *policy) run(ctx context.Context, idempotent bool, attempt attemptFunc) error {
	start := time.Now()
	e := p.call(ctx, idempotent, attempt)
	if e == nil {
		p.obs.CallDone(p.service, "", time.Since(start))
		return nil // never a nil *Error inside an error
	}
	p.obs.CallDone(p.service, e.Code, time.Since(start))
	return e
}

func (p *policy) call(ctx context.Context, idempotent bool, attempt attemptFunc) *Error {
	if ctx.Err() != nil {
		return p.callerErr(ctx)
	}
	done := func(error) {}
	if p.breaker != nil {
		d, err := p.breaker.Allow()
		if err != nil {
			// Fail fast: the breaker exists so that nobody waits on a dead
			// upstream.
			return &Error{Service: p.service, Code: errcode.UpstreamUnavailable, Err: errCircuitOpen}
		}
		done = d
	}
	p.budget.call()
	max := 1
	if idempotent {
		max = p.cfg.attempts()
	}
	var tried []*endpoint
	var last *failure
	for n := 0; n < max; n++ {
		if n > 0 && !p.retry(ctx, n) {
			break
		}
		ep, err := p.endpoints.pick(ctx, tried)
		if err != nil {
			var ie *InputError
			errors.As(err, &ie)
			done(errExcluded)
			return invalidInput(p.service, ie)
		}
		tried = append(tried, ep)
		last = p.once(ctx, ep, attempt)
		switch {
		case last == nil:
			done(nil)
			return nil
		case last.callerGone:
			done(errExcluded)
			return p.callerErr(ctx)
		case last.local:
			done(errExcluded)
			return last.err
		}
		if !last.retryable {
			break
		}
	}
	if last.unhealthy {
		done(errUnhealthy)
	} else {
		done(nil) // the upstream answered, if unhappily (a 404 is health)
	}
	return last.err
}

// retry decides whether retry n (1, 2, ...) happens and waits its backoff.
// The budget check comes first and costs nothing; the retry budget is
// drawn only for a retry that will happen.
func (p *policy) retry(ctx context.Context, n int) bool {
	d := p.backoff(n)
	if dl, ok := ctx.Deadline(); ok && time.Until(dl)-d < p.cfg.MinAttempt {
		return false // another attempt would not fit the request's budget
	}
	if !p.budget.tryRetry() {
		p.obs.RetryBudgetExhausted(p.service)
		return false
	}
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	if ctx.Err() != nil {
		return false
	}
	p.obs.Retried(p.service, n+1)
	return true
}

// backoff is the jittered wait before retry n: a random duration in
// [0, min(max, base*2^(n-1))) ("full jitter").
func (p *policy) backoff(n int) time.Duration {
	ceiling := p.opts.backoffBase << (n - 1)
	if ceiling > p.opts.backoffMax || ceiling <= 0 {
		ceiling = p.opts.backoffMax
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling)
}

// once runs one attempt against ep within the bulkhead and with the
// attempt's deadline, and records its outcome for the endpoint.
func (p *policy) once(ctx context.Context, ep *endpoint, attempt attemptFunc) *failure {
	if !p.bulkhead.TryAcquire(1) {
		p.obs.BulkheadRejected(p.service)
		return &failure{err: &Error{Service: p.service, Code: errcode.UpstreamUnavailable, Err: errBulkheadFull}, local: true}
	}
	p.inFlight.Add(1)
	defer func() {
		p.inFlight.Add(-1)
		p.bulkhead.Release(1)
	}()
	start := time.Now()
	allotted := p.cfg.Timeout
	if dl, ok := ctx.Deadline(); ok {
		allotted = min(allotted, time.Until(dl))
	}
	actx, cancel := context.WithTimeout(ctx, p.cfg.Timeout)
	defer cancel()
	f := attempt(actx, ep)
	if f != nil && f.callerGone && errors.Is(ctx.Err(), context.DeadlineExceeded) && allotted >= p.cfg.MinAttempt {
		// The request's budget ran out while the upstream held a fair
		// share of it: that is the upstream being slow, and it counts.
		f = &failure{err: &Error{Service: p.service, Code: errcode.UpstreamTimeout, Err: context.Cause(ctx)}, unhealthy: true}
	}
	if f != nil && f.local {
		return f
	}
	var code errcode.Code
	if f != nil {
		code = f.err.Code
		if f.err.Err != nil {
			reason := tlsReason(f.err.Err)
			if reason == "" && p.tls != nil && code == errcode.UpstreamUnavailable {
				reason = p.tls.clientCertProblem()
			}
			if reason != "" {
				f.retryable = false // the next handshake fails the same way
				if ep.tlsLog.shouldLog(reason, p.opts.now()) {
					p.opts.logger.Warn("upstream TLS handshake failed",
						slog.String(telemetry.KeyUpstreamService, p.service), slog.String("endpoint", ep.name), slog.String("reason", reason))
				}
			}
		}
	}
	if f == nil || !f.callerGone {
		p.endpoints.record(ep, f == nil || !f.unhealthy)
	}
	p.obs.AttemptDone(p.service, ep.name, code, time.Since(start))
	return f
}

var (
	errCircuitOpen  = errors.New("circuit breaker open")
	errBulkheadFull = errors.New("too many calls in flight (bulkhead full)")
)

// callerErr is the error for a call whose own context ended.
func (p *policy) callerErr(ctx context.Context) *Error {
	return &Error{Service: p.service, Code: errcode.UpstreamTimeout, Err: context.Cause(ctx)}
}

// classifyCtx turns an attempt error that happened while a context ended
// into a failure: the caller's context ending is not the upstream's fault
// (once counts a spent request budget after all); the per-attempt timeout
// is.
func (p *policy) classifyCtx(ctx, actx context.Context, cause error) (*failure, bool) {
	if ctx.Err() != nil {
		return &failure{err: p.callerErr(ctx), callerGone: true}, true
	}
	if actx.Err() != nil {
		return &failure{err: &Error{Service: p.service, Code: errcode.UpstreamTimeout, Err: scrub(cause)}, retryable: true, unhealthy: true}, true
	}
	return nil, false
}

// localFailure is a failure raised before the request left the gateway.
func (p *policy) localFailure(err error) *failure {
	var ie *InputError
	if errors.As(err, &ie) {
		return &failure{err: invalidInput(p.service, ie), local: true}
	}
	return &failure{err: &Error{Service: p.service, Code: errcode.InternalServerError, Err: scrub(err)}, local: true}
}

// logObserver logs the state changes an operator must see.
type logObserver struct {
	NopObserver
	logger *slog.Logger
}

func (l logObserver) BreakerChanged(service, from, to string) {
	l.logger.Warn("upstream circuit breaker changed state",
		slog.String(telemetry.KeyUpstreamService, service), slog.String("from", from), slog.String("to", to))
}

func (l logObserver) EndpointEjected(service, endpoint string, until time.Time) {
	l.logger.Warn("upstream endpoint ejected after consecutive failures",
		slog.String(telemetry.KeyUpstreamService, service), slog.String("endpoint", endpoint), slog.Time("until", until))
}

func (l logObserver) EndpointReturned(service, endpoint string) {
	l.logger.Info("upstream endpoint back in rotation", slog.String(telemetry.KeyUpstreamService, service), slog.String("endpoint", endpoint))
}

// reject reports a call refused before any attempt and returns its error.
func (p *policy) reject(e *Error) error {
	p.obs.CallDone(p.service, e.Code, 0)
	return e
}
