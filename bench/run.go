package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"
)

// Options configure a run. Zero durations and counts are refused, not
// replaced: DefaultOptions has the values `make bench` uses.
type Options struct {
	// Root is the repository root: binaries are built from it and the
	// product page documents read from its e2e/testdata.
	Root string
	// Warmup is the closed-loop load each process gets before it is
	// measured; Duration is each measured run (saturation, fixed rate).
	Warmup, Duration time.Duration
	// Clients is the closed loop's concurrency.
	Clients int
	// Runs repeats every measurement, interleaved (each round measures
	// every group once); the report shows medians.
	Runs int
	// IdleRequests are sent one at a time to count a request's backend
	// calls when the system is otherwise idle.
	IdleRequests int
	// Timeout bounds one request.
	Timeout time.Duration
	// Pin puts the systems under test on one CPU and the load generator,
	// mocks and identity provider on the others, when the machine has two
	// or more; otherwise every process shares every CPU.
	Pin bool
	// Scenarios are the scenario keys to run (ScenarioKeys); empty: all.
	Scenarios []string
	// ProfileDir, when set, receives a CPU, an allocation and a heap
	// profile of each BFF's reference group under saturation (an extra
	// run of Duration after the saturation run).
	ProfileDir string
	// BuildFlags are extra `go build` flags for the binaries (-race for the
	// harness's own test).
	BuildFlags []string
	// Command is how the run was started, for the report.
	Command string
	// Log receives progress lines; nil discards them.
	Log io.Writer
}

// DefaultOptions are the settings of `make bench`: some two minutes on a
// two-core machine.
func DefaultOptions() Options {
	return Options{
		Warmup: 2 * time.Second, Duration: 6 * time.Second, Clients: 32, Runs: 1,
		IdleRequests: 10, Timeout: 10 * time.Second, Pin: true,
	}
}

func (o Options) validate() error {
	var errs []error
	if o.Root == "" {
		errs = append(errs, errors.New("bench: Root is empty"))
	}
	if o.Warmup < 0 || o.Duration < 100*time.Millisecond {
		errs = append(errs, errors.New("bench: Duration must be at least 100ms and Warmup not negative"))
	}
	if o.Clients < 1 || o.Runs < 1 || o.IdleRequests < 1 || o.Timeout <= 0 {
		errs = append(errs, errors.New("bench: Clients, Runs, IdleRequests and Timeout must be positive"))
	}
	return errors.Join(errs...)
}

// runner carries a run's shared state.
type runner struct {
	opts     Options
	binDir   string
	backends *backends
	sutCPUs  []int // the systems under test; nil: unpinned
	loadCPUs []int // the harness: load generator, mocks, identity provider
	token    string
	client   *http.Client

	mu       sync.Mutex
	gc, gcOf string // the run's garbage collector settings, and the system that first logged them
}

func (r *runner) logf(format string, args ...any) {
	if r.opts.Log != nil {
		fmt.Fprintf(r.opts.Log, format+"\n", args...)
	}
}

