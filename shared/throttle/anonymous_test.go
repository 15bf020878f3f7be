package throttle

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// Signed-out callers spend their address's budget (Anonymous), signed-in
// callers their own; an IPv6 caller is keyed by its /64, so rotating
// addresses inside it buys nothing; the 429 says which budget ran dry.
func TestAnonymousBudgetsAreKeyedByAddress(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	cfg := Config{Rate: RateConfig{
		Requests:  Window{Limit: 2, Period: time.Minute},
		Anonymous: AnonymousRates{Requests: Window{Limit: 4, Period: time.Minute}},
	}}
	g := newGateway(t, gatewayOpts{cfg: cfg, store: NewMemoryStore(WithClock(func() time.Time { return now })),
		limOpts: []Option{WithSubject(func(ctx context.Context) string { return subjectFrom(ctx) })}})

	// Four signed-out requests from one address (different ports, as from
	// different people behind one NAT) pass; the fifth is refused.
	for i := range 4 {
		rec, resp := g.post(t, `{ tags }`, nil, "RemoteAddr", "198.51.100.7:"+itoa(1000+i))
		if rec.Code != http.StatusOK {
			t.Fatalf("signed-out request %d: %d %+v", i, rec.Code, resp.Errors)
		}
		if got := rec.Header().Get("RateLimit-Policy"); got != `"requests";q=4;w=60` {
			t.Fatalf("RateLimit-Policy %q", got)
		}
	}
	rec, resp := g.post(t, `{ tags }`, nil, "RemoteAddr", "198.51.100.7:2000")
	if rec.Code != http.StatusTooManyRequests || resp.ext("scope") != ScopeAddress || resp.ext("limit") != float64(4) || resp.ext("window") != float64(60) {
		t.Fatalf("fifth signed-out request: %d %+v", rec.Code, resp.Errors)
	}
	if msg := resp.Errors[0].Message; !strings.Contains(msg, "signed-out callers from this address") || !strings.Contains(msg, "4 requests per 1m0s") {
		t.Fatalf("message %q does not say which budget", msg)
	}

	// A signed-in user behind the same address has a budget of their own,
	// of the signed-in size.
	for i := range 2 {
		if rec, resp := g.post(t, `{ tags }`, nil, "RemoteAddr", "198.51.100.7:3000", "X-Test-Subject", "usr_1"); rec.Code != http.StatusOK {
			t.Fatalf("signed-in request %d: %d %+v", i, rec.Code, resp.Errors)
		}
	}
	rec, resp = g.post(t, `{ tags }`, nil, "RemoteAddr", "198.51.100.7:3000", "X-Test-Subject", "usr_1")
	if rec.Code != http.StatusTooManyRequests || resp.ext("scope") != ScopeUser || !strings.Contains(resp.Errors[0].Message, "for this user") {
		t.Fatalf("third signed-in request: %d %+v", rec.Code, resp.Errors)
	}
	if got := rec.Header().Get("RateLimit-Policy"); got != `"requests";q=2;w=60` {
		t.Fatalf("signed-in RateLimit-Policy %q", got)
	}

	// IPv6: addresses in one /64 share; the next /64 does not.
	for i := range 4 {
		if rec, _ := g.post(t, `{ tags }`, nil, "RemoteAddr", "[2001:db8:1:2::"+itoa(i+1)+"]:443"); rec.Code != http.StatusOK {
			t.Fatalf("IPv6 request %d: %d", i, rec.Code)
		}
	}
	if rec, _ := g.post(t, `{ tags }`, nil, "RemoteAddr", "[2001:db8:1:2:ffff::9]:443"); rec.Code != http.StatusTooManyRequests {
		t.Fatalf("another address in the same /64 got a fresh budget: %d", rec.Code)
	}
	if rec, _ := g.post(t, `{ tags }`, nil, "RemoteAddr", "[2001:db8:1:3::1]:443"); rec.Code != http.StatusOK {
		t.Fatalf("the next /64 shares the budget: %d", rec.Code)
	}
}

