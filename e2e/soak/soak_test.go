//go:build soak

package soak_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	mobile "github.com/tandemgw/tandem/bff-mobile/app"
	web "github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/upstream"
)

// Settings, overridable from the environment for a longer or heavier run.
var (
	duration = envDuration("SOAK_DURATION", 2*time.Minute) // whole run, warm-up included
	warmUp   = envDuration("SOAK_WARMUP", 15*time.Second)  // not measured
	window   = 30 * time.Second                            // first and last measured windows
	rate     = envInt("SOAK_RATE", 20)                     // requests per second, per BFF
)

// Flatness: the last window's median may exceed the first window's
// median (memory) or maximum (goroutines) by this share plus an absolute
// allowance (small numbers move by more than a share). Goroutines are
// compared with the first window's peak because idle keep-alive
// connections (two goroutines each on the client side, one on the server
// side) stay in their pools for 90s after a burst: the pools are sized by
// the highest concurrency seen, which a leak exceeds and a pool does not.
const (
	growthShare   = 0.20
	heapAllowance = 4 << 20 // bytes
	rssAllowance  = 16 << 20
	gorAllowance  = 25
)

// The faults: 5% of reviews calls fail (HTTP 500, not retried, so the
// failure shows), inventory answers slowly.
const faultyService, slowService = "reviews", "inventory"

var (
	faulty = mocks.Fault{Kind: mocks.FaultError, Status: http.StatusInternalServerError, Every: 20}
	slow   = mocks.Fault{Kind: mocks.FaultLatency, Latency: 80 * time.Millisecond, Jitter: 40 * time.Millisecond}
)

// bff is one BFF under load: how to ask for a product page and which
// fields each kind of backend feeds.
type bff struct {
	name string
	spec gateway.Spec
	new  gatewaytest.NewFunc
	// sources is the BFF's one source list (app.Sources).
	sources []func(*registry.Registry) error
	query   string
	// faultyFields are fed by the failing backend: the only places errors
	// may appear. required must never be null (the slow backend's among
	// them).
	faultyFields []string
	required     []string
}

var bffs = []bff{
	{
		name: "bff-web", spec: web.Spec, new: web.New, sources: web.Sources, query: readQuery("web_product_page.graphql"),
		faultyFields: []string{"product.ratingSummary", "product.reviews"},
		required:     []string{"product.name", "product.price", "product.stock", "product.related"},
	},
	{
		name: "bff-mobile", spec: mobile.Spec, new: mobile.New, sources: mobile.Sources, query: readQuery("mobile_product_detail.graphql"),
		faultyFields: []string{"product.rating", "product.topReviews"},
		required:     []string{"product.name", "product.price", "product.inStock"},
	},
}

// loadConfig lets one anonymous load generator through the rate limits;
// everything else keeps the BFF's defaults (3s budget, breakers, bulkheads).
func loadConfig(cfg *gateway.Config) {
	unlimited := throttle.Window{Limit: 1 << 30, Period: time.Minute, Burst: 1 << 30}
	cfg.Throttle.Rate.Requests = unlimited
	cfg.Throttle.Rate.Points = unlimited
	cfg.Throttle.Rate.AppRequests = unlimited
	cfg.Throttle.Rate.AppPoints = unlimited
	cfg.Throttle.Rate.Concurrency = 1 << 10
	for id, u := range cfg.Upstreams {
		u.BatchWait = upstream.DefaultBatchWait // the production window
		cfg.Upstreams[id] = u
	}
}

// TestSoak runs steady load against both BFFs with faults injected, checks
// every answer, and compares memory and goroutines between the first and
// the last measured windows.
func TestSoak(t *testing.T) {
	if duration < warmUp+2*window {
		t.Fatalf("SOAK_DURATION %s is shorter than the warm-up and two %s windows", duration, window)
	}
	envs := make([]*gatewaytest.Env, len(bffs))
	for i, b := range bffs {
		envs[i] = gatewaytest.Start(t, gatewaytest.Options{Spec: b.spec, New: b.new, Register: b.sources, Tweak: loadConfig})
		envs[i].Mocks.Faults().Set(faultyService, "", faulty)
		envs[i].Mocks.Faults().Set(slowService, "", slow)
	}

	start := time.Now()
	sampler := startSampler(time.Second)
	checks := make([]*checker, len(bffs))
	var wg sync.WaitGroup
	for i, b := range bffs {
		checks[i] = &checker{bff: b, errs: map[string]int{}}
		wg.Go(func() { attack(t, b, envs[i], checks[i]) })
	}
	wg.Wait()
	samples := sampler.stop()
	elapsed := time.Since(start)

	t.Logf("soak: %s at %d requests/s per BFF; every %dth %s call fails (HTTP %d, %.0f%%); %s answers after %s + up to %s",
		elapsed.Round(time.Second), rate, faulty.Every, faultyService, faulty.Status, 100/float64(faulty.Every),
		slowService, slow.Latency, slow.Jitter)
	for i, c := range checks {
		c.report(t, envs[i])
	}
	first := between(samples, warmUp, warmUp+window)
	last := between(samples, duration-window, duration)
	if len(first) < 10 || len(last) < 10 {
		t.Fatalf("too few samples: %d and %d", len(first), len(last))
	}
	flat(t, "heap in use", first, last, func(s sample) float64 { return float64(s.heapInuse) }, median, heapAllowance, mib)
	flat(t, "live heap", first, last, func(s sample) float64 { return float64(s.heapLive) }, median, heapAllowance, mib)
	flat(t, "RSS", first, last, func(s sample) float64 { return float64(s.rss) }, median, rssAllowance, mib)
	flat(t, "goroutines", first, last, func(s sample) float64 { return float64(s.goroutines) }, maxOf, gorAllowance, plain)
}

