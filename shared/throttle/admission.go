package throttle

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/errcode"
)

// AdmissionConfig is the `throttle.admission:` section: how many GraphQL
// requests one replica executes at once.
//
// Why: a request's memory (what its loaders hold and the response gqlgen
// builds before writing it) lives until its answer is written. Once the
// CPU is saturated, every request let in besides slows the others down,
// so each one's memory lives longer, for no more throughput: 32 order
// histories at once on one core peaked at 91 MiB, against 57 MiB when
// only as many ran as kept the CPU busy, at the same rate. Admission
// holds the requests past that point in a first-come, first-served queue,
// before their bodies are read, and lets them in as others finish.
//
// The limit adapts every 100 ms to how busy the process kept its CPUs
// (its CPU time over GOMAXPROCS × wall time; GC work the runtime does
// only because a P was idle counts as idle). At or above Saturated, the limit
// shrinks to a tenth below the requests that ran; below it, while
// requests queued, it grows by an eighth, or doubles when the CPU was
// less than half as busy. Requests waiting on slow backends cost no CPU,
// so they raise the limit rather than lower it: the signal is the CPU's
// own, whatever the requests' sizes or their backends' latency. It starts
// at MinConcurrent and grows from there, as TCP's slow start does.
type AdmissionConfig struct {
	// Disabled turns admission off: every request starts at once.
	Disabled bool `yaml:"disabled"`
	// MinConcurrent is the floor of the limit and where it starts.
	// Default 2 per GOMAXPROCS.
	MinConcurrent int `yaml:"minConcurrent"`
	// MaxConcurrent is the ceiling of the limit. Default 1024.
	MaxConcurrent int `yaml:"maxConcurrent"`
	// Saturated is the share of the CPU (0..1) in use over an interval at
	// and above which the CPU counts as saturated. Default 0.97.
	Saturated float64 `yaml:"saturated"`
	// MaxWait bounds a request's time in the queue; past it the answer is
	// 503 OVERLOADED with Retry-After. Default 5s.
	MaxWait time.Duration `yaml:"maxWait"`
}

// admissionInterval is how often the limit adapts.
const admissionInterval = 100 * time.Millisecond

// WithDefaults fills unset fields.
func (c AdmissionConfig) WithDefaults() AdmissionConfig {
	if c.MinConcurrent <= 0 {
		c.MinConcurrent = 2 * runtime.GOMAXPROCS(0)
	}
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = 1024
	}
	c.MaxConcurrent = max(c.MaxConcurrent, c.MinConcurrent)
	if c.Saturated <= 0 || c.Saturated > 1 {
		c.Saturated = 0.97
	}
	if c.MaxWait <= 0 {
		c.MaxWait = 5 * time.Second
	}
	return c
}

// Admission limits the requests executing at once (see AdmissionConfig).
// Safe for concurrent use; Run adapts the limit.
type Admission struct {
	cfg AdmissionConfig

	mu      sync.Mutex
	limit   int
	running int
	waiting []chan struct{} // FIFO; a closed channel is a granted slot
	peak    int             // most running at once this interval
	queued  bool            // a request waited this interval

	overloaded atomic.Int64 // requests refused after MaxWait
}

// NewAdmission returns an admission controller for cfg; its limit starts
// at MinConcurrent and adapts once Run runs.
func NewAdmission(cfg AdmissionConfig) *Admission {
	cfg = cfg.WithDefaults()
	return &Admission{cfg: cfg, limit: cfg.MinConcurrent}
}

// Stats are the current limit and the requests running and waiting.
func (a *Admission) Stats() (limit, running, waiting int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.limit, a.running, len(a.waiting)
}

// Overloaded is how many requests were refused after waiting MaxWait.
func (a *Admission) Overloaded() int64 { return a.overloaded.Load() }

// errOverloaded is Acquire's error when the wait ran out.
var errOverloaded = errors.New("throttle: admission queue wait exceeded")

