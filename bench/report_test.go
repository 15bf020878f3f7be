package bench

import (
	"math"
	"strings"
	"testing"
	"time"
)

func fanOutRows(web Row) []Row {
	web.Scenario, web.System, web.Variant = ScenarioFanOut, sysBFFWeb, variantDefaults.key
	return []Row{
		{Scenario: ScenarioFanOut, System: sysCeiling, Variant: "ceiling", Throughput: 700, SatTotal: 4,
			CPUPerRequest: 1300 * time.Microsecond, PeakRSS: 24 << 20, Rate: 350, Achieved: 350, P99: 5 * time.Millisecond},
		web,
		{Scenario: ScenarioFanOut, System: sysBFFWeb, Variant: variantSignedIn.key, Throughput: 480, SatTotal: 5, CPUPerRequest: 2 * time.Millisecond, PeakRSS: 50 << 20},
		{Scenario: ScenarioFanOut, System: sysBFFWeb, Variant: variantOff.key, Throughput: 500, SatTotal: 4, CPUPerRequest: 1900 * time.Microsecond, PeakRSS: 50 << 20},
		{Scenario: ScenarioFanOut, System: sysBFFWeb, Variant: variantTracing.key, Throughput: 440, SatTotal: 4, CPUPerRequest: 2100 * time.Microsecond, PeakRSS: 50 << 20},
		{Scenario: ScenarioMobileProduct, System: sysBFFMobile, Variant: variantDefaults.key, Throughput: 900, SatTotal: 6, CPUPerRequest: time.Millisecond, PeakRSS: 30 << 20},
	}
}

func TestTargetsMeetTheIssuesGoals(t *testing.T) {
	good := Row{Throughput: 500, SatTotal: 4, CPUPerRequest: 1900 * time.Microsecond, PeakRSS: 60 << 20,
		Rate: 350, Achieved: 349, P99: 9 * time.Millisecond}
	ts := targets(fanOutRows(good), nil)
	if len(ts) != 10 {
		t.Fatalf("%d targets: %+v", len(ts), ts)
	}
	for _, tg := range ts {
		if !tg.Info && !tg.Pass {
			t.Errorf("MISS where the goal is met: %+v", tg)
		}
	}

	bad := Row{Throughput: 124, SatTotal: 9.1, CPUPerRequest: 8 * time.Millisecond, PeakRSS: 100 << 20,
		Rate: 350, Achieved: 120, P99: 9 * time.Millisecond}
	rows := fanOutRows(bad)
	rows[2].Throughput = 100 // signed in: 20% below off's
	rows[4].Throughput = 90  // tracing: 27% below defaults
	rows[5].PeakRSS = 65 << 20
	for _, tg := range targets(rows, nil) {
		if tg.Pass {
			t.Errorf("PASS where the goal is missed: %+v", tg)
		}
	}
	// A p99 within 2× does not pass when the rate was not kept up with.
	for _, tg := range targets(rows, nil) {
		if strings.HasPrefix(tg.Name, "p99") && (tg.Pass || !strings.Contains(tg.Measured, "1.80×")) {
			t.Errorf("p99 target %+v", tg)
		}
	}
}

func TestFixedRunLength(t *testing.T) {
	for _, c := range []struct {
		rate float64
		d    time.Duration
		want time.Duration
		skip bool
	}{
		{350, 6 * time.Second, 6 * time.Second, false}, // 2100 requests
		{2, 6 * time.Second, 10 * time.Second, false},  // 20 requests take 10s
		{1, 6 * time.Second, 20 * time.Second, false},
		{0.5, 6 * time.Second, 0, true},
		{4, time.Second, 0, true}, // 20 requests take 5s > 4s
	} {
		got, note := fixedRunLength(c.rate, c.d)
		if (note != "") != c.skip || got != c.want {
			t.Errorf("%.1f/s over %s: %s %q", c.rate, c.d, got, note)
		}
	}
}

// When other processes shared the CPU, throughput targets are judged per
// CPU-second.
func TestTargetsOnASharedCPU(t *testing.T) {
	web := Row{Throughput: 100, SatTotal: 4, CPUPerRequest: 1900 * time.Microsecond, PeakRSS: 60 << 20,
		Rate: 350, Achieved: 349, P99: 9 * time.Millisecond, OtherBusy: 0.6}
	rows := fanOutRows(web) // measured: 100 ÷ 700 req/s = 14%; per CPU-second 1.3 ÷ 1.9 ms = 68%
	for _, tg := range targets(rows, nil) {
		if strings.HasPrefix(tg.Name, "fan-out throughput") {
			if !tg.Pass || !strings.Contains(tg.Measured, "68% per CPU-second") || !strings.Contains(tg.Measured, "the CPU was shared") {
				t.Errorf("%+v", tg)
			}
		}
	}
	rows[1].OtherBusy = 0
	for _, tg := range targets(rows, nil) {
		if strings.HasPrefix(tg.Name, "fan-out throughput") && (tg.Pass || !strings.HasPrefix(tg.Measured, "14% (100 vs 700 req/s")) {
			t.Errorf("%+v", tg)
		}
	}
}

