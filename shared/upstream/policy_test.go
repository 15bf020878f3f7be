package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/shared/errcode"
)

// eventLog is an Observer that counts what it is told.
type eventLog struct {
	mu        sync.Mutex
	calls     map[errcode.Code]int
	attempts  map[string]int // endpoint -> attempts
	retries   int
	exhausted int
	bulkhead  int
	breaker   []string // "from>to"
	ejected   []string
	returned  []string
}

func newEventLog() *eventLog {
	return &eventLog{calls: map[errcode.Code]int{}, attempts: map[string]int{}}
}

func (r *eventLog) CallDone(_ string, c errcode.Code, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[c]++
}

func (r *eventLog) AttemptDone(_, e string, _ errcode.Code, _ time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.attempts[e]++
}

func (r *eventLog) Retried(string, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.retries++
}

func (r *eventLog) RetryBudgetExhausted(string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.exhausted++
}

func (r *eventLog) BreakerChanged(_, from, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.breaker = append(r.breaker, from+">"+to)
}

func (r *eventLog) BulkheadRejected(string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bulkhead++
}

func (r *eventLog) EndpointEjected(_, e string, _ time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ejected = append(r.ejected, e)
}

func (r *eventLog) EndpointReturned(_, e string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.returned = append(r.returned, e)
}

func (r *eventLog) get(f func(*eventLog) int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return f(r)
}

// scripted is a test upstream that answers each call with the next status
// of its script (the last one repeats) and counts the calls.
type scripted struct {
	mu     sync.Mutex
	script []int
	calls  atomic.Int32
	srv    *httptest.Server
}

func newScripted(t *testing.T, script ...int) *scripted {
	s := &scripted{script: script}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := int(s.calls.Add(1))
		s.mu.Lock()
		st := s.script[min(n, len(s.script))-1]
		s.mu.Unlock()
		if st != http.StatusOK {
			w.WriteHeader(st)
			return
		}
		fmt.Fprint(w, `{"id":"ok"}`)
	}))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *scripted) set(script ...int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = script
	s.calls.Store(0)
}

// TestLocalFailuresNeitherCountNorRetry is the regression test of an
// idempotency key net/http refuses to send ("a\nb"): it used to be an
// unhealthy, retried upstream failure that opened the breaker for every
// user while the upstream received nothing. Now it is the caller's
// BAD_USER_INPUT, the upstream is never called, nothing is retried, and
// the breaker (which a single counted failure would open here) stays
// closed.
func TestLocalFailuresNeitherCountNorRetry(t *testing.T) {
	up := newScripted(t, http.StatusOK)
	rec := newEventLog()
	c := newClient(t, up.srv, Config{Retries: 2, Breaker: Breaker{MinRequests: 1, FailureRatio: 0.1}}, WithObserver(rec))
	for range 10 {
		err := c.PostJSON(context.Background(), "/orders", http.Header{"Idempotency-Key": {"a\nb"}}, map[string]string{}, nil)
		var ue *Error
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, errcode.BadUserInput, ue.Code)
		var ie *InputError
		require.ErrorAs(t, err, &ie)
		assert.Equal(t, "Idempotency-Key must not contain control characters", ie.Error())
	}
	assert.EqualValues(t, 0, up.calls.Load(), "nothing reached the upstream")
	assert.Equal(t, "closed", c.BreakerState())
	assert.Zero(t, rec.get(func(r *eventLog) int { return r.retries }))
	require.NoError(t, c.GetJSON(context.Background(), "/x", nil, &item{}), "the upstream is still served")
}

// TestBreakerCountsOneOutcomePerCall: a call that fails twice and then
// succeeds on retry is one success; a call whose three attempts all fail
// is one failure, which stays under MinRequests (counting attempts would
// have made it three and opened the breaker).
func TestBreakerCountsOneOutcomePerCall(t *testing.T) {
	up := newScripted(t, 503, 503, 200)
	c := newClient(t, up.srv, Config{Retries: 2, Breaker: Breaker{MinRequests: 3, FailureRatio: 0.5}})
	require.NoError(t, c.GetJSON(context.Background(), "/x", nil, &item{}))
	assert.EqualValues(t, 3, up.calls.Load())

	up.set(503)
	assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(c.GetJSON(context.Background(), "/x", nil, &item{})))
	assert.EqualValues(t, 3, up.calls.Load(), "three attempts")
	assert.Equal(t, "closed", c.BreakerState(), "1 success and 1 failure: under MinRequests")

	// The third counted call reaches MinRequests with 2 of 3 failed.
	assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(c.GetJSON(context.Background(), "/x", nil, &item{})))
	assert.Equal(t, "open", c.BreakerState())
}

