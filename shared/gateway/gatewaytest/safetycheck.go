package gatewaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/upstream"
	"github.com/tandemgw/tandem/shared/upstream/tlstest"
)

// Safety describes a BFF to the upstream safety checks: how to build it
// and what its schema asks of each backend. The checks drive the BFF
// through its own constructor against the mocks' fault injection and
// assert its answers, error codes and the mocks' call counters.
type Safety struct {
	// Options build the BFF (Spec, New, Register); the checks set Tweak,
	// AppOptions and MockOptions themselves.
	Options Options
	// Product is a query of one product ($id) that reads its name from
	// catalog and a field from each of inventory, pricing and reviews.
	Product string
	// Fields are the dot paths of Product's answer each service feeds:
	// "catalog" (the name), "inventory", "pricing" and "reviews".
	Fields map[string]string
	// AddToCart adds one unit of $p to the viewer's cart (field
	// "addToCart"); PlaceOrder places the cart with address $a and key $k
	// (field "placeOrder").
	AddToCart, PlaceOrder string
	// ViewerOrders reads the viewer's orders (the orders service) at path
	// OrdersPath.
	ViewerOrders, OrdersPath string
}

// The signed-in shopper of the checks and one of their addresses.
const (
	safetyUser    = "usr_000042"
	safetyAddress = "adr_000042_1"
	safetyProduct = "prd_000042"
)

func (s Safety) start(t *testing.T, tweak func(*gateway.Config), opts ...gateway.Option) *Env {
	t.Helper()
	o := s.Options
	o.Tweak = s.tweak(tweak)
	o.AppOptions = append(append([]gateway.Option(nil), o.AppOptions...), opts...)
	return Start(t, o)
}

// tweak runs the BFF's own test tweak, then the check's.
func (s Safety) tweak(check func(*gateway.Config)) func(*gateway.Config) {
	base := s.Options.Tweak
	return func(c *gateway.Config) {
		if base != nil {
			base(c)
		}
		if check != nil {
			check(c)
		}
	}
}

// tweakUpstream changes one upstream's settings.
func tweakUpstream(c *gateway.Config, id string, f func(*upstream.Config)) {
	u := c.Upstreams[id]
	f(&u)
	c.Upstreams[id] = u
}

// eventually polls cond until it holds, failing the test after timeout.
// For waits that no event announces (a cool-down, a call ending in
// another process's goroutine); the bound keeps a broken gateway from
// hanging the test.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// CheckBadIdempotencyKeyKeepsBreakerClosed is the regression test of an
// idempotency key net/http refuses to send: placeOrder with "a\nb", twice,
// is the caller's BAD_USER_INPUT, never reaches orders, and leaves the
// orders breaker closed for everyone, even one tuned so that a single
// counted failure would open it.
func CheckBadIdempotencyKeyKeepsBreakerClosed(t *testing.T, s Safety) {
	e := s.start(t, func(c *gateway.Config) {
		tweakUpstream(c, "orders", func(u *upstream.Config) {
			u.Breaker = upstream.Breaker{MinRequests: 1, FailureRatio: 0.01}
		})
	})
	tok := e.Token(safetyUser, "orders:read", "orders:write")
	for range 2 {
		r := e.Do(Request{Query: s.PlaceOrder, Vars: map[string]any{"a": safetyAddress, "k": "a\nb"}, Token: tok})
		r.WantCode(t, "placeOrder", errcode.BadUserInput)
	}
	if n := e.Mocks.Counters().Get("orders", "POST /orders"); n != 0 {
		t.Fatalf("POST /orders reached %d times", n)
	}
	other := e.Token("usr_000007", "orders:read")
	r := e.Do(Request{Query: s.ViewerOrders, Token: other})
	r.NoErrors(t)
	var doc any
	r.Decode(t, &doc)
	if v, ok := LookupPath(doc, s.OrdersPath); !ok || v == nil {
		t.Fatalf("another user's orders missing: %s", r.Data)
	}
	if e.Mocks.Counters().Total("orders") == 0 {
		t.Fatal("the orders service was not called for another user's orders")
	}
}