// With paired comparisons, the cost targets are judged on them, and the
// groups' own figures are given for reference only.
func TestCostTargetsAreJudgedOnThePairedComparisons(t *testing.T) {
	good := Row{Throughput: 500, SatTotal: 4, CPUPerRequest: 1900 * time.Microsecond, PeakRSS: 60 << 20,
		Rate: 350, Achieved: 349, P99: 9 * time.Millisecond}
	rows := fanOutRows(good)
	rows[2].Throughput = 100 // the groups say signing in costs 80%
	paired := []Paired{
		{Key: "auth-throttling", Slices: 12, Requests: [2]int{960, 1000}, Elapsed: [2]time.Duration{2 * time.Second, 2 * time.Second}},
		{Key: "tracing", Slices: 12, Requests: [2]int{800, 1000}, Elapsed: [2]time.Duration{2 * time.Second, 2 * time.Second}},
	}
	verdicts := map[string]bool{}
	info := 0
	for _, tg := range targets(rows, paired) {
		if tg.Info {
			info++
			continue
		}
		verdicts[strings.SplitN(tg.Name, ":", 2)[0]] = tg.Pass
	}
	if !verdicts["auth + throttling cost, paired"] {
		t.Errorf("a 4%% paired cost is judged a miss: %v", verdicts)
	}
	if verdicts["tracing cost at 100% sampling, paired"] {
		t.Errorf("a 20%% paired cost is judged a pass: %v", verdicts)
	}
	if _, ok := verdicts["auth + throttling cost"]; ok {
		t.Errorf("the groups' figure is still judged: %v", verdicts)
	}
	if info != 4 { // throttling alone, signing in alone, and the two groups' figures
		t.Errorf("%d info rows, want 4", info)
	}
}

// A paired cost is the median of its slice pairs' ratios: one pair the
// machine took from does not decide it, where the sums it weighs on do.
func TestPairedCostIsTheMedianOfItsPairs(t *testing.T) {
	p := Paired{
		Requests: [2]int{100 + 960*4, 300 + 1000*4}, Elapsed: [2]time.Duration{5 * time.Second, 5 * time.Second},
		// four pairs at a 4% cost, one where a's slice ran at a third
		Ratios: []float64{0.96, 0.96, 1.0 / 3, 0.96, 0.96},
	}
	if c := p.Cost(); math.Abs(c-0.04) > 1e-9 {
		t.Errorf("Cost = %.4f, want the median pair's 0.04", c)
	}
	if c := p.SummedCost(); c < 0.08 {
		t.Errorf("SummedCost = %.4f: the sums should carry the outlier", c)
	}
	if c := (Paired{Requests: [2]int{960, 1000}, Elapsed: [2]time.Duration{time.Second, time.Second}}).Cost(); math.Abs(c-0.04) > 1e-9 {
		t.Errorf("without pairs, Cost = %.4f, want the sums' 0.04", c)
	}
}

// With paired comparisons against the ceilings, the headline ratios are
// judged on them; the order history's calls are judged on its groups.
func TestHeadlineTargetsAreJudgedOnThePairedComparisons(t *testing.T) {
	// The groups say 40% of the ceiling's throughput and 3× its CPU.
	web := Row{Throughput: 280, SatTotal: 4, CPUPerRequest: 3900 * time.Microsecond, PeakRSS: 60 << 20,
		Rate: 350, Achieved: 349, P99: 9 * time.Millisecond}
	rows := append(fanOutRows(web),
		Row{Scenario: ScenarioViewerOrders, System: sysCeiling, Variant: variantCeiling.key, Throughput: 1000, SatTotal: 4, CPUPerRequest: time.Millisecond},
		Row{Scenario: ScenarioViewerOrders, System: sysBFFWeb, Variant: variantSignedIn.key, Throughput: 400, SatTotal: 4.5, CPUPerRequest: 2 * time.Millisecond, PeakRSS: 50 << 20})
	sec := [2]time.Duration{4 * time.Second, 4 * time.Second}
	paired := []Paired{
		{Key: pairFanOutCeiling, Slices: 4, Requests: [2]int{1300, 2000}, Elapsed: sec, CPU: [2]time.Duration{2600 * time.Millisecond, 2000 * time.Millisecond},
			Ratios: []float64{0.62, 0.66, 0.64, 0.2}, CPURatios: []float64{1.5, 1.55, 1.45, 4}},
		{Key: pairOrderHistoryCeiling, Slices: 4, Requests: [2]int{900, 2000}, Elapsed: sec,
			Ratios: []float64{0.45, 0.44, 0.46, 0.9}},
	}
	verdicts := map[string]bool{}
	for _, tg := range targets(rows, paired) {
		if !tg.Info {
			verdicts[tg.Name] = tg.Pass
		}
	}
	for name, want := range map[string]bool{
		"fan-out throughput, bff-web ÷ ceiling, paired":                                 true,
		"fan-out CPU per request, bff-web ÷ ceiling, paired":                            true,
		"fan-out backend calls per request at saturation, bff-web vs ceiling":           true,
		"order history backend calls per request at saturation, bff-web vs its ceiling": false,
		"order history throughput, bff-web ÷ its ceiling, paired":                       false,
	} {
		got, ok := verdicts[name]
		if !ok || got != want {
			t.Errorf("%s: judged %v (present %v), want %v; all: %v", name, got, ok, want, verdicts)
		}
	}
	if _, ok := verdicts["fan-out throughput, bff-web ÷ ceiling"]; ok {
		t.Errorf("the groups' throughput ratio is still judged: %v", verdicts)
	}
	if r := paired[0].Ratio(); math.Abs(r-0.63) > 1e-9 {
		t.Errorf("Ratio = %.4f, want the median pair's 0.63", r)
	}
	if r := paired[0].CPURatio(); math.Abs(r-1.525) > 1e-9 {
		t.Errorf("CPURatio = %.4f, want the median pair's 1.525", r)
	}
	if r := (Paired{Requests: [2]int{10, 10}, CPU: [2]time.Duration{3 * time.Second, 2 * time.Second}}).CPURatio(); math.Abs(r-1.5) > 1e-9 {
		t.Errorf("without pairs, CPURatio = %.4f, want the sums' 1.5", r)
	}
}