// TestBreakerTripsOnRatioNotOnARun: failures scattered under the ratio
// never open the breaker, however many there are in a row at the start.
func TestBreakerTripsOnRatioNotOnARun(t *testing.T) {
	up := newScripted(t, 200)
	c := newClient(t, up.srv, Config{Retries: -1, Breaker: Breaker{MinRequests: 10, FailureRatio: 0.5, Window: time.Minute}})
	// 4 failures in a row, then 6 successes: 40% < 50%.
	up.set(500, 500, 500, 500, 200)
	for range 10 {
		_ = c.GetJSON(context.Background(), "/x", nil, &item{})
	}
	assert.Equal(t, "closed", c.BreakerState())
	// Two more failures: 6 of 12 = 50%.
	up.set(500)
	for range 2 {
		_ = c.GetJSON(context.Background(), "/x", nil, &item{})
	}
	assert.Equal(t, "open", c.BreakerState())
}

// TestCallerGoneIsNotCountedButSpentBudgetIs: a caller that cancels says
// nothing about the upstream; a request budget that runs out while the
// upstream held at least MinAttempt of it does (a hung upstream must trip
// the breaker even when budgets are shorter than attempt timeouts).
func TestCallerGoneIsNotCountedButSpentBudgetIs(t *testing.T) {
	held := make(chan struct{}, 16)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		held <- struct{}{}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newClient(t, srv, Config{Timeout: time.Minute, MinAttempt: 20 * time.Millisecond, Breaker: Breaker{MinRequests: 1, FailureRatio: 1}})

	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-held; cancel() }()
	assert.Equal(t, errcode.UpstreamTimeout, CodeOf(c.GetJSON(ctx, "/x", nil, &item{})))
	assert.Equal(t, "closed", c.BreakerState(), "a caller that left is not counted")

	ctx, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	assert.Equal(t, errcode.UpstreamTimeout, CodeOf(c.GetJSON(ctx, "/x", nil, &item{})))
	assert.Equal(t, "open", c.BreakerState(), "the upstream held the whole budget")
}

// TestRetriesStopWhenTheBudgetCannotFitAnAttempt: with 320ms left and an
// upstream that answers 503 after 100ms, the retry after the first answer
// fits (220ms left, MinAttempt 150ms) and the one after the second does
// not (120ms left): the call ends with the upstream's own answer, never
// with an attempt cut short by the deadline, and before the deadline.
func TestRetriesStopWhenTheBudgetCannotFitAnAttempt(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		time.Sleep(100 * time.Millisecond) // the upstream's latency under test
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := newClient(t, srv, Config{Retries: 10, MinAttempt: 150 * time.Millisecond}, WithoutBreaker())
	ctx, cancel := context.WithTimeout(context.Background(), 320*time.Millisecond)
	defer cancel()
	err := c.GetJSON(ctx, "/x", nil, &item{})
	assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(err), "stopped before the deadline instead of running into it: %v", err)
	assert.NoError(t, ctx.Err(), "returned before the deadline")
	assert.LessOrEqual(t, calls.Load(), int32(2))
}

func TestDeadlineTravelsInAHeader(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get(DeadlineHeader)
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	c := newClient(t, srv, Config{Timeout: 2 * time.Second})

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	require.NoError(t, c.GetJSON(ctx, "/x", nil, &struct{}{}))
	ms, err := strconv.Atoi(<-got)
	require.NoError(t, err)
	assert.True(t, ms > 0 && ms <= 300, "the request's budget, not the 2s attempt timeout: %d", ms)

	require.NoError(t, c.GetJSON(context.Background(), "/x", nil, &struct{}{}))
	ms, _ = strconv.Atoi(<-got)
	assert.True(t, ms > 1000 && ms <= 2000, "the attempt timeout without a budget: %d", ms)
}

