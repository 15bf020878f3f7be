package throttle

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemgw/tandem/shared/errcode"
)

func TestMemoryStoreGCRA(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	m := NewMemoryStore(WithClock(func() time.Time { return now }))
	lim := Limit{Rate: 10, Period: time.Second, Burst: 5} // one unit per 100ms
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		d, _ := m.Allow(ctx, "k", lim, 1)
		if !d.Allowed || d.Remaining != 4-i {
			t.Fatalf("call %d: %+v", i, d)
		}
	}
	d, _ := m.Allow(ctx, "k", lim, 1)
	if d.Allowed || d.RetryAfter != 100*time.Millisecond || d.ResetAfter != 500*time.Millisecond {
		t.Fatalf("over burst: %+v", d)
	}
	if d, _ := m.Allow(ctx, "other", lim, 1); !d.Allowed {
		t.Fatal("keys are not independent")
	}
	now = now.Add(250 * time.Millisecond) // 2.5 units refilled
	if d, _ := m.Allow(ctx, "k", lim, 2); !d.Allowed || d.Remaining != 0 {
		t.Fatalf("after refill: %+v", d)
	}
	if d, _ := m.Allow(ctx, "k", lim, 6); d.Allowed {
		t.Fatal("cost above burst allowed")
	}
	// Idle keys are swept once the shard grows.
	now = now.Add(time.Hour)
	for i := 0; i < memShards*minSweepSize*2; i++ {
		_, _ = m.Allow(ctx, "fill"+itoa(i), lim, 1)
	}
	now = now.Add(time.Hour)
	for i := 0; i < memShards*minSweepSize*2; i++ {
		_, _ = m.Allow(ctx, "refill"+itoa(i), lim, 1)
	}
	if n := m.Len(); n >= memShards*minSweepSize*4 {
		t.Errorf("idle keys were never evicted: %d keys", n)
	}
}

func TestRequestLimitHeadersAnd429(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	cfg := Config{Rate: RateConfig{
		Requests: Window{Limit: 3, Period: time.Minute},
		Points:   Window{Limit: 1000, Period: time.Minute},
	}}
	g := newGateway(t, gatewayOpts{cfg: cfg, store: NewMemoryStore(WithClock(func() time.Time { return now }))})
	for i := 0; i < 3; i++ {
		rec, resp := g.post(t, `{ tags }`, nil)
		if rec.Code != http.StatusOK {
			t.Fatalf("request %d: %d %+v", i, rec.Code, resp.Errors)
		}
		if got, want := rec.Header().Get("RateLimit-Policy"), `"requests";q=3;w=60, "points";q=1000;w=60;qu="points"`; got != want {
			t.Errorf("RateLimit-Policy = %q, want %q", got, want)
		}
		want := `"requests";r=` + itoa(2-i) + `;t=` + itoa(20*(i+1)) + `, "points";r=` + itoa(999-i) + `;t=`
		if got := rec.Header().Get("RateLimit"); !strings.HasPrefix(got, want) {
			t.Errorf("RateLimit = %q, want prefix %q", got, want)
		}
	}
	rec, resp := g.post(t, `{ tags }`, nil)
	if rec.Code != http.StatusTooManyRequests || resp.code() != errcode.RateLimited || resp.ext("policy") != PolicyRequests {
		t.Fatalf("4th request: %d %+v", rec.Code, resp.Errors)
	}
	if rec.Header().Get("Retry-After") != "20" || resp.ext("retryAfter") != float64(20) {
		t.Errorf("Retry-After = %q, extension %v", rec.Header().Get("Retry-After"), resp.ext("retryAfter"))
	}
	if !strings.HasPrefix(rec.Header().Get("RateLimit"), `"requests";r=0;t=60`) {
		t.Errorf("RateLimit on 429 = %q", rec.Header().Get("RateLimit"))
	}
	if g.backend.calls.Load() != 3 {
		t.Errorf("backend executions = %d", g.backend.calls.Load())
	}
	// Another principal has its own budget; the subject wins over the IP.
	g2 := newGateway(t, gatewayOpts{cfg: cfg, store: NewMemoryStore(WithClock(func() time.Time { return now })),
		limOpts: []Option{WithSubject(func(ctx context.Context) string { return subjectFrom(ctx) })}})
	for _, sub := range []string{"alice", "alice", "alice", "bob"} {
		rec, _ := g2.post(t, `{ tags }`, nil, "X-Test-Subject", sub)
		if rec.Code != http.StatusOK {
			t.Fatalf("subject %s refused", sub)
		}
	}
	if rec, _ := g2.post(t, `{ tags }`, nil, "X-Test-Subject", "alice"); rec.Code != http.StatusTooManyRequests {
		t.Error("alice's fourth request allowed")
	}
}

type subjectKey struct{}