// CheckHungBackendAnswersWithinBudget: with a request budget of 600ms and
// one backend hanging (inventory over gRPC, then reviews over REST), the
// answer comes within the budget plus 100ms, the hung backend's field is
// null with UPSTREAM_TIMEOUT, and every other field is there. The
// backends were told how long the gateway would wait.
func CheckHungBackendAnswersWithinBudget(t *testing.T, s Safety) {
	const budget = 600 * time.Millisecond
	for _, hung := range []string{"inventory", "reviews"} {
		t.Run(hung, func(t *testing.T) {
			e := s.start(t, func(c *gateway.Config) { c.RequestBudget.Default, c.RequestBudget.Query = budget, budget })
			e.Mocks.Faults().Set(hung, "", mocks.Fault{Kind: mocks.FaultHang})
			start := time.Now()
			r := e.Do(Request{Query: s.Product, Vars: map[string]any{"id": safetyProduct}})
			elapsed := time.Since(start)
			if elapsed > budget+100*time.Millisecond {
				t.Errorf("answered after %s, budget %s", elapsed, budget)
			}
			if len(r.Errors) != 1 {
				t.Fatalf("want one error: %s", r.Raw)
			}
			r.WantCode(t, s.Fields[hung], errcode.UpstreamTimeout)
			var doc any
			r.Decode(t, &doc)
			for svc, path := range s.Fields {
				v, ok := LookupPath(doc, path)
				if svc == hung && (!ok || v != nil) {
					t.Errorf("%s = %v, want null", path, v)
				}
				if svc != hung && (!ok || v == nil) {
					t.Errorf("%s missing with %s hung: %s", path, hung, r.Data)
				}
			}
			for _, svc := range []string{"catalog", hung} {
				for _, rec := range e.Mocks.Requests(svc) {
					if rec.DeadlineMs <= 0 || rec.DeadlineMs > budget.Milliseconds() {
						t.Errorf("%s %s was told %dms, want 1..%d", svc, rec.Route, rec.DeadlineMs, budget.Milliseconds())
					}
				}
			}
		})
	}
}

// CheckRetriesReadsNotUnkeyedWrites: a 503 followed by success is retried
// once for a read, never for a write without an idempotency key, and once
// for placeOrder, whose key makes it idempotent.
func CheckRetriesReadsNotUnkeyedWrites(t *testing.T, s Safety) {
	e := s.start(t, nil)
	once := mocks.Fault{Kind: mocks.FaultError, Status: http.StatusServiceUnavailable, Times: 1}
	tok := e.Token(safetyUser, "orders:read", "orders:write")

	e.Mocks.Faults().Set("catalog", "", once)
	e.Do(Request{Query: OneProduct}).NoErrors(t)
	if n := e.Mocks.Counters().Total("catalog"); n != 2 {
		t.Fatalf("read: catalog called %d times, want 2 (one retry)", n)
	}

	const addLine = "POST /carts/{userId}/lines"
	e.Mocks.Faults().Set("orders", addLine, once)
	r := e.Do(Request{Query: s.AddToCart, Vars: map[string]any{"p": safetyProduct}, Token: tok})
	r.WantCode(t, "addToCart", errcode.UpstreamUnavailable)
	if n := e.Mocks.Counters().Get("orders", addLine); n != 1 {
		t.Fatalf("write without a key: called %d times, want 1 (never retried)", n)
	}
	e.Do(Request{Query: s.AddToCart, Vars: map[string]any{"p": safetyProduct}, Token: tok}).NoErrors(t)

	e.Mocks.Faults().Set("orders", "POST /orders", once)
	e.Do(Request{Query: s.PlaceOrder, Vars: map[string]any{"a": safetyAddress, "k": "retry-check-1"}, Token: tok}).NoErrors(t)
	if n := e.Mocks.Counters().Get("orders", "POST /orders"); n != 2 {
		t.Fatalf("keyed write: called %d times, want 2 (one retry)", n)
	}
}