// attack sends rate requests per second for duration to e and checks each
// answer.
func attack(t *testing.T, b bff, e *gatewaytest.Env, c *checker) {
	var n atomic.Int64
	targeter := func(tgt *vegeta.Target) error {
		id := data.ProductID(int(n.Add(1)%500) + 1)
		body, err := json.Marshal(map[string]any{"query": b.query, "variables": map[string]any{"id": id}})
		if err != nil {
			return err
		}
		tgt.Method, tgt.URL, tgt.Body = http.MethodPost, e.Server.URL+"/graphql", body
		tgt.Header = http.Header{"Content-Type": {"application/json"}}
		return nil
	}
	// Few idle connections are kept, so the generator's own goroutines
	// follow its requests in flight rather than its highest burst.
	attacker := vegeta.NewAttacker(vegeta.Timeout(10*time.Second), vegeta.MaxBody(-1), vegeta.KeepAlive(true),
		vegeta.Workers(8), vegeta.MaxWorkers(256), vegeta.Connections(4))
	for res := range attacker.Attack(targeter, vegeta.Rate{Freq: rate, Per: time.Second}, duration, b.name) {
		c.check(res)
	}
	c.metrics.Close()
}

// checker validates answers of one BFF and counts what it saw.
type checker struct {
	bff
	mu       sync.Mutex
	metrics  vegeta.Metrics
	total    int
	bad      int      // malformed or with errors outside the faulty fields
	badShown []string // the first few, for the report
	errs     map[string]int
}

func (c *checker) check(res *vegeta.Result) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.metrics.Add(res)
	c.total++
	if problem := c.problem(res); problem != "" {
		c.bad++
		if len(c.badShown) < 5 {
			c.badShown = append(c.badShown, problem)
		}
	}
}