func subjectFrom(ctx context.Context) string { s, _ := ctx.Value(subjectKey{}).(string); return s }

func TestAppBudget(t *testing.T) {
	cfg := Config{Rate: RateConfig{AppRequests: Window{Limit: 2, Period: time.Hour}}}
	g := newGateway(t, gatewayOpts{cfg: cfg})
	for i, ip := range []string{"192.0.2.1:1", "192.0.2.2:1"} {
		if rec, _ := g.post(t, `{ tags }`, nil, "RemoteAddr", ip, "apollographql-client-name", "web-shop"); rec.Code != http.StatusOK {
			t.Fatalf("request %d refused", i)
		}
	}
	rec, resp := g.post(t, `{ tags }`, nil, "RemoteAddr", "192.0.2.3:1", "apollographql-client-name", "web-shop")
	if rec.Code != http.StatusTooManyRequests || resp.ext("policy") != PolicyAppRequests {
		t.Fatalf("third request of the app from a new IP: %d %+v", rec.Code, resp.Errors)
	}
	if rec, _ := g.post(t, `{ tags }`, nil, "apollographql-client-name", "ios"); rec.Code != http.StatusOK {
		t.Error("another app was refused")
	}
}

func TestConcurrencyLimit(t *testing.T) {
	cfg := Config{Rate: RateConfig{Concurrency: 2}}
	g := newGateway(t, gatewayOpts{cfg: cfg})
	g.backend.block = make(chan struct{})
	g.backend.started = make(chan struct{}, 2)
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, _ := g.post(t, `{ tags }`, nil)
			codes[i] = rec.Code
		}()
	}
	<-g.backend.started
	<-g.backend.started // two requests in flight for 192.0.2.10
	rec, resp := g.post(t, `{ tags }`, nil)
	if rec.Code != http.StatusTooManyRequests || resp.ext("policy") != PolicyConcurrency {
		t.Errorf("third concurrent request: %d %+v", rec.Code, resp.Errors)
	}
	// Another principal is not affected: its request is admitted (and
	// waits in the blocked backend like the others).
	wg.Add(1)
	go func() {
		defer wg.Done()
		rec, _ := g.post(t, `{ tags }`, nil, "RemoteAddr", "192.0.2.99:1")
		if rec.Code != http.StatusOK {
			t.Errorf("other principal: %d", rec.Code)
		}
	}()
	<-g.backend.started
	close(g.backend.block)
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("in-flight request %d: %d", i, c)
		}
	}
	// Slots are released.
	g.backend.started = nil
	if rec, _ := g.post(t, `{ tags }`, nil); rec.Code != http.StatusOK {
		t.Errorf("after release: %d", rec.Code)
	}
}

func TestClientIP(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	cases := []struct {
		remote, xff, want string
	}{
		{"203.0.113.5:1234", "", "203.0.113.5"},
		{"203.0.113.5:1234", "198.51.100.1", "203.0.113.5"},                // untrusted peer: header ignored
		{"10.0.0.2:80", "198.51.100.1", "198.51.100.1"},                    // trusted proxy
		{"10.0.0.2:80", "6.6.6.6, 198.51.100.1, 10.0.0.3", "198.51.100.1"}, // forged left part skipped
		{"10.0.0.2:80", "10.0.0.9, 10.0.0.3", "10.0.0.9"},                  // all trusted: leftmost
		{"10.0.0.2:80", "garbage, 198.51.100.1", "198.51.100.1"},
		{"10.0.0.2:80", "198.51.100.1, garbage", "10.0.0.2"},
		{"[::1]:80", "2001:db8::1", "2001:db8::1"},
	}
	for _, tc := range cases {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := ClientIP(r, trusted); got != tc.want {
			t.Errorf("ClientIP(%s, %q) = %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}

func TestDefaultsDifferAndValidate(t *testing.T) {
	web, mobile := WebDefaults(), MobileDefaults()
	if err := web.Validate(); err != nil {
		t.Errorf("web defaults: %v", err)
	}
	if err := mobile.Validate(); err != nil {
		t.Errorf("mobile defaults: %v", err)
	}
	if !(mobile.Operation.MaxDepth < web.Operation.MaxDepth && mobile.Operation.MaxFields < web.Operation.MaxFields &&
		mobile.Cost.MaxCost < web.Cost.MaxCost && mobile.Operation.MaxBodyBytes < web.Operation.MaxBodyBytes) {
		t.Error("mobile defaults are not tighter than web defaults")
	}
	bad := web
	bad.Cost.MaxCost = bad.Rate.Points.Burst + 1
	bad.Store = StoreConfig{Kind: "redis"}
	bad.Rate.TrustedProxies = []string{"not-a-cidr"}
	err := bad.Validate()
	for _, want := range []string{"maxCost", "redisAddr", "trustedProxies"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to mention %s", err, want)
		}
	}
}