// CheckBreakerTripsAndRecovers: a continuously failing catalog opens the
// breaker (its call counter goes flat while requests keep coming and get
// UPSTREAM_UNAVAILABLE); once it recovers, a probe after the open period
// closes the breaker and calls flow again.
func CheckBreakerTripsAndRecovers(t *testing.T, s Safety) {
	// The breaker keeps the real clock: OpenFor outlasts the five quick
	// requests made while it is open, by far.
	e := s.start(t, func(c *gateway.Config) {
		tweakUpstream(c, "catalog", func(u *upstream.Config) {
			u.Breaker = upstream.Breaker{MinRequests: 4, FailureRatio: 0.5, OpenFor: time.Second}
		})
	})
	e.Mocks.Faults().Set("catalog", "", mocks.Fault{Kind: mocks.FaultError, Status: http.StatusInternalServerError})
	for range 4 {
		e.Do(Request{Query: OneProduct}).WantCode(t, "product", errcode.UpstreamError)
	}
	flat := e.Mocks.Counters().Total("catalog")
	for range 5 {
		e.Do(Request{Query: OneProduct}).WantCode(t, "product", errcode.UpstreamUnavailable)
	}
	if n := e.Mocks.Counters().Total("catalog"); n != flat {
		t.Fatalf("catalog called %d times with the breaker open, want %d", n, flat)
	}
	e.Mocks.Faults().Clear()
	eventually(t, 5*time.Second, "breaker closes after recovery", func() bool {
		return len(e.Do(Request{Query: OneProduct}).Errors) == 0
	})
	before := e.Mocks.Counters().Total("catalog")
	for range 3 {
		e.Do(Request{Query: OneProduct}).NoErrors(t)
	}
	if n := e.Mocks.Counters().Total("catalog"); n != before+3 {
		t.Fatalf("closed breaker: catalog called %d times, want %d", n, before+3)
	}
}

// CheckBulkheadOverflowFailsFast: with catalog capped at one call in
// flight and that call held, the next request fails at once with
// UPSTREAM_UNAVAILABLE, never reaching catalog, while the first still
// waits; released, the first succeeds.
func CheckBulkheadOverflowFailsFast(t *testing.T, s Safety) {
	e := s.start(t, func(c *gateway.Config) {
		tweakUpstream(c, "catalog", func(u *upstream.Config) { u.MaxConcurrent = 1 })
	})
	e.Mocks.Faults().Set("catalog", "", mocks.Fault{Kind: mocks.FaultHang})
	first := make(chan Response, 1)
	go func() { first <- e.Do(Request{Query: OneProduct}) }()
	eventually(t, 5*time.Second, "first call held", func() bool { return e.Mocks.InFlight("catalog") == 1 })

	r := e.Do(Request{Query: OneProduct})
	r.WantCode(t, "product", errcode.UpstreamUnavailable)
	if _, svc := r.ErrorAt(t, "product").Code(); svc != "catalog" {
		t.Fatalf("service %q", svc)
	}
	select {
	case <-first:
		t.Fatal("the held call ended before the overflow was refused")
	default:
	}
	if n := e.Mocks.Counters().Total("catalog"); n != 1 {
		t.Fatalf("catalog called %d times, want 1", n)
	}
	e.Mocks.Faults().Clear()
	(<-first).NoErrors(t)
}