// problem says what is wrong with one answer, "" when nothing is.
func (c *checker) problem(res *vegeta.Result) string {
	if res.Error != "" || res.Code != http.StatusOK {
		return fmt.Sprintf("status %d %s", res.Code, res.Error)
	}
	var doc struct {
		Data   map[string]any `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Path       []any          `json:"path"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	dec := json.NewDecoder(bytes.NewReader(res.Body))
	if err := dec.Decode(&doc); err != nil || doc.Data == nil {
		return fmt.Sprintf("not a GraphQL answer: %.200s", res.Body)
	}
	for _, e := range doc.Errors {
		code, _ := e.Extensions["code"].(string)
		svc, _ := e.Extensions["service"].(string)
		path := joinPath(e.Path)
		c.errs[svc+" "+code]++
		if e.Message == "" || code == "" {
			return fmt.Sprintf("error without message or code: %.200s", res.Body)
		}
		if svc != faultyService || !slices.ContainsFunc(c.faultyFields, func(f string) bool { return path == f || strings.HasPrefix(path, f+".") }) {
			return fmt.Sprintf("error outside %s's fields: %s %s at %s", faultyService, svc, code, path)
		}
	}
	for _, f := range c.required {
		if v, ok := lookup(doc.Data, f); !ok || v == nil {
			return fmt.Sprintf("%s is null: %.300s", f, res.Body)
		}
	}
	return ""
}

func (c *checker) report(t *testing.T, e *gatewaytest.Env) {
	t.Helper()
	m := &c.metrics
	var errs []string
	for k, n := range c.errs {
		errs = append(errs, fmt.Sprintf("%s ×%d", k, n))
	}
	sort.Strings(errs)
	t.Logf("%s: %d requests, %.1f%% answered 200, latency p50 %s p95 %s p99 %s max %s; field errors: %s; %s calls %d, %s calls %d",
		c.name, c.total, 100*m.Success, m.Latencies.P50.Round(time.Millisecond), m.Latencies.P95.Round(time.Millisecond),
		m.Latencies.P99.Round(time.Millisecond), m.Latencies.Max.Round(time.Millisecond), strings.Join(errs, ", "),
		faultyService, e.Mocks.Counters().Total(faultyService), slowService, e.Mocks.Counters().Total(slowService))
	if c.bad > 0 {
		t.Errorf("%s: %d of %d answers were malformed or had errors outside %s's fields; first: %q", c.name, c.bad, c.total, faultyService, c.badShown)
	}
	if c.total < int(float64(rate)*duration.Seconds()*0.95) {
		t.Errorf("%s: only %d requests sent", c.name, c.total)
	}
	if len(c.errs) == 0 {
		t.Errorf("%s: no field errors at all; the faults did not reach the answers", c.name)
	}
}

// sample is one measurement of the process (BFFs, mocks and load
// generator all run in it).
type sample struct {
	at         time.Duration // since the start
	heapInuse  uint64        // heap spans in use (runtime.MemStats.HeapInuse)
	heapLive   uint64        // live heap as of the last GC (/gc/heap/live:bytes)
	rss        uint64
	goroutines int
}

type sampler struct {
	stopc   chan struct{}
	done    chan []sample
	started time.Time
}

func startSampler(every time.Duration) *sampler {
	s := &sampler{stopc: make(chan struct{}), done: make(chan []sample, 1), started: time.Now()}
	go func() {
		var out []sample
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-s.stopc:
				s.done <- out
				return
			case <-tick.C:
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
				metrics.Read(live)
				out = append(out, sample{at: time.Since(s.started), heapInuse: ms.HeapInuse, heapLive: live[0].Value.Uint64(),
					rss: rss(), goroutines: runtime.NumGoroutine()})
			}
		}
	}()
	return s
}

func (s *sampler) stop() []sample {
	close(s.stopc)
	return <-s.done
}

// rss reads the process's resident set size from /proc (Linux).
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

func between(ss []sample, from, to time.Duration) []sample {
	var out []sample
	for _, s := range ss {
		if s.at >= from && s.at < to {
			out = append(out, s)
		}
	}
	return out
}

func median(ss []sample, f func(sample) float64) float64 {
	v := make([]float64, len(ss))
	for i, s := range ss {
		v[i] = f(s)
	}
	sort.Float64s(v)
	return v[len(v)/2]
}

func maxOf(ss []sample, f func(sample) float64) float64 {
	m := math.Inf(-1)
	for _, s := range ss {
		m = max(m, f(s))
	}
	return m
}

func mib(v float64) string   { return fmt.Sprintf("%.1f MiB", v/(1<<20)) }
func plain(v float64) string { return fmt.Sprintf("%.0f", v) }

// flat fails unless the last window's median is within growthShare plus
// allowance of base (the median or the maximum) of the first window, and
// prints both windows.
func flat(t *testing.T, what string, first, last []sample, f func(sample) float64,
	base func([]sample, func(sample) float64) float64, allowance float64, show func(float64) string) {
	t.Helper()
	a, b := median(first, f), median(last, f)
	limit := base(first, f)*(1+growthShare) + allowance
	verdict := "flat"
	if b > limit {
		verdict = "GROWING"
		t.Errorf("%s grew from %s to %s (limit %s)", what, show(a), show(b), show(limit))
	}
	t.Logf("%-11s first 30s median %s (max %s), last 30s median %s (max %s), limit %s: %s",
		what, show(a), show(maxOf(first, f)), show(b), show(maxOf(last, f)), show(limit), verdict)
}

func readQuery(name string) string {
	b, err := os.ReadFile("../testdata/" + name)
	if err != nil {
		panic(err) // the queries are part of the repository
	}
	return string(b)
}

func envDuration(key string, def time.Duration) time.Duration {
	if v := os.Getenv(key); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func envInt(key string, def int) int {
	if v := os.Getenv(key); v != "" {
		if n, err := strconv.Atoi(v); err == nil && n > 0 {
			return n
		}
	}
	return def
}

func joinPath(p []any) string {
	parts := make([]string, len(p))
	for i, x := range p {
		switch v := x.(type) {
		case string:
			parts[i] = v
		case float64:
			parts[i] = strconv.Itoa(int(v))
		default:
			parts[i] = fmt.Sprint(v)
		}
	}
	return strings.Join(parts, ".")
}

// lookup follows a dot path in decoded JSON data.
func lookup(doc map[string]any, path string) (any, bool) {
	var cur any = doc
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[part]; !ok {
			return nil, false
		}
	}
	return cur, true
}
