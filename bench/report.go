package bench

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Report is a run's results.
type Report struct {
	Date    time.Time
	Machine machine
	Options Options
	Pinning string
	Viewer  string // the signed-in viewer
	// CeilingBodyBytes is the size of the fan-out answer the ceiling and
	// bff-web were checked to share byte for byte (0: not compared).
	CeilingBodyBytes int
	// OrderHistoryCeilingBodyBytes is the same for the order history.
	OrderHistoryCeilingBodyBytes int
	Rows                         []Row
	// Paired are the paired comparisons (see pairSpecs): the headline
	// ratios against the ceilings and the cost targets.
	Paired  []Paired
	Targets []Target
}

// Row is one group's figures: medians over the runs, failures summed.
type Row struct {
	Scenario, ScenarioTitle, System, Variant, VariantLabel string
	Runs                                                   int

	Throughput    float64 // successful requests per second, closed loop
	Requests      int     // requests sent at saturation, all runs
	Failures      int     // failed requests at saturation, all runs
	WarmFailures  int     // failed requests during the warm-ups, all runs
	FixedFailures int     // failed requests at the fixed rate, all runs
	FirstError    string

	SatCalls, IdleCalls map[string]float64 // backend calls per request by service
	SatTotal, IdleTotal float64

	CPUPerRequest time.Duration
	PeakRSS       int64
	LoadCPU       float64 // share of the harness's CPUs busy at saturation
	SUTBusy       float64 // share of its CPUs the system under test used at saturation
	OtherBusy     float64 // share of those CPUs other processes used meanwhile

	Rate, Achieved float64 // fixed rate asked and achieved (0: not measured)
	P50, P99       time.Duration
	FixedNote      string // why the fixed-rate run was skipped

	CPUsAllowed string
	Profiles    []string
	Spans       float64 // spans per request the collector received (tracing)
}

// Target is one of the performance issue's targets, measured.
type Target struct {
	Name, Measured, Goal string
	// Pass is the verdict; Info targets have none.
	Pass, Info bool
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}

func medianOf(ms []measurement, f func(measurement) float64) float64 {
	xs := make([]float64, len(ms))
	for i, m := range ms {
		xs[i] = f(m)
	}
	return median(xs)
}

func medianCalls(ms []measurement, f func(measurement) map[string]float64) map[string]float64 {
	services := map[string]bool{}
	for _, m := range ms {
		for s := range f(m) {
			services[s] = true
		}
	}
	out := map[string]float64{}
	for s := range services {
		out[s] = medianOf(ms, func(m measurement) float64 { return f(m)[s] })
	}
	return out
}

// summarize folds a group's measurements into its row. loadCPUs is how
// many CPUs the harness had (0: unpinned, all of them).
func summarize(g group, ms []measurement, loadCPUs int) Row {
	if loadCPUs == 0 {
		loadCPUs = max(1, runtimeCPUs())
	}
	row := Row{
		Scenario: g.scenario.key, ScenarioTitle: g.scenario.title,
		System: g.system, Variant: g.variant.key, VariantLabel: g.variant.label,
		Runs: len(ms),
	}
	for _, m := range ms {
		row.Requests += m.sat.requests
		row.Failures += m.sat.failures
		row.WarmFailures += m.warmFailures
		row.FixedFailures += m.fixed.failures
		for _, e := range []string{m.warmError, m.sat.firstError, m.fixed.firstError} {
			if row.FirstError == "" {
				row.FirstError = e
			}
		}
		row.Profiles = append(row.Profiles, m.profiles...)
		if m.fixedNote != "" {
			row.FixedNote = m.fixedNote
		}
		row.CPUsAllowed = m.cpusAllowed
	}
	row.Throughput = medianOf(ms, func(m measurement) float64 { return m.sat.throughput() })
	row.SatCalls = medianCalls(ms, func(m measurement) map[string]float64 { return m.satCalls })
	row.IdleCalls = medianCalls(ms, func(m measurement) map[string]float64 { return m.idleCalls })
	row.SatTotal = medianOf(ms, func(m measurement) float64 { return sum(m.satCalls) })
	row.IdleTotal = medianOf(ms, func(m measurement) float64 { return sum(m.idleCalls) })
	row.CPUPerRequest = time.Duration(medianOf(ms, func(m measurement) float64 { return float64(m.cpuPerRequest) }))
	row.PeakRSS = int64(medianOf(ms, func(m measurement) float64 { return float64(m.peakRSS) }))
	row.Spans = medianOf(ms, func(m measurement) float64 { return m.spans })
	row.LoadCPU = medianOf(ms, func(m measurement) float64 {
		if m.sat.elapsed <= 0 {
			return 0
		}
		return m.sat.loadCPU.Seconds() / (m.sat.elapsed.Seconds() * float64(loadCPUs))
	})
	row.SUTBusy = medianOf(ms, func(m measurement) float64 { return m.sutBusy })
	row.OtherBusy = medianOf(ms, func(m measurement) float64 { return m.otherBusy })
	row.Rate = medianOf(ms, func(m measurement) float64 { return m.rate })
	if row.Rate > 0 && row.FixedNote == "" {
		row.Achieved = medianOf(ms, func(m measurement) float64 { return m.fixed.throughput() })
		row.P50 = time.Duration(medianOf(ms, func(m measurement) float64 { return float64(m.fixed.quantile(0.50)) }))
		row.P99 = time.Duration(medianOf(ms, func(m measurement) float64 { return float64(m.fixed.quantile(0.99)) }))
	}
	return row
}