// CheckRetriesStopAtBudgets: retries stop at the request budget (an
// upstream answering 503 after 150ms within a 500ms budget is tried a few
// times, never past the budget) and at the retry budget (against an
// upstream that always fails, 30 reads allowed two retries each make
// about 10% more calls, not three times as many).
func CheckRetriesStopAtBudgets(t *testing.T, s Safety) {
	t.Run("request budget", func(t *testing.T) {
		const budget = 500 * time.Millisecond
		e := s.start(t, func(c *gateway.Config) {
			c.RequestBudget.Default, c.RequestBudget.Query = budget, budget
			tweakUpstream(c, "catalog", func(u *upstream.Config) {
				u.Retries, u.MinAttempt = 20, 100*time.Millisecond
				u.RetryBudget = upstream.RetryBudget{Ratio: 1, MinPerSecond: 100}
			})
		})
		e.Mocks.Faults().Set("catalog", "", mocks.Fault{Kind: mocks.FaultError, Status: http.StatusServiceUnavailable, Latency: 150 * time.Millisecond})
		start := time.Now()
		r := e.Do(Request{Query: OneProduct})
		elapsed := time.Since(start)
		if c, _ := r.ErrorAt(t, "product").Code(); c != errcode.UpstreamUnavailable && c != errcode.UpstreamTimeout {
			t.Fatalf("code %s", c)
		}
		if n := e.Mocks.Counters().Total("catalog"); n < 2 || n > 4 {
			t.Errorf("catalog called %d times in a %s budget at 150ms each, want 2 to 4", n, budget)
		}
		if elapsed > budget+100*time.Millisecond {
			t.Errorf("answered after %s", elapsed)
		}
	})
	t.Run("retry budget", func(t *testing.T) {
		// A clock that stands still keeps every call in the window.
		clock := &manualClock{now: time.Now()}
		e := s.start(t, func(c *gateway.Config) {
			tweakUpstream(c, "catalog", func(u *upstream.Config) {
				u.Retries = 2
				u.Breaker.Disabled = true
				u.RetryBudget = upstream.RetryBudget{Ratio: 0.1, MinPerSecond: 0.1, Window: time.Minute}
			})
		}, gateway.WithUpstreamOptions(upstream.WithClock(clock.Now)))
		e.Mocks.Faults().Set("catalog", "", mocks.Fault{Kind: mocks.FaultError, Status: http.StatusServiceUnavailable})
		for range 30 {
			e.Do(Request{Query: OneProduct}).WantCode(t, "product", errcode.UpstreamUnavailable)
		}
		// 30 calls, 10% of them (3) and a floor of 0.1/s over a minute (6).
		if n := e.Mocks.Counters().Total("catalog"); n != 30+3+6 {
			t.Errorf("catalog called %d times, want %d", n, 30+3+6)
		}
	})
}

// twoCatalogs points catalog at two endpoints, the env's own mocks as
// "a" (weight wa) and other's catalog as "b" (weight wb).
func twoCatalogs(c *gateway.Config, other *mocks.Cluster, a, b string, wa, wb int, f func(*upstream.Config)) {
	tweakUpstream(c, "catalog", func(u *upstream.Config) {
		u.Endpoints = []upstream.Endpoint{{Name: a, Address: u.Address, Weight: wa}, {Name: b, Address: other.URL("catalog"), Weight: wb}}
		u.Address = ""
		if f != nil {
			f(u)
		}
	})
}

// CheckFailingEndpointIsEjected: of two weighted catalog endpoints, one
// fails; every request still succeeds (the retry goes to the other), the
// failing one is ejected and its counter goes flat, and after the
// cool-down it serves again.
func CheckFailingEndpointIsEjected(t *testing.T, s Safety) {
	other := StartMocks(t)
	clock := &manualClock{now: time.Now()}
	e := s.start(t, func(c *gateway.Config) {
		twoCatalogs(c, other, "a", "b", 1, 1, func(u *upstream.Config) {
			u.Retries = 1
			u.Outlier = upstream.Outlier{ConsecutiveFailures: 2, EjectFor: time.Minute}
		})
	}, gateway.WithUpstreamOptions(upstream.WithClock(clock.Now)))
	e.Mocks.Faults().Set("catalog", "", mocks.Fault{Kind: mocks.FaultError, Status: http.StatusServiceUnavailable})
	for range 10 {
		e.Do(Request{Query: OneProduct}).NoErrors(t)
	}
	if n := e.Mocks.Counters().Total("catalog"); n != 2 {
		t.Fatalf("failing endpoint called %d times, want 2 (ejected after two failures in a row)", n)
	}
	if n := other.Counters().Total("catalog"); n != 10 {
		t.Fatalf("healthy endpoint called %d times, want 10", n)
	}
	e.Mocks.Faults().Clear()
	clock.Advance(time.Minute)
	for range 4 {
		e.Do(Request{Query: OneProduct}).NoErrors(t)
	}
	if n := e.Mocks.Counters().Total("catalog"); n == 2 {
		t.Fatal("the ejected endpoint is not back after the cool-down")
	}
}