// Run builds the systems under test, starts the mocks and the identity
// provider in this process, measures every group Runs times and returns
// the report. It stops by itself: every phase is bounded by the options.
func Run(ctx context.Context, opts Options) (*Report, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	r := &runner{opts: opts, client: &http.Client{Timeout: opts.Timeout}}
	scs, err := scenarios(opts.Root, opts.Scenarios)
	if err != nil {
		return nil, err
	}
	groups := plan(scs)

	r.binDir, err = os.MkdirTemp("", "tandem-bench-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(r.binDir)
	r.logf("building %d binaries", len(packages))
	goVersion, err := build(ctx, opts.Root, r.binDir, opts.BuildFlags)
	if err != nil {
		return nil, err
	}

	// Pin after building: the compiler should have every core.
	pinning, unpin, err := r.pin()
	if err != nil {
		return nil, err
	}
	defer unpin()
	r.logf("%s", pinning)

	r.backends, err = startBackends(ctx)
	if err != nil {
		return nil, err
	}
	defer r.backends.Close()
	viewer, err := r.backends.viewerWithOrders(ctx, viewerOrders)
	if err != nil {
		return nil, fmt.Errorf("bench: placing the viewer's orders: %w", err)
	}
	if r.token, err = r.backends.token(viewer, "orders:read"); err != nil {
		return nil, err
	}

	rep := &Report{
		Date:    time.Now().UTC(),
		Machine: describeMachine(goVersion),
		Options: opts,
		Pinning: pinning,
		Viewer:  viewer,
	}
	results := map[string][]measurement{}
	// The paired comparisons of the scenarios that run.
	byKey := map[string]scenario{}
	for _, sc := range scs {
		byKey[sc.key] = sc
	}
	var specs []pairSpec
	for _, p := range pairSpecs {
		if _, ok := byKey[p.scenario]; ok {
			specs = append(specs, p)
			rep.Paired = append(rep.Paired, Paired{Key: p.key, Title: p.title, ASystem: p.a.system, A: p.a.variant.key, BSystem: p.b.system, B: p.b.variant.key})
		}
	}
	for round := 1; round <= opts.Runs; round++ {
		var ceilingRate float64
		refs := map[string][]byte{}
		for _, g := range groups {
			r.logf("round %d/%d: %s — %s", round, opts.Runs, g.scenario.title, g.system+" "+g.variant.key)
			m, err := r.measure(ctx, g, ceilingRate)
			if err != nil {
				return nil, fmt.Errorf("bench: %s: %w", g.key(), err)
			}
			if g.system == sysCeiling && g.scenario.key == ScenarioFanOut {
				ceilingRate = m.sat.throughput()
			}
			refs[g.key()] = m.ref
			results[g.key()] = append(results[g.key()], m)
			r.logf("  %.0f req/s, %.2f calls/req, %.2f ms CPU/req, peak RSS %.1f MiB",
				m.sat.throughput(), m.satCallsTotal(), ms(m.cpuPerRequest), mib(m.peakRSS))
		}
		// Each ceiling must still do bff-web's work: its answer is
		// bff-web's, byte for byte.
		for _, cmp := range []struct {
			scenario, variant string
			bytes             *int
		}{
			{ScenarioFanOut, variantDefaults.key, &rep.CeilingBodyBytes},
			{ScenarioViewerOrders, variantSignedIn.key, &rep.OrderHistoryCeilingBodyBytes},
		} {
			c, w := refs[cmp.scenario+"/"+sysCeiling+"/"+variantCeiling.key], refs[cmp.scenario+"/"+sysBFFWeb+"/"+cmp.variant]
			if c == nil || w == nil {
				continue
			}
			if !bytes.Equal(c, w) {
				return nil, fmt.Errorf("bench: the ceiling's answer to %s differs from bff-web's (%d and %d bytes): the ceiling no longer does the same work", byKey[cmp.scenario].title, len(c), len(w))
			}
			*cmp.bytes = len(c)
		}
		for i, p := range specs {
			r.logf("round %d/%d: paired, %s", round, opts.Runs, p.title)
			if err := r.measurePair(ctx, byKey[p.scenario], p, opts.Duration, &rep.Paired[i]); err != nil {
				return nil, fmt.Errorf("bench: paired %s: %w", p.key, err)
			}
			if p.b.system == sysCeiling {
				r.logf("  throughput %s; CPU per request %s", rep.Paired[i].describeRatio(), rep.Paired[i].describeCPU())
			} else {
				r.logf("  %s", rep.Paired[i].describe())
			}
		}
	}
	for _, g := range groups {
		rep.Rows = append(rep.Rows, summarize(g, results[g.key()], len(r.loadCPUs)))
	}
	rep.Targets = targets(rep.Rows, rep.Paired)
	return rep, nil
}

// build compiles the systems under test into dir and returns the Go
// version that built them.
func build(ctx context.Context, root, dir string, flags []string) (string, error) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return "", fmt.Errorf("bench: the go command is needed to build the systems under test: %w", err)
	}
	args := append([]string{"build", "-o", dir + string(filepath.Separator)}, flags...)
	for _, sys := range []string{sysCeiling, sysBFFWeb, sysBFFMobile} {
		args = append(args, packages[sys])
	}
	cmd := exec.CommandContext(ctx, goTool, args...)
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("bench: go build: %w: %s", err, out)
	}
	cmd = exec.CommandContext(ctx, goTool, "env", "GOVERSION")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("bench: go env GOVERSION: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// pin splits the CPUs between the systems under test and the harness, and
// moves the harness's threads to its share. It returns the report's line
// on pinning and a function that gives the harness its CPUs back.
func (r *runner) pin() (string, func(), error) {
	nothing := func() {}
	if !r.opts.Pin {
		return "off (-pin=false): every process shares every CPU", nothing, nil
	}
	if !pinningSupported {
		return "off: CPU affinity is supported on Linux only", nothing, nil
	}
	cpus, err := allowedCPUs()
	if err != nil {
		return "", nil, err
	}
	if len(cpus) < 2 {
		return fmt.Sprintf("off: this process may use %d CPU only", len(cpus)), nothing, nil
	}
	r.sutCPUs, r.loadCPUs = cpus[:1], cpus[1:]
	procs := runtime.GOMAXPROCS(0)
	unpin := func() {
		_ = pinProcess(cpus)
		runtime.GOMAXPROCS(procs)
	}
	if err := pinProcess(r.loadCPUs); err != nil {
		unpin()
		return "", nil, err
	}
	runtime.GOMAXPROCS(len(r.loadCPUs))
	return fmt.Sprintf("on: system under test on CPU %s; load generator, mocks and identity provider on CPU %s (sched_setaffinity)",
		cpuList(r.sutCPUs), cpuList(r.loadCPUs)), unpin, nil
}

// sutCPUCount is how many CPUs a system under test may use.
func (r *runner) sutCPUCount() int {
	if len(r.sutCPUs) > 0 {
		return len(r.sutCPUs)
	}
	return runtime.NumCPU()
}

func cpuList(cpus []int) string {
	s := make([]string, len(cpus))
	for i, c := range cpus {
		s[i] = fmt.Sprint(c)
	}
	return strings.Join(s, ",")
}

// measurement is one group measured once.
type measurement struct {
	ref           []byte             // the answer every request must get
	idleCalls     map[string]float64 // backend calls per request by service, one request at a time
	warmRequests  int                // sent during the warm-up
	warmFailures  int                // of which failed
	warmError     string             // the first failure
	sat           loadResult         // closed loop
	satCalls      map[string]float64 // backend calls per request by service, at saturation
	cpuPerRequest time.Duration      // the system's CPU at saturation, per request
	sutBusy       float64            // the system's CPU at saturation over the time and CPUs it had
	otherBusy     float64            // the share of those CPUs other processes used meanwhile
	rate          float64            // the fixed rate asked (0: none)
	fixed         loadResult         // open loop at rate
	fixedNote     string             // why the fixed-rate run was skipped
	peakRSS       int64              // VmHWM after the saturation run
	cpusAllowed   string             // the system's Cpus_allowed_list
	profiles      []string
	spans         float64 // spans the collector received per request at saturation (tracing)
}

func (m measurement) satCallsTotal() float64 { return sum(m.satCalls) }

func sum(m map[string]float64) float64 {
	t := 0.0
	for _, v := range m {
		t += v
	}
	return t
}

// measure starts g's process, measures it and stops it.
func (r *runner) measure(ctx context.Context, g group, ceilingRate float64) (measurement, error) {
	profile := r.opts.ProfileDir != "" && g.profile
	c, err := r.startSystem(ctx, g, profile)
	if err != nil {
		return measurement{}, err
	}
	defer c.stop()
	req, err := r.request(c, g)
	if err != nil {
		return measurement{}, err
	}
	var m measurement
	if m.ref, err = r.reference(ctx, req); err != nil {
		return measurement{}, err
	}
	if m.idleCalls, err = r.idleCalls(ctx, req, m.ref); err != nil {
		return measurement{}, err
	}
	if r.opts.Warmup > 0 {
		warm, err := load(ctx, req, m.ref, r.opts.Clients, 0, r.opts.Warmup, r.opts.Timeout)
		if err != nil {
			return measurement{}, err
		}
		// Reported, not fatal: a system that fails under load fails at
		// saturation too, where the failures are counted.
		m.warmFailures, m.warmRequests, m.warmError = warm.failures, warm.requests, warm.firstError
		if warm.failures > 0 {
			r.logf("  %d of %d requests failed during the warm-up, first: %.300s", warm.failures, warm.requests, warm.firstError)
		}
	}

	if err := r.backends.resetCounters(ctx); err != nil {
		return measurement{}, err
	}
	cpu0, err := cpuTime(c.pid())
	if err != nil {
		return measurement{}, err
	}
	busy0, total0, err := cpuStat(r.sutCPUs)
	if err != nil {
		return measurement{}, err
	}
	spans0 := r.backends.spans.spans.Load()
	if m.sat, err = load(ctx, req, m.ref, r.opts.Clients, 0, r.opts.Duration, r.opts.Timeout); err != nil {
		return measurement{}, err
	}
	if g.variant.tracing {
		// Spans still in the exporter's batch are not counted: a lower
		// bound. None at all means tracing was not on.
		got := r.backends.spans.spans.Load() - spans0
		if got == 0 {
			return measurement{}, fmt.Errorf("%s %s: the collector received no span", g.system, g.variant.key)
		}
		if m.sat.requests > 0 {
			m.spans = float64(got) / float64(m.sat.requests)
		}
	}
	cpu1, err := cpuTime(c.pid())
	if err != nil {
		return measurement{}, err
	}
	busy1, total1, err := cpuStat(r.sutCPUs)
	if err != nil {
		return measurement{}, err
	}
	if total1 > total0 {
		// Whatever kept the system's CPUs busy besides the system itself:
		// other processes (the harness too, when unpinned).
		m.otherBusy = max(0, ((busy1-busy0)-(cpu1-cpu0)).Seconds()/(total1-total0).Seconds())
	}
	calls, err := r.backends.counters(ctx)
	if err != nil {
		return measurement{}, err
	}
	if m.sat.elapsed > 0 {
		m.sutBusy = (cpu1 - cpu0).Seconds() / (m.sat.elapsed.Seconds() * float64(r.sutCPUCount()))
	}
	if m.sat.requests > 0 {
		m.cpuPerRequest = (cpu1 - cpu0) / time.Duration(m.sat.requests)
		m.satCalls = perRequest(calls, m.sat.requests)
	}

	// Peak RSS under saturation: read before the fixed-rate run, which
	// may queue more requests than saturation does when the system cannot
	// keep up.
	if m.peakRSS, err = peakRSS(c.pid()); err != nil {
		return measurement{}, err
	}

	// Profiles before the fixed-rate run: a system held to a rate it
	// cannot sustain may end it with its circuit breakers open.
	if profile {
		if m.profiles, err = r.profile(ctx, c, g, req, m.ref); err != nil {
			return measurement{}, err
		}
	}

	switch g.rate {
	case rateHalfOwn:
		m.rate = m.sat.throughput() / 2
	case rateHalfCeiling:
		m.rate = ceilingRate / 2
	}
	if m.rate > 0 {
		d, note := fixedRunLength(m.rate, r.opts.Duration)
		if note != "" {
			m.fixedNote = note
		} else if m.fixed, err = load(ctx, req, m.ref, r.opts.Clients, m.rate, d, r.opts.Timeout); err != nil {
			return measurement{}, err
		}
	}
	if m.cpusAllowed, err = procStatus(c.pid(), "Cpus_allowed_list"); err != nil {
		return measurement{}, err
	}
	return m, nil
}

// minFixedRequests is the fewest requests a fixed-rate run sends: fewer
// give no percentiles worth the name.
const minFixedRequests = 20

// fixedRunLength is how long a fixed-rate run at rate lasts: d, or longer
// to send minFixedRequests, up to 4d; beyond that the run is skipped and
// note says why.
func fixedRunLength(rate float64, d time.Duration) (time.Duration, string) {
	need := time.Duration(float64(minFixedRequests) / rate * float64(time.Second))
	if need > 4*d || rate < 1 {
		return 0, fmt.Sprintf("not run: at %.1f/s, %d requests take longer than %s", rate, minFixedRequests, 4*d)
	}
	return max(d, need), ""
}

func perRequest(calls map[string]int64, requests int) map[string]float64 {
	out := make(map[string]float64, len(calls))
	for svc, n := range calls {
		out[svc] = float64(n) / float64(requests)
	}
	return out
}

// request is what g sends to c: a GraphQL POST, with the viewer's token
// when the group is signed in.
func (r *runner) request(c *child, g group) (request, error) {
	payload := map[string]any{"query": g.scenario.query}
	if g.scenario.vars != nil {
		payload["variables"] = g.scenario.vars
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return request{}, err
	}
	// Uncompressed, as wrk asks: the ceiling and the BFF then write the
	// same bytes. Go's client would otherwise ask for gzip, which only the
	// BFF does (the README gives what compression costs).
	h := http.Header{"Content-Type": {"application/json"}, "Accept-Encoding": {"identity"}}
	if g.signedIn() {
		h.Set("Authorization", "Bearer "+r.token)
	}
	return request{url: "http://" + c.addr + "/graphql", body: body, header: h}, nil
}

// send makes one request and returns the answer's body; it must be HTTP
// 200.
func (r *runner) send(ctx context.Context, req request) ([]byte, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, req.url, bytes.NewReader(req.body))
	if err != nil {
		return nil, err
	}
	hr.Header = req.header.Clone()
	resp, err := r.client.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, body)
	}
	return body, nil
}