// TestBulkheadFailsOverflowFast: with one call in flight and MaxConcurrent
// 1, the next call fails at once with UPSTREAM_UNAVAILABLE without
// reaching the upstream, is reported, and does not count against the
// breaker.
func TestBulkheadFailsOverflowFast(t *testing.T) {
	arrived := make(chan struct{}, 1)
	release := make(chan struct{})
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		arrived <- struct{}{}
		<-release
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	rec := newEventLog()
	c := newClient(t, srv, Config{MaxConcurrent: 1, Breaker: Breaker{MinRequests: 1, FailureRatio: 0.1}}, WithObserver(rec))

	first := make(chan error, 1)
	go func() { first <- c.GetJSON(context.Background(), "/x", nil, &struct{}{}) }()
	<-arrived
	assert.Equal(t, 1, c.State().InFlight)

	err := c.GetJSON(context.Background(), "/x", nil, &struct{}{})
	assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(err))
	assert.ErrorIs(t, err, errBulkheadFull)
	assert.EqualValues(t, 1, calls.Load(), "the overflow never reached the upstream")
	assert.Equal(t, 1, rec.get(func(r *eventLog) int { return r.bulkhead }))
	assert.Equal(t, "closed", c.BreakerState())

	close(release)
	require.NoError(t, <-first)
	assert.Equal(t, 0, c.State().InFlight)
}

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_800_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestRetryBudgetAllowsRatioPlusFloor(t *testing.T) {
	clock := newFakeClock()
	b := newRetryBudget(RetryBudget{Ratio: 0.1, MinPerSecond: 0.2, Window: 10 * time.Second}, clock.Now)
	for range 100 {
		b.call()
	}
	allowed := 0
	for range 50 {
		if b.tryRetry() {
			allowed++
		}
	}
	assert.Equal(t, 12, allowed, "10% of 100 calls plus a floor of 0.2/s over 10s")

	// Half the window later the calls and retries are still in it.
	clock.Advance(5 * time.Second)
	assert.False(t, b.tryRetry())
	// Once they left the window, only the floor is left.
	clock.Advance(6 * time.Second)
	allowed = 0
	for range 50 {
		if b.tryRetry() {
			allowed++
		}
	}
	assert.Equal(t, 2, allowed)
}

// TestRetryBudgetBoundsRetriesOfAFailingUpstream: against an upstream that
// always fails, 200 calls allowed 2 retries each make at most 10% more
// requests plus the floor, not three times as many.
func TestRetryBudgetBoundsRetriesOfAFailingUpstream(t *testing.T) {
	up := newScripted(t, 503)
	rec := newEventLog()
	clock := newFakeClock()
	c := newClient(t, up.srv, Config{Retries: 2, RetryBudget: RetryBudget{Ratio: 0.1, MinPerSecond: 0.5, Window: 10 * time.Second}},
		WithoutBreaker(), WithObserver(rec), WithClock(clock.Now))
	for range 200 {
		_ = c.GetJSON(context.Background(), "/x", nil, &item{})
	}
	assert.EqualValues(t, 200+20+5, up.calls.Load(), "200 calls, 10% retried, plus a floor of 5")
	assert.Equal(t, 25, rec.get(func(r *eventLog) int { return r.retries }))
	assert.Positive(t, rec.get(func(r *eventLog) int { return r.exhausted }))
}

func TestObserverSeesCallsAttemptsAndRetries(t *testing.T) {
	up := newScripted(t, 503, 200)
	rec := newEventLog()
	c := newClient(t, up.srv, Config{Retries: 2}, WithObserver(rec))
	require.NoError(t, c.GetJSON(context.Background(), "/x", nil, &item{}))
	up.set(404)
	assert.True(t, IsNotFound(c.GetJSON(context.Background(), "/x", nil, &item{})))
	rec.mu.Lock()
	defer rec.mu.Unlock()
	assert.Equal(t, map[errcode.Code]int{"": 1, errcode.NotFound: 1}, rec.calls)
	assert.Equal(t, map[string]int{DefaultEndpointName: 3}, rec.attempts)
	assert.Equal(t, 1, rec.retries)
}

func TestConfigValidate(t *testing.T) {
	bad := []Config{
		{Address: "http://a", Endpoints: []Endpoint{{Name: "a", Address: "http://a", Weight: 1}}},
		{Endpoints: []Endpoint{{Name: "A", Address: "http://a", Weight: 1}}},
		{Endpoints: []Endpoint{{Name: "a", Address: "http://a"}}},
		{Endpoints: []Endpoint{{Name: "a", Address: "http://a", Weight: 1}, {Name: "a", Address: "http://b", Weight: 1}}},
		{Address: "http://a", Breaker: Breaker{FailureRatio: 2}},
		{Address: "http://a", RetryBudget: RetryBudget{Ratio: -1}},
		{Address: "http://a", TLS: TLS{Cert: "c.pem"}},
		{Address: "http://a", MaxConcurrent: -1},
	}
	for i, c := range bad {
		assert.Error(t, c.Validate("upstreams.x"), "case %d", i)
	}
	assert.NoError(t, Config{Address: "http://a"}.WithDefaults().Validate("upstreams.x"))
	err := Config{Endpoints: []Endpoint{{Name: "a", Address: "http://a"}}}.Validate("upstreams.catalog")
	assert.ErrorContains(t, err, "upstreams.catalog.endpoints")
}

func TestRefusalIsNotTheUpstreams(t *testing.T) {
	assert.False(t, errors.Is(&Error{Code: errcode.BadUserInput}, &Error{Code: errcode.BadRequest}), "the gateway's refusal is not the upstream's")
}