// manualClock is a clock the check moves by hand.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// CheckCanaryPin: a canary endpoint with weight 0 takes no traffic; the
// pin header sends a request's catalog calls to it when the caller's
// token holds the pin scope, or in dev mode, and is ignored from anyone
// else. A malformed pin from a trusted caller is an HTTP 400.
func CheckCanaryPin(t *testing.T, s Safety) {
	canary := StartMocks(t)
	tweak := func(c *gateway.Config) { twoCatalogs(c, canary, "stable", "canary", 1, 0, nil) }
	e := s.start(t, tweak)
	pin := http.Header{"X-Tandem-Pin": {"catalog=canary"}}
	for _, tok := range []string{"", e.Token(safetyUser), e.Token(safetyUser, "orders:read")} {
		e.Do(Request{Query: OneProduct, Token: tok, Header: pin}).NoErrors(t)
	}
	if n := canary.Counters().Total("catalog"); n != 0 {
		t.Fatalf("untrusted pins were honoured: canary called %d times", n)
	}
	e.Do(Request{Query: OneProduct, Token: e.Token(safetyUser, "upstream:pin"), Header: pin}).NoErrors(t)
	if n := canary.Counters().Total("catalog"); n != 1 {
		t.Fatalf("trusted pin: canary called %d times, want 1", n)
	}
	if n := e.Mocks.Counters().Total("catalog"); n != 3 {
		t.Fatalf("stable called %d times, want 3", n)
	}
	r := e.Do(Request{Query: OneProduct, Token: e.Token(safetyUser, "upstream:pin"), Header: http.Header{"X-Tandem-Pin": {"catalog"}}})
	if r.Status != http.StatusBadRequest || r.Code() != errcode.BadPinHeader {
		t.Fatalf("malformed pin: %d %s", r.Status, r.Raw)
	}
	r = e.Do(Request{Query: OneProduct, Token: e.Token(safetyUser, "upstream:pin"), Header: http.Header{"X-Tandem-Pin": {"catalog=nope"}}})
	r.WantCode(t, "product", errcode.BadUserInput)

	dev := s.start(t, func(c *gateway.Config) { c.Dev = true; tweak(c) })
	dev.Do(Request{Query: OneProduct, Header: pin}).NoErrors(t)
	if n := canary.Counters().Total("catalog"); n != 2 {
		t.Fatalf("dev mode pin: canary called %d times, want 2", n)
	}
}

// CheckClientDisconnectCancelsUpstream: a client that goes away while its
// request waits on a backend cancels the backend call, long before any
// budget or timeout would have.
func CheckClientDisconnectCancelsUpstream(t *testing.T, s Safety) {
	e := s.start(t, func(c *gateway.Config) {
		c.RequestBudget.Default, c.RequestBudget.Query = time.Minute, time.Minute
		tweakUpstream(c, "catalog", func(u *upstream.Config) { u.Timeout = time.Minute })
	})
	e.Mocks.Faults().Set("catalog", "", mocks.Fault{Kind: mocks.FaultHang})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	body, _ := json.Marshal(map[string]any{"query": OneProduct})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.Server.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	done := make(chan struct{})
	go func() {
		defer close(done)
		if resp, err := e.Server.Client().Do(req); err == nil {
			_ = resp.Body.Close()
		}
	}()
	eventually(t, 5*time.Second, "catalog call held", func() bool { return e.Mocks.InFlight("catalog") == 1 })
	cancel()
	<-done
	eventually(t, 2*time.Second, "catalog call cancelled with its client", func() bool { return e.Mocks.InFlight("catalog") == 0 })
	if n := e.Mocks.Counters().Total("catalog"); n != 1 {
		t.Fatalf("catalog called %d times, want 1 (no retry for a caller that left)", n)
	}
}