// Acquire waits for a slot, at most MaxWait, and returns its release; an
// error when ctx ends or the wait runs out first.
func (a *Admission) Acquire(ctx context.Context) (release func(), err error) {
	a.mu.Lock()
	if a.running < a.limit && len(a.waiting) == 0 {
		a.running++
		a.peak = max(a.peak, a.running)
		a.mu.Unlock()
		return a.release, nil
	}
	granted := make(chan struct{})
	a.waiting = append(a.waiting, granted)
	a.queued = true
	a.mu.Unlock()

	timer := time.NewTimer(a.cfg.MaxWait)
	defer timer.Stop()
	select {
	case <-granted:
		return a.release, nil
	case <-ctx.Done():
		err = ctx.Err()
	case <-timer.C:
		err = errOverloaded
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for i, c := range a.waiting {
		if c == granted {
			a.waiting = append(a.waiting[:i], a.waiting[i+1:]...)
			return nil, err
		}
	}
	// Granted while giving up: pass the slot on.
	a.running--
	a.grantLocked()
	return nil, err
}

func (a *Admission) release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.running--
	a.grantLocked()
}

// grantLocked lets waiting requests in, first come first, while the
// limit allows.
func (a *Admission) grantLocked() {
	for a.running < a.limit && len(a.waiting) > 0 {
		c := a.waiting[0]
		a.waiting[0] = nil
		a.waiting = a.waiting[1:]
		a.running++
		close(c)
	}
	a.peak = max(a.peak, a.running)
}

// adjust is one adaptation, given the share of the CPU in use (0..1)
// over the interval that ends.
func (a *Admission) adjust(busy float64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case busy >= a.cfg.Saturated && a.peak > 0:
		// From what ran, not from the limit: a limit far above the
		// requests in flight would take many steps to bite.
		ran := min(a.limit, a.peak)
		a.limit = max(a.cfg.MinConcurrent, ran-max(1, ran/10))
	case a.queued && busy < a.cfg.Saturated/2:
		a.limit = min(a.cfg.MaxConcurrent, 2*a.limit)
	case a.queued:
		a.limit = min(a.cfg.MaxConcurrent, a.limit+max(1, a.limit/8))
	}
	a.grantLocked()
	a.peak, a.queued = a.running, len(a.waiting) > 0
}

// Run adapts the limit every 100 ms until ctx ends.
func (a *Admission) Run(ctx context.Context) {
	cpu := newCPUUse()
	tick := time.NewTicker(admissionInterval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			a.adjust(cpu.next())
		}
	}
}

// Middleware admits each request before the GraphQL handler reads its
// body. Subscriptions (a WebSocket upgrade, server-sent events) last as
// long as their client wants, so they are not held or counted.
func (a *Admission) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Upgrade") != "" || strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			next.ServeHTTP(w, r)
			return
		}
		release, err := a.Acquire(r.Context())
		if err != nil {
			if errors.Is(err, errOverloaded) {
				a.overloaded.Add(1)
				w.Header().Set("Retry-After", "1")
				writeError(w, http.StatusServiceUnavailable, &gqlerror.Error{
					Message:    "the gateway is overloaded; retry shortly",
					Extensions: map[string]any{"code": string(errcode.Overloaded), "retryAfter": 1},
				})
			}
			return // otherwise the client has gone
		}
		defer release()
		next.ServeHTTP(w, r)
	})
}

// cpuUse reads how busy the process kept its CPUs: the process's CPU time
// (processCPUTime, exact where the OS keeps it per thread) over
// GOMAXPROCS × wall time, less the GC work the runtime did only because a
// P had nothing else to run (runtime/metrics /cpu/classes/gc/mark/idle,
// brought up to date at each GC cycle's end): it would otherwise make an
// idle CPU look busy.
type cpuUse struct {
	sample      []metrics.Sample
	gcIdle, cpu float64
	wall        time.Time
}

func newCPUUse() *cpuUse {
	u := &cpuUse{sample: []metrics.Sample{{Name: "/cpu/classes/gc/mark/idle:cpu-seconds"}}}
	u.next()
	return u
}

// next returns the busy share, 0..1, since the last call.
func (u *cpuUse) next() float64 {
	now := time.Now()
	cpu, ok := processCPUTime()
	metrics.Read(u.sample)
	gcIdle := 0.0
	if u.sample[0].Value.Kind() == metrics.KindFloat64 {
		gcIdle = u.sample[0].Value.Float64()
	}
	dCPU, dGCIdle, dWall := cpu-u.cpu, gcIdle-u.gcIdle, now.Sub(u.wall).Seconds()
	first := u.wall.IsZero()
	u.cpu, u.gcIdle, u.wall = cpu, gcIdle, now
	if !ok || first || dWall <= 0 {
		return 0
	}
	return min(1, max(0, (dCPU-dGCIdle)/(dWall*float64(runtime.GOMAXPROCS(0)))))
}