// reference is the first answer, checked to be a complete GraphQL answer:
// data and no errors. Every later answer must equal it byte for byte.
func (r *runner) reference(ctx context.Context, req request) ([]byte, error) {
	body, err := r.send(ctx, req)
	if err != nil {
		return nil, err
	}
	var resp struct {
		Data   json.RawMessage `json:"data"`
		Errors []any           `json:"errors"`
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		return nil, fmt.Errorf("the answer is not JSON: %w: %.300s", err, body)
	}
	if len(resp.Errors) > 0 || len(resp.Data) == 0 || string(resp.Data) == "null" {
		return nil, fmt.Errorf("the answer is not a complete result: %.500s", body)
	}
	return body, nil
}

// idleCalls counts the backend calls of requests sent one at a time.
func (r *runner) idleCalls(ctx context.Context, req request, ref []byte) (map[string]float64, error) {
	if err := r.backends.resetCounters(ctx); err != nil {
		return nil, err
	}
	for range r.opts.IdleRequests {
		body, err := r.send(ctx, req)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(body, ref) {
			return nil, fmt.Errorf("an answer differs from the first: %.300s", body)
		}
	}
	calls, err := r.backends.counters(ctx)
	if err != nil {
		return nil, err
	}
	return perRequest(calls, r.opts.IdleRequests), nil
}