func findRow(rows []Row, scenario, system, variant string) *Row {
	for i := range rows {
		if rows[i].Scenario == scenario && rows[i].System == system && rows[i].Variant == variant {
			return &rows[i]
		}
	}
	return nil
}

// findPaired returns the paired comparison key, or nil.
func findPaired(ps []Paired, key string) *Paired {
	for i := range ps {
		if ps[i].Key == key && ps[i].Slices > 0 {
			return &ps[i]
		}
	}
	return nil
}

// targets measures the headline targets — bff-web against each ceiling,
// judged on their paired comparisons when there are (the groups' own
// figures, measured one after the other, are then given for reference) —
// and the cost targets, likewise.
func targets(rows []Row, paired []Paired) []Target {
	var ts []Target
	ceil := findRow(rows, ScenarioFanOut, sysCeiling, variantCeiling.key)
	web := findRow(rows, ScenarioFanOut, sysBFFWeb, variantDefaults.key)
	signedIn := findRow(rows, ScenarioFanOut, sysBFFWeb, variantSignedIn.key)
	off := findRow(rows, ScenarioFanOut, sysBFFWeb, variantOff.key)
	tracing := findRow(rows, ScenarioFanOut, sysBFFWeb, variantTracing.key)
	fanOutPaired := findPaired(paired, pairFanOutCeiling)
	if fanOutPaired != nil {
		ts = append(ts, Target{Name: "fan-out throughput, bff-web ÷ ceiling, paired",
			Measured: fanOutPaired.describeRatio(), Goal: "≥ 60%", Pass: fanOutPaired.Ratio() >= 0.60})
		ts = append(ts, Target{Name: "fan-out CPU per request, bff-web ÷ ceiling, paired",
			Measured: fanOutPaired.describeCPU(), Goal: "≤ 1.6×", Pass: fanOutPaired.CPURatio() <= 1.6})
	}
	if ceil != nil && web != nil && ceil.Throughput > 0 {
		q := compareThroughput(web, ceil)
		t := Target{Name: "fan-out throughput, bff-web ÷ ceiling",
			Measured: q.describe(pct(q.value)),
			Goal:     "≥ 60%", Pass: q.value >= 0.60}
		if fanOutPaired != nil {
			t.Name, t.Goal, t.Info = "the same from the groups, measured one after the other", "—", true
		}
		ts = append(ts, t)
		if ceil.CPUPerRequest > 0 {
			r := float64(web.CPUPerRequest) / float64(ceil.CPUPerRequest)
			t := Target{Name: "fan-out CPU per request, bff-web ÷ ceiling",
				Measured: fmt.Sprintf("%.2f× (%.2f ÷ %.2f ms)", r, ms(web.CPUPerRequest), ms(ceil.CPUPerRequest)),
				Goal:     "≤ 1.6×", Pass: r <= 1.6}
			if fanOutPaired != nil {
				t.Name, t.Goal, t.Info = "the same from the groups, measured one after the other", "—", true
			}
			ts = append(ts, t)
		}
		ts = append(ts, callsTarget("fan-out backend calls per request at saturation, bff-web vs ceiling", web, ceil))
		if ceil.P99 > 0 && web.P99 > 0 {
			r := float64(web.P99) / float64(ceil.P99)
			ts = append(ts, Target{Name: fmt.Sprintf("p99 at half the ceiling's saturation rate (%.0f req/s), bff-web ÷ ceiling", web.Rate),
				Measured: fmt.Sprintf("%.2f× (%s ÷ %s)", r, fmtDur(web.P99), fmtDur(ceil.P99)),
				Goal:     "≤ 2×", Pass: r <= 2 && web.Achieved >= 0.95*web.Rate})
		}
	}
	orderCeil := findRow(rows, ScenarioViewerOrders, sysCeiling, variantCeiling.key)
	orderWeb := findRow(rows, ScenarioViewerOrders, sysBFFWeb, variantSignedIn.key)
	if orderCeil != nil && orderWeb != nil {
		ts = append(ts, callsTarget("order history backend calls per request at saturation, bff-web vs its ceiling", orderWeb, orderCeil))
	}
	if p := findPaired(paired, pairOrderHistoryCeiling); p != nil {
		ts = append(ts, Target{Name: "order history throughput, bff-web ÷ its ceiling, paired",
			Measured: p.describeRatio() + "; CPU per request " + p.describeCPU(), Goal: "≥ 50%", Pass: p.Ratio() >= 0.50})
	} else if orderCeil != nil && orderWeb != nil && orderCeil.Throughput > 0 {
		q := compareThroughput(orderWeb, orderCeil)
		ts = append(ts, Target{Name: "order history throughput, bff-web ÷ its ceiling",
			Measured: q.describe(pct(q.value)), Goal: "≥ 50%", Pass: q.value >= 0.50})
	}
	// Per BFF: its largest process over every scenario and variant.
	for _, sys := range []string{sysBFFWeb, sysBFFMobile} {
		var worst *Row
		for i := range rows {
			if rows[i].System == sys && (worst == nil || rows[i].PeakRSS > worst.PeakRSS) {
				worst = &rows[i]
			}
		}
		if worst != nil {
			ts = append(ts, Target{Name: "peak RSS under saturation, " + sys + " (its largest process)",
				Measured: fmt.Sprintf("%.1f MiB (%s, %s)", mib(worst.PeakRSS), worst.ScenarioTitle, variantNames[worst.Variant]),
				Goal:     "≤ 64 MiB", Pass: worst.PeakRSS <= 64<<20})
		}
	}
	authPaired, tracingPaired := findPaired(paired, "auth-throttling"), findPaired(paired, "tracing")
	if authPaired != nil {
		ts = append(ts, Target{Name: "auth + throttling cost, paired: throughput lost, signed in with throttling on vs anonymous with both off",
			Measured: authPaired.describe(), Goal: "≤ 5%", Pass: authPaired.Cost() <= 0.05})
	}
	if signedIn != nil && off != nil && off.Throughput > 0 {
		q := compareThroughput(signedIn, off)
		t := Target{Name: "auth + throttling cost: throughput lost, signed in with throttling on vs anonymous with both off",
			Measured: q.describe(pct(1-q.value)) + fmt.Sprintf("; %.2f vs %.2f calls/req", signedIn.SatTotal, off.SatTotal),
			Goal:     "≤ 5%", Pass: 1-q.value <= 0.05}
		if authPaired != nil {
			t.Name, t.Goal, t.Info = "the same from the groups, measured one after the other", "—", true
		}
		ts = append(ts, t)
	}
	for _, k := range []string{"throttling", "signing-in"} {
		if p := findPaired(paired, k); p != nil {
			ts = append(ts, Target{Name: p.Title + ", paired: throughput lost", Measured: p.describe(), Goal: "—", Info: true})
		}
	}
	if web != nil && off != nil && off.Throughput > 0 {
		q := compareThroughput(web, off)
		ts = append(ts, Target{Name: "throttling alone: throughput lost, anonymous with defaults vs both off",
			Measured: q.describe(pct(1 - q.value)), Goal: "—", Info: true})
	}
	if signedIn != nil && web != nil && web.Throughput > 0 {
		q := compareThroughput(signedIn, web)
		ts = append(ts, Target{Name: "signing in alone: throughput lost, signed in vs anonymous, throttling on in both (the token check, and the viewer's market, from its account once per market.accountTTL)",
			Measured: q.describe(pct(1-q.value)) + fmt.Sprintf("; %.2f vs %.2f calls/req", signedIn.SatTotal, web.SatTotal), Goal: "—", Info: true})
	}
	if tracingPaired != nil {
		ts = append(ts, Target{Name: "tracing cost at 100% sampling, paired: throughput lost vs defaults",
			Measured: tracingPaired.describe(), Goal: "≤ 15%", Pass: tracingPaired.Cost() <= 0.15})
	}
	if web != nil && tracing != nil && web.Throughput > 0 {
		q := compareThroughput(tracing, web)
		t := Target{Name: "tracing cost at 100% sampling: throughput lost vs defaults",
			Measured: q.describe(pct(1 - q.value)),
			Goal:     "≤ 15%", Pass: 1-q.value <= 0.15}
		if tracingPaired != nil {
			t.Name, t.Goal, t.Info = "the same from the groups, measured one after the other", "—", true
		}
		ts = append(ts, t)
	}
	return ts
}

