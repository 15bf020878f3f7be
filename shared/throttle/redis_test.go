package throttle

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/throttle/redistest"
)

// sendLoad fires n requests at the gateways from workers goroutines,
// round-robin, and returns how many each gateway accepted.
func sendLoad(gws []*gateway, n, workers int) []int {
	accepted := make([]atomic.Int64, len(gws))
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				g := gws[i%len(gws)]
				req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ tags }"}`))
				req.Header.Set("Content-Type", "application/json")
				req.RemoteAddr = "198.51.100.7:5000" // one principal on every replica
				rec := httptest.NewRecorder()
				g.handler.ServeHTTP(rec, req)
				if rec.Code == http.StatusOK {
					accepted[i%len(gws)].Add(1)
				}
			}
		}()
	}
	wg.Wait()
	out := make([]int, len(gws))
	for i := range accepted {
		out[i] = int(accepted[i].Load())
	}
	return out
}

func TestMultiReplicaSharedLimit(t *testing.T) {
	srv := redistest.Start(t)
	const limit = 200
	cfg := Config{Rate: RateConfig{Requests: Window{Limit: limit, Period: time.Hour}}}

	t.Run("redis store is shared", func(t *testing.T) {
		var stores []*RedisStore
		var gws []*gateway
		for i := 0; i < 2; i++ {
			client := NewRedisClient(srv.Addr, time.Second)
			t.Cleanup(func() { _ = client.Close() })
			st := NewRedisStore(client, WithRedisTimeout(time.Second), WithKeyPrefix("multi:"), WithFailureMode(FailClosed))
			stores = append(stores, st)
			gws = append(gws, newGateway(t, gatewayOpts{cfg: cfg, store: st}))
		}
		acc := sendLoad(gws, 3*limit, 16)
		total := acc[0] + acc[1]
		t.Logf("accepted per replica %v, total %d of limit %d", acc, total, limit)
		if total < limit*95/100 || total > limit*105/100 {
			t.Errorf("accepted %d, want within 5%% of %d", total, limit)
		}
		if acc[0] == 0 || acc[1] == 0 {
			t.Errorf("one replica accepted nothing: %v", acc)
		}
		for _, st := range stores {
			if s := st.Stats(); s.Errors != 0 {
				t.Errorf("redis errors during the run: %+v", s)
			}
		}
	})

	t.Run("memory store is not shared", func(t *testing.T) {
		gws := []*gateway{
			newGateway(t, gatewayOpts{cfg: cfg, store: NewMemoryStore()}),
			newGateway(t, gatewayOpts{cfg: cfg, store: NewMemoryStore()}),
		}
		acc := sendLoad(gws, 3*limit, 16)
		if acc[0] != limit || acc[1] != limit {
			t.Errorf("accepted per replica %v, want %d each (%d in total: the limit is per replica)", acc, limit, 2*limit)
		}
	})
}

func TestRedisFault(t *testing.T) {
	const timeout = 100 * time.Millisecond
	// slack covers scheduling under the race detector on a busy machine; a
	// hang would take far longer (the read would wait for Redis forever).
	const slack = 400 * time.Millisecond
	for _, mode := range []FailureMode{FailOpen, FailClosed} {
		t.Run(string(mode), func(t *testing.T) {
			srv := redistest.Start(t)
			client := NewRedisClient(srv.Addr, timeout)
			t.Cleanup(func() { _ = client.Close() })
			var logs bytes.Buffer
			st := NewRedisStore(client, WithRedisTimeout(timeout), WithFailureMode(mode), WithRetryInterval(0),
				WithRedisLogger(slog.New(slog.NewTextHandler(&logs, nil))))
			cfg := Config{Rate: RateConfig{Requests: Window{Limit: 1000, Period: time.Minute}}}
			var limLogs bytes.Buffer
			g := newGateway(t, gatewayOpts{cfg: cfg, store: st, limOpts: []Option{WithLogger(slog.New(slog.NewTextHandler(&limLogs, nil)))}})

			for i := 0; i < 5; i++ {
				if rec, _ := g.post(t, `{ tags }`, nil); rec.Code != http.StatusOK {
					t.Fatalf("healthy redis: %d", rec.Code)
				}
			}

			check := func(what string) {
				t.Helper()
				start := time.Now()
				rec, resp := g.post(t, `{ tags }`, nil)
				elapsed := time.Since(start)
				if elapsed > timeout+slack {
					t.Errorf("%s: answered after %v, want within the %v timeout", what, elapsed, timeout)
				}
				switch mode {
				case FailOpen:
					if rec.Code != http.StatusOK || !strings.Contains(rec.Header().Get("RateLimit"), `"requests";r=`) {
						t.Errorf("%s: fail open answered %d %+v", what, rec.Code, resp.Errors)
					}
				case FailClosed:
					if rec.Code != http.StatusServiceUnavailable || resp.code() != errcode.RateLimitUnavailable || rec.Header().Get("Retry-After") == "" {
						t.Errorf("%s: fail closed answered %d %+v", what, rec.Code, resp.Errors)
					}
				}
			}

			if err := srv.Pause(); err != nil { // hung Redis: only the timeout helps
				t.Fatal(err)
			}
			check("paused redis")
			check("paused redis again")
			if err := srv.Resume(); err != nil {
				t.Fatal(err)
			}
			if rec, _ := g.post(t, `{ tags }`, nil); rec.Code != http.StatusOK {
				t.Errorf("after resume: %d", rec.Code)
			}
			srv.Stop() // dead Redis: connection refused
			check("stopped redis")

			s := st.Stats()
			if s.Errors != 3 {
				t.Errorf("errors counted = %d, want 3", s.Errors)
			}
			if mode == FailOpen && s.Fallbacks != 3 || mode == FailClosed && s.Refusals != 3 {
				t.Errorf("stats = %+v", s)
			}
			out := logs.String()
			if strings.Count(out, "rate limit store unreachable") != 2 || !strings.Contains(out, "reachable again") {
				t.Errorf("want one log line per outage and one on recovery, got:\n%s", out)
			}
			if strings.Contains(out+limLogs.String(), srv.Addr) {
				t.Error("a log line contains the Redis address")
			}
			if g.backend.calls.Load() == 0 {
				t.Error("backend never ran")
			}
		})
	}
}

func TestRedisStoreMatchesMemory(t *testing.T) {
	srv := redistest.Start(t)
	client := NewRedisClient(srv.Addr, time.Second)
	t.Cleanup(func() { _ = client.Close() })
	st := NewRedisStore(client, WithRedisTimeout(time.Second), WithFailureMode(FailClosed))
	lim := Limit{Rate: 5, Period: time.Hour, Burst: 5}
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		d, err := st.Allow(ctx, "same", lim, 1)
		if err != nil || !d.Allowed || d.Remaining != 4-i {
			t.Fatalf("call %d: %+v %v", i, d, err)
		}
	}
	d, err := st.Allow(ctx, "same", lim, 1)
	if err != nil || d.Allowed || d.RetryAfter < 11*time.Minute || d.RetryAfter > 12*time.Minute {
		t.Fatalf("over the limit: %+v %v", d, err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := st.Allow(cctx, "same", lim, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled caller: %v", err)
	}
	if s := st.Stats(); s.Errors != 0 {
		t.Errorf("a cancelled caller counted as a Redis failure: %+v", s)
	}
}