// syncBuffer is a log sink safe for the app's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// CheckMutualTLSToBackends serves every mock over mutual TLS and points
// every upstream at it with a client certificate, key and CA from files:
// the product query is answered from REST and gRPC backends alike. With
// the trust of another CA, or an expired client certificate, the calls
// fail with UPSTREAM_UNAVAILABLE and the log says why, without secrets.
func CheckMutualTLSToBackends(t *testing.T, s Safety) {
	serverCA, clientCA := tlstest.NewCA(t, "backends CA"), tlstest.NewCA(t, "gateways CA")
	good := clientCA.Issue(t, tlstest.Options{CommonName: "gateway", Client: true})
	expired := clientCA.Issue(t, tlstest.Options{CommonName: "gateway", Client: true,
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
	cases := []struct {
		name   string
		pair   tlstest.Pair
		trust  *tlstest.CA
		reason string // "" for success
	}{
		{"succeeds", good, serverCA, ""},
		{"another CA", good, tlstest.NewCA(t, "someone else"), "the upstream's certificate is not signed by the configured CA"},
		{"expired client certificate", expired, serverCA, "the client certificate has expired; the upstream refuses it"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			files := tlstest.WriteFiles(t, t.TempDir(), tc.pair, tc.trust)
			logs := &syncBuffer{}
			o := s.Options
			o.MockOptions.TLS = tlstest.ServerConfig(t, serverCA, clientCA)
			o.Tweak = s.tweak(func(c *gateway.Config) {
				for id, u := range c.Upstreams {
					u.TLS = upstream.TLS{Cert: files.Cert, Key: files.Key, CA: files.CA}
					u.Retries = -1
					c.Upstreams[id] = u
				}
			})
			o.AppOptions = append(append([]gateway.Option(nil), o.AppOptions...), gateway.WithLogger(slog.New(slog.NewTextHandler(logs, nil))))
			e := Start(t, o)
			r := e.Do(Request{Query: s.Product, Vars: map[string]any{"id": safetyProduct}})
			if tc.reason == "" {
				r.NoErrors(t)
				return
			}
			r.WantCode(t, "product", errcode.UpstreamUnavailable)
			log := logs.String()
			if !strings.Contains(log, `msg="upstream TLS handshake failed" upstream.service=catalog endpoint=default reason="`+tc.reason+`"`) {
				t.Errorf("no clear log line for %s:\n%s", tc.name, log)
			}
			if strings.Contains(log, "PRIVATE KEY") || strings.Contains(log, "BEGIN CERTIFICATE") {
				t.Errorf("the log holds key or certificate material:\n%s", log)
			}
		})
	}
}

// lookupPath follows a dot path ("product.price", "a.0.b") in a decoded
// JSON document.
func LookupPath(doc any, path string) (any, bool) {
	cur := doc
	for _, part := range strings.Split(path, ".") {
		switch v := cur.(type) {
		case map[string]any:
			next, ok := v[part]
			if !ok {
				return nil, false
			}
			cur = next
		case []any:
			i := 0
			for _, c := range part {
				i = i*10 + int(c-'0')
			}
			if i >= len(v) {
				return nil, false
			}
			cur = v[i]
		default:
			return nil, false
		}
	}
	return cur, true
}