// callsTarget: a's backend calls per request at saturation equal b's.
func callsTarget(name string, a, b *Row) Target {
	return Target{Name: name,
		Measured: fmt.Sprintf("%.2f vs %.2f", a.SatTotal, b.SatTotal),
		Goal:     fmt.Sprintf("equal (%.2f)", b.SatTotal), Pass: math.Abs(a.SatTotal-b.SatTotal) < 0.005}
}

// sharedCPU is the share of a system's CPU other processes may take
// before its throughput stops being a measure of the system.
const sharedCPU = 0.10

// throughputRatio is a's throughput over b's, as measured and per
// CPU-second (the inverse ratio of CPU per request: what the ratio would
// be had each had its CPU to itself).
type throughputRatio struct {
	value            float64 // the one the verdict uses
	measured, perCPU float64
	shared           bool // value is perCPU: other processes shared the CPU
	a, b             *Row
}

// compareThroughput compares a's throughput with b's. When other
// processes took more than sharedCPU of either's CPU, the verdict uses the
// per-CPU-second ratio: measured throughput then says more about the
// machine than about the systems.
func compareThroughput(a, b *Row) throughputRatio {
	q := throughputRatio{measured: a.Throughput / b.Throughput, a: a, b: b}
	q.value = q.measured
	if a.CPUPerRequest > 0 && b.CPUPerRequest > 0 {
		q.perCPU = float64(b.CPUPerRequest) / float64(a.CPUPerRequest)
		if a.OtherBusy > sharedCPU || b.OtherBusy > sharedCPU {
			q.value, q.shared = q.perCPU, true
		}
	}
	return q
}