// profile takes a CPU profile and an allocation profile of c over one
// more saturation run, then a heap profile, into Options.ProfileDir.
func (r *runner) profile(ctx context.Context, c *child, g group, req request, ref []byte) ([]string, error) {
	if err := os.MkdirAll(r.opts.ProfileDir, 0o755); err != nil {
		return nil, err
	}
	secs := max(1, int(r.opts.Duration.Seconds()))
	base := filepath.Join(r.opts.ProfileDir, g.scenario.key+"-"+g.system+"-"+g.variant.key)
	loadDone := make(chan error, 1)
	go func() {
		// A second longer than the profiles, which start just after it.
		_, err := load(ctx, req, ref, r.opts.Clients, 0, time.Duration(secs+1)*time.Second, r.opts.Timeout)
		loadDone <- err
	}()
	fetched := make(chan error, 2)
	for _, p := range []struct{ path, file string }{
		{fmt.Sprintf("/debug/pprof/profile?seconds=%d", secs), base + ".cpu.pprof"},
		{fmt.Sprintf("/debug/pprof/allocs?seconds=%d", secs), base + ".allocs.pprof"},
	} {
		go func() { fetched <- r.fetchProfile(ctx, c, p.path, p.file, secs) }()
	}
	err := errors.Join(<-fetched, <-fetched, <-loadDone)
	if err == nil {
		err = r.fetchProfile(ctx, c, "/debug/pprof/heap", base+".heap.pprof", 0)
	}
	if err != nil {
		return nil, fmt.Errorf("profiling: %w", err)
	}
	return []string{base + ".cpu.pprof", base + ".allocs.pprof", base + ".heap.pprof"}, nil
}

func (r *runner) fetchProfile(ctx context.Context, c *child, path, file string, secs int) error {
	client := &http.Client{Timeout: time.Duration(secs)*time.Second + 30*time.Second}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+c.adminAddr+path, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: HTTP %d: %.200s", path, resp.StatusCode, body)
	}
	return os.WriteFile(file, body, 0o644)
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func mib(b int64) float64 { return float64(b) / (1 << 20) }

// modulePath is the module the harness belongs to.
const modulePath = "github.com/tandemgw/tandem"

// FindRoot returns the root of the repository that holds the working
// directory: the directory of the go.mod that declares this module.
func FindRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		b, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			if strings.Contains(string(b), "module "+modulePath+"\n") {
				return dir, nil
			}
		} else if !errors.Is(err, os.ErrNotExist) {
			return "", err
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("bench: no go.mod of %s above the working directory: run from the repository", modulePath)
		}
		dir = parent
	}
}