func TestAddressKey(t *testing.T) {
	for in, want := range map[string]string{
		"192.0.2.1":                "192.0.2.1",
		"2001:db8:1:2:3:4:5:6":     "2001:db8:1:2::/64",
		"::ffff:192.0.2.1":         "::ffff:192.0.2.1",
		"not an address":           "not an address",
		"fe80::1":                  "fe80::/64",
		"2001:db8:1:2:ffff::ffff":  "2001:db8:1:2::/64",
		"2001:db8:1:3:0:0:0:1":     "2001:db8:1:3::/64",
		"2001:0db8:0001:0002::0a0": "2001:db8:1:2::/64",
	} {
		if got := AddressKey(in); got != want {
			t.Errorf("AddressKey(%q) = %q, want %q", in, got, want)
		}
	}
}

// The in-flight cap of signed-out callers is the address's, not a
// person's: the concurrency error says whose cap it is.
func TestAnonymousConcurrencyCap(t *testing.T) {
	cfg := Config{Rate: RateConfig{Concurrency: 1, Anonymous: AnonymousRates{Concurrency: 2}}}
	g := newGateway(t, gatewayOpts{cfg: cfg,
		limOpts: []Option{WithSubject(func(ctx context.Context) string { return subjectFrom(ctx) })}})
	g.backend.block = make(chan struct{})
	g.backend.started = make(chan struct{}, 3)
	done := make(chan int, 3)
	for range 2 {
		go func() { rec, _ := g.post(t, `{ tags }`, nil); done <- rec.Code }()
	}
	<-g.backend.started
	<-g.backend.started // two signed-out requests in flight from 192.0.2.10
	rec, resp := g.post(t, `{ tags }`, nil)
	if rec.Code != http.StatusTooManyRequests || resp.ext("policy") != PolicyConcurrency || resp.ext("scope") != ScopeAddress || resp.ext("limit") != float64(2) {
		t.Fatalf("third signed-out request: %d %+v", rec.Code, resp.Errors)
	}
	// A signed-in caller from the same address has the signed-in cap (1).
	go func() {
		rec, _ := g.post(t, `{ tags }`, nil, "X-Test-Subject", "usr_1")
		done <- rec.Code
	}()
	<-g.backend.started
	rec, resp = g.post(t, `{ tags }`, nil, "X-Test-Subject", "usr_1")
	if rec.Code != http.StatusTooManyRequests || resp.ext("scope") != ScopeUser || resp.ext("limit") != float64(1) {
		t.Fatalf("second signed-in request: %d %+v", rec.Code, resp.Errors)
	}
	close(g.backend.block)
	for range 3 {
		if code := <-done; code != http.StatusOK {
			t.Fatalf("an admitted request ended %d", code)
		}
	}
}

// The shipped defaults admit what real pages fire and let a shared
// address browse: the in-flight caps are well above the 7 queries of a web
// product page or a mobile home screen with its prefetches, and a
// signed-out address affords many times the web's 50-product listing (251
// cost points) a single user can.
func TestDefaultsFitRealTraffic(t *testing.T) {
	const pageQueries, listingCost = 7, 251
	for name, cfg := range map[string]Config{"web": WebDefaults(), "mobile": MobileDefaults()} {
		if err := cfg.Validate(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		r := cfg.Rate
		if r.Concurrency < 2*pageQueries || r.Anonymous.Concurrency < 10*pageQueries {
			t.Errorf("%s: in-flight caps %d (user) and %d (address) leave no room over a page's %d queries",
				name, r.Concurrency, r.Anonymous.Concurrency, pageQueries)
		}
		perSecond := func(w Window) float64 { return float64(w.Limit) / w.Period.Seconds() / listingCost }
		if perSecond(r.Anonymous.Points) < 5*perSecond(r.Points) && name == "web" {
			t.Errorf("%s: an address affords %.1f listings/s, a user %.1f", name, perSecond(r.Anonymous.Points), perSecond(r.Points))
		}
		if r.Anonymous.Points.Burst < 100*listingCost && name == "web" {
			t.Errorf("%s: an address's burst covers %d listings", name, r.Anonymous.Points.Burst/listingCost)
		}
	}
}