// describe states figure (derived from value) and what it rests on.
func (q throughputRatio) describe(figure string) string {
	raw := fmt.Sprintf("%.0f vs %.0f req/s", q.a.Throughput, q.b.Throughput)
	switch {
	case q.shared:
		return fmt.Sprintf("%s per CPU-second (%.2f vs %.2f ms CPU/req; the CPU was shared, measured %s)",
			figure, ms(q.a.CPUPerRequest), ms(q.b.CPUPerRequest), raw)
	case q.perCPU > 0:
		return fmt.Sprintf("%s (%s; per CPU-second the ratio is %s)", figure, raw, pct(q.perCPU))
	default:
		return fmt.Sprintf("%s (%s)", figure, raw)
	}
}

func pct(r float64) string { return fmt.Sprintf("%.0f%%", 100*r) }

func fmtDur(d time.Duration) string {
	switch {
	case d <= 0:
		return "—"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", ms(d))
	case d < time.Second:
		return fmt.Sprintf("%.1f ms", ms(d))
	default:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
}

// variantNames are the short names the tables use.
var variantNames = map[string]string{
	"ceiling":           "—",
	variantDefaults.key: "defaults",
	variantSignedIn.key: "signed in",
	variantOff.key:      "auth + throttling off",
	variantTracing.key:  "tracing 100%",
}

// sideName is a paired comparison's side as the tables name it.
func sideName(system, variant string) string {
	if system == sysCeiling {
		return "ceiling"
	}
	return system + " " + variantNames[variant]
}

// Markdown renders the report: what ran where, then the tables.
func (rep *Report) Markdown() string {
	var b strings.Builder
	o := rep.Options
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# Tandem benchmark results\n\n")
	p("Produced by `make bench` (the harness in [bench/](../README.md)); every figure below is from this one run.\n\n")
	p("| | |\n|---|---|\n")
	p("| date | %s |\n", rep.Date.Format("2006-01-02 15:04 MST"))
	p("| machine | %s, %d logical CPUs; %s |\n", rep.Machine.CPUModel, rep.Machine.CPUs, rep.Machine.OS)
	p("| Go | %s; %s |\n", rep.Machine.GoVersion, rep.Machine.Env)
	p("| libraries | %s |\n", rep.Machine.Tools)
	if o.Command != "" {
		p("| command | `%s` |\n", o.Command)
	}
	p("| pinning | %s |\n", rep.Pinning)
	p("| load | per process: %s warm-up; saturation: closed loop, %d clients, %s; latency: open loop at a fixed rate, %s; %d round(s), medians shown |\n",
		o.Warmup, o.Clients, o.Duration, o.Duration, o.Runs)
	p("| backends | the in-repo mocks in the harness's process, no added latency; signed-in requests are %s's (a user with %d orders) |\n", rep.Viewer, viewerOrders)
	if rep.CeilingBodyBytes > 0 {
		p("| ceiling | its answer to the fan-out query is byte for byte bff-web's (%d bytes), from the same backend calls |\n", rep.CeilingBodyBytes)
	}
	if rep.OrderHistoryCeilingBodyBytes > 0 {
		p("| order history ceiling | its answer is byte for byte signed-in bff-web's (%d bytes), from the same backend calls |\n", rep.OrderHistoryCeilingBodyBytes)
	}
	p("\nEvery answer was checked byte for byte against the process's first, which had data and no errors. ")
	p("Calls per request are the mocks' counters (admin API, reset before each run) over the requests sent. ")
	p("CPU per request is the process's user + system time (/proc/<pid>/stat) over the saturation run's requests; ")
	p("peak RSS is its VmHWM after the saturation run. ")
	p("SUT CPU is the share of its CPU the system under test used at saturation, and the next column the share other processes used meanwhile (/proc/stat): together near 100%% means the CPU was the limit. ")
	p("Load-side CPU is how busy the harness's CPUs (load generator, mocks) were: near 100%% means they, not the system under test, set the pace. ")
	p("Throughput ratios are also given per CPU-second (from CPU per request); when other processes took more than 10%% of a system's CPU, the targets are judged on that ratio.\n\n")

	p("## Saturation\n\n")
	busiest := 0.0
	for _, r := range rep.Rows {
		busiest = max(busiest, r.OtherBusy)
	}
	if busiest > 0.10 {
		p("**The machine was busy with other work**: other processes took up to %s of the system under test's CPU during saturation (column \"others on its CPU\"). ", pct(busiest))
		p("Throughput here is what each process was given, not what it can do; compare CPU per request, and the per-CPU-second ratios of the targets.\n\n")
	}
	p("| scenario | system | variant | req/s | failed | calls/req | CPU/req | peak RSS | SUT CPU | others on its CPU | load-side CPU |\n")
	p("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, r := range rep.Rows {
		p("| %s | %s | %s | %.0f | %d | %.2f | %.2f ms | %.1f MiB | %s | %s | %s |\n",
			r.ScenarioTitle, r.System, variantNames[r.Variant], r.Throughput, r.Failures, r.SatTotal,
			ms(r.CPUPerRequest), mib(r.PeakRSS), pct(r.SUTBusy), pct(r.OtherBusy), pct(r.LoadCPU))
	}

	p("\n## Latency at a fixed rate\n\n")
	p("The fan-out query's rate is half the ceiling's saturation throughput, for both systems; the other scenarios run at half their own. ")
	p("Latency is from sending a request to reading its whole answer; at most 256 requests are in flight, so a system that cannot keep up shows a lower rate achieved.\n\n")
	p("| scenario | system | variant | rate asked | achieved | failed | p50 | p99 |\n")
	p("|---|---|---|---:|---:|---:|---:|---:|\n")
	for _, r := range rep.Rows {
		if r.Rate == 0 {
			continue
		}
		if r.FixedNote != "" {
			p("| %s | %s | %s | %.1f/s | %s | | | |\n", r.ScenarioTitle, r.System, variantNames[r.Variant], r.Rate, r.FixedNote)
			continue
		}
		p("| %s | %s | %s | %.0f/s | %.0f/s | %d | %s | %s |\n",
			r.ScenarioTitle, r.System, variantNames[r.Variant], r.Rate, r.Achieved, r.FixedFailures, fmtDur(r.P50), fmtDur(r.P99))
	}

	p("\n## Backend calls per request, by service\n\n")
	services := map[string]bool{}
	for _, r := range rep.Rows {
		for s, v := range r.SatCalls {
			if v > 0 {
				services[s] = true
			}
		}
		for s, v := range r.IdleCalls {
			if v > 0 {
				services[s] = true
			}
		}
	}
	cols := make([]string, 0, len(services))
	for s := range services {
		cols = append(cols, s)
	}
	sort.Strings(cols)
	p("| scenario | system | variant | when |")
	for _, s := range cols {
		p(" %s |", s)
	}
	p(" total |\n|---|---|---|---|%s---:|\n", strings.Repeat("---:|", len(cols)))
	for _, r := range rep.Rows {
		for _, when := range []struct {
			name  string
			calls map[string]float64
			total float64
		}{{fmt.Sprintf("one at a time (%d requests)", o.IdleRequests), r.IdleCalls, r.IdleTotal}, {"at saturation", r.SatCalls, r.SatTotal}} {
			p("| %s | %s | %s | %s |", r.ScenarioTitle, r.System, variantNames[r.Variant], when.name)
			for _, s := range cols {
				p(" %.2f |", when.calls[s])
			}
			p(" %.2f |\n", when.total)
		}
	}

	if len(rep.Paired) > 0 {
		p("\n## Paired comparisons\n\n")
		p("The headline ratios compare bff-web with each ceiling, and the cost targets compare variants a few percent apart: both are less than this machine moves the same code between groups. ")
		p("Each comparison runs both variants' processes side by side on the system's CPU and alternates the closed-loop load between them in 1 s slices, in the order ABBA BAAB …, so that what the machine does over longer than a slice weighs on both alike. ")
		p("The ratio is the median, over the pairs of adjacent slices (one of each side), of a's throughput over b's (and of a's CPU per request over b's): a slice the machine took from moves one pair, not the figure; the cost is one minus it. ")
		p("The other figures are summed over the rounds.\n\n")
		p("| comparison | a | b | a req/s | b req/s | a CPU/req | b CPU/req | slices each | failed | throughput a ÷ b, summed | throughput a ÷ b (median of pairs) | CPU/req a ÷ b (median of pairs) |\n|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, c := range rep.Paired {
			p("| %s | %s | %s | %.0f | %.0f | %.2f ms | %.2f ms | %d | %d | %s | %s | %.2f× |\n", c.Title, sideName(c.ASystem, c.A), sideName(c.BSystem, c.B),
				c.Throughput(0), c.Throughput(1), ms(c.CPUPerRequest(0)), ms(c.CPUPerRequest(1)), c.Slices, c.Failures[0]+c.Failures[1], pct(1-c.SummedCost()), pct(c.Ratio()), c.CPURatio())
		}
	}

	if len(rep.Targets) > 0 {
		p("\n## Targets\n\n")
		p("| target | measured | goal | |\n|---|---|---|---|\n")
		for _, t := range rep.Targets {
			verdict := "MISS"
			switch {
			case t.Info:
				verdict = ""
			case t.Pass:
				verdict = "PASS"
			}
			p("| %s | %s | %s | %s |\n", t.Name, t.Measured, t.Goal, verdict)
		}
	}

	p("\n## Variants\n\n")
	seen := map[string]bool{}
	for _, r := range rep.Rows {
		if !seen[r.Variant] {
			seen[r.Variant] = true
			p("- **%s** (%s): %s", variantNames[r.Variant], r.System, r.VariantLabel)
			if r.Spans > 0 {
				p("; the collector received %.1f spans per request of the %s", r.Spans, r.ScenarioTitle)
			}
			p("\n")
		}
	}

	var failed, profiles []string
	for _, r := range rep.Rows {
		if r.Failures+r.FixedFailures+r.WarmFailures > 0 {
			failed = append(failed, fmt.Sprintf("- %s, %s %s: %d failed in the warm-up, %d at saturation, %d at the fixed rate; first: %s",
				r.ScenarioTitle, r.System, variantNames[r.Variant], r.WarmFailures, r.Failures, r.FixedFailures, r.FirstError))
		}
		profiles = append(profiles, r.Profiles...)
	}
	if len(failed) > 0 {
		p("\n## Failures\n\n%s\n", strings.Join(failed, "\n"))
	}
	if len(profiles) > 0 {
		p("\n## Profiles\n\n`go tool pprof -top <file>` reads them:\n\n")
		for _, f := range profiles {
			p("- `%s`\n", f)
		}
	}
	return b.String()
}
