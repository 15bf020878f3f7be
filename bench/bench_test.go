package bench

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"
)

// smokeOptions run every phase briefly: the point is that the harness
// works end to end, not the figures.
func smokeOptions(t *testing.T) Options {
	t.Helper()
	if testing.Short() {
		t.Skip("builds bff-web, bff-mobile and the ceiling and runs them as processes for a few seconds each")
	}
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultOptions()
	o.Root = root
	o.Warmup = 200 * time.Millisecond
	o.Duration = time.Second
	o.Clients = 4
	o.IdleRequests = 3
	o.BuildFlags = raceBuildFlags
	return o
}

// TestHarnessSmoke runs every scenario for about a second and checks the
// figures are sane: answers all correct (and the ceiling's equal to
// bff-web's, which Run checks), calls counted, CPU and memory read from
// the processes, pinning in force where the machine allows, profiles
// written, and a table with every target. (One run for all of it: building
// the three binaries is the slowest part.)
func TestHarnessSmoke(t *testing.T) {
	o := smokeOptions(t)
	o.ProfileDir = t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	rep, err := Run(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 9 {
		t.Fatalf("%d rows, want 9 (5 fan-out groups, 2 order history groups and 2 product pages)", len(rep.Rows))
	}
	if rep.CeilingBodyBytes < 1000 || rep.OrderHistoryCeilingBodyBytes < 1000 {
		t.Errorf("a ceiling's answer was not compared with bff-web's (%d and %d bytes)", rep.CeilingBodyBytes, rep.OrderHistoryCeilingBodyBytes)
	}
	cpus, _ := allowedCPUs()
	for _, r := range rep.Rows {
		name := r.Scenario + "/" + r.System + "/" + r.Variant
		if r.Requests < 2 || r.Throughput <= 0 || r.Failures != 0 {
			t.Errorf("%s: %d requests, %.1f req/s, %d failed (%s)", name, r.Requests, r.Throughput, r.Failures, r.FirstError)
		}
		if r.SatTotal < 1 || r.SatTotal > 100 || r.IdleTotal < 1 || r.IdleTotal > 100 {
			t.Errorf("%s: %.2f calls per request at saturation, %.2f one at a time", name, r.SatTotal, r.IdleTotal)
		}
		if r.CPUPerRequest <= 0 || r.CPUPerRequest > time.Second {
			t.Errorf("%s: CPU per request %s", name, r.CPUPerRequest)
		}
		if r.PeakRSS < 4<<20 || r.PeakRSS > 4<<30 {
			t.Errorf("%s: peak RSS %d bytes", name, r.PeakRSS)
		}
		if r.Rate > 0 && r.FixedNote == "" && (r.P50 <= 0 || r.P99 < r.P50 || r.Achieved <= 0) {
			t.Errorf("%s: at %.0f/s achieved %.0f/s, p50 %s, p99 %s", name, r.Rate, r.Achieved, r.P50, r.P99)
		}
		// Only a system held to a rate it cannot sustain (bff-web at half
		// the ceiling's) may fail requests, by timing out.
		if r.FixedFailures > 0 && r.Achieved >= 0.95*r.Rate {
			t.Errorf("%s: %d requests failed at %.0f/s, a rate it kept up with (%s)", name, r.FixedFailures, r.Rate, r.FirstError)
		}
		if pinningSupported && len(cpus) >= 2 && r.CPUsAllowed != cpuList(cpus[:1]) {
			t.Errorf("%s: the process ran on CPUs %q, want %q", name, r.CPUsAllowed, cpuList(cpus[:1]))
		}
	}
	// The fan-out ceiling makes exactly one call per backend, whatever the
	// load; the order history's ceiling one orders call and, whatever the
	// load, the calls bff-web makes one request at a time (its viewer's
	// products take two batches; the account was read for the reference
	// answer, before the counters were reset).
	ceil := findRow(rep.Rows, ScenarioFanOut, sysCeiling, variantCeiling.key)
	orderCeil := findRow(rep.Rows, ScenarioViewerOrders, sysCeiling, variantCeiling.key)
	orderWeb := findRow(rep.Rows, ScenarioViewerOrders, sysBFFWeb, variantSignedIn.key)
	for _, calls := range []map[string]float64{ceil.SatCalls, ceil.IdleCalls} {
		for _, svc := range []string{"catalog", "reviews", "pricing", "inventory"} {
			if calls[svc] != 1 {
				t.Errorf("ceiling: %.2f %s calls per request, want 1: %v", calls[svc], svc, calls)
			}
		}
		if sum(calls) != 4 {
			t.Errorf("ceiling: %.2f calls per request, want 4: %v", sum(calls), calls)
		}
	}
	for _, calls := range []map[string]float64{orderCeil.SatCalls, orderCeil.IdleCalls} {
		if calls["orders"] != 1 || calls["accounts"] != 0 || sum(calls) != orderWeb.IdleTotal {
			t.Errorf("order history ceiling: calls per request %v, want one orders call, no accounts call and %.2f in all as bff-web's %v",
				calls, orderWeb.IdleTotal, orderWeb.IdleCalls)
		}
	}
	if web := findRow(rep.Rows, ScenarioFanOut, sysBFFWeb, variantDefaults.key); web.Rate != ceil.Throughput/2 {
		t.Errorf("bff-web's fixed rate %.0f is not half the ceiling's saturation throughput %.0f", web.Rate, ceil.Throughput)
	}
	if len(rep.Targets) != 18 {
		t.Errorf("%d targets, want 18 (12, and the paired comparisons' 6): %+v", len(rep.Targets), rep.Targets)
	}
	// Every paired comparison alternated the load between both sides,
	// which answered correctly.
	if len(rep.Paired) != len(pairSpecs) {
		t.Errorf("%d paired comparisons, want %d", len(rep.Paired), len(pairSpecs))
	}
	for _, p := range rep.Paired {
		if p.Slices < 2 || p.Requests[0] < 2 || p.Requests[1] < 2 || p.Failures != [2]int{} || p.CPU[0] <= 0 || p.CPU[1] <= 0 || len(p.CPURatios) == 0 {
			t.Errorf("paired %s: %+v", p.Key, p)
		}
	}
	// Each scenario's reference group, and the fan-out's signed-in and off
	// variants (to compare with its defaults), leave a CPU, an allocation
	// and a heap profile (gzipped protobuf).
	profiled := 0
	for _, r := range rep.Rows {
		if len(r.Profiles) == 0 {
			continue
		}
		profiled++
		if len(r.Profiles) != 3 {
			t.Errorf("%s/%s: profiles %v, want cpu, allocs and heap", r.Scenario, r.Variant, r.Profiles)
		}
		for _, f := range r.Profiles {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) || len(b) < 100 {
				t.Errorf("%s is not a gzipped profile (%d bytes)", f, len(b))
			}
		}
	}
	if profiled != 6 {
		t.Errorf("%d groups profiled, want 6 (one per scenario, and two more fan-out variants)", profiled)
	}
	md := rep.Markdown()
	for _, want := range []string{"## Saturation", "## Latency at a fixed rate", "## Backend calls per request", "## Targets", "## Profiles", rep.Machine.GoVersion, "pinning"} {
		if !strings.Contains(md, want) {
			t.Errorf("the table lacks %q", want)
		}
	}
	if !strings.Contains(md, "PASS") && !strings.Contains(md, "MISS") {
		t.Error("the targets have no verdicts")
	}
	t.Logf("\n%s", md)
}
