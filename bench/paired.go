package bench

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// A cost target compares two variants of the fan-out listing that differ
// by a few percent, and a headline compares bff-web with a ceiling. Measured one after the other, as the groups are, two
// variants also differ by whatever the machine did meanwhile: on a shared
// machine the same code's CPU per request moved by a factor of up to 2.5
// between groups of one run. A paired comparison runs both variants'
// processes side by side and alternates the load between them in short
// slices, in the order ABBA BAAB …, so that what the machine does over
// more than a slice weighs on both alike. The cost is the median, over
// the slice pairs, of a's throughput over b's in the pair: a slice the
// machine took from (a neighbour's burst, a stall of the host) moves one
// pair's ratio, not the figure, where it would move a sum by its whole
// weight.

// pairSpec is a paired comparison's two sides on one scenario: a, which
// has the cost, and b, the baseline.
type pairSpec struct {
	key, title string
	scenario   string
	a, b       side
}

// side is one process of a paired comparison.
type side struct {
	system  string
	variant variant
}

func bffWeb(v variant) side { return side{system: sysBFFWeb, variant: v} }

var ceilingSide = side{system: sysCeiling, variant: variantCeiling}

// Keys of the headline comparisons.
const (
	pairFanOutCeiling       = "fanout-ceiling"
	pairOrderHistoryCeiling = "viewer-orders-ceiling"
)

// pairSpecs are every paired comparison, in the order they run: bff-web
// against each ceiling, then the cost targets on the fan-out.
var pairSpecs = []pairSpec{
	{key: pairFanOutCeiling, title: "fan-out: bff-web defaults vs its ceiling", scenario: ScenarioFanOut, a: bffWeb(variantDefaults), b: ceilingSide},
	{key: pairOrderHistoryCeiling, title: "order history: bff-web signed in vs its ceiling", scenario: ScenarioViewerOrders, a: bffWeb(variantSignedIn), b: ceilingSide},
	{key: "auth-throttling", title: "auth + throttling: signed in with throttling on vs anonymous with both off", scenario: ScenarioFanOut, a: bffWeb(variantSignedIn), b: bffWeb(variantOff)},
	{key: "signing-in", title: "signing in alone: signed in vs anonymous, throttling on in both", scenario: ScenarioFanOut, a: bffWeb(variantSignedIn), b: bffWeb(variantDefaults)},
	{key: "throttling", title: "throttling alone: anonymous with defaults vs both off", scenario: ScenarioFanOut, a: bffWeb(variantDefaults), b: bffWeb(variantOff)},
	{key: "tracing", title: "tracing at 100% sampling vs defaults", scenario: ScenarioFanOut, a: bffWeb(variantTracing), b: bffWeb(variantDefaults)},
}

// pairSlice is how long the load stays on one side before it moves.
const pairSlice = time.Second

// Paired is one paired comparison, summed over the runs.
type Paired struct {
	Key, Title string
	// A and B name the sides: system and variant keys.
	ASystem, A, BSystem, B string
	Slices                 int // per side, over all runs
	// Per side: successful requests, seconds under load, CPU time used.
	Requests, Failures [2]int
	Elapsed, CPU       [2]time.Duration
	// Ratios are a's throughput over b's in each pair of adjacent slices;
	// CPURatios a's CPU per request over b's.
	Ratios, CPURatios []float64
	FirstError        string
}

// Ratio is a's throughput over b's: the median of the slice pairs' ratios
// (the summed throughputs' ratio when there are none).
func (p Paired) Ratio() float64 { return 1 - p.Cost() }

// CPURatio is a's CPU per request over b's: the median of the slice
// pairs' ratios (the summed figures' ratio when there are none).
func (p Paired) CPURatio() float64 {
	if len(p.CPURatios) > 0 {
		return median(p.CPURatios)
	}
	if p.CPUPerRequest(1) <= 0 {
		return 0
	}
	return float64(p.CPUPerRequest(0)) / float64(p.CPUPerRequest(1))
}

// Throughput is side i's successful requests per second.
func (p Paired) Throughput(i int) float64 {
	if p.Elapsed[i] <= 0 {
		return 0
	}
	return float64(p.Requests[i]-p.Failures[i]) / p.Elapsed[i].Seconds()
}

// CPUPerRequest is side i's CPU time per request.
func (p Paired) CPUPerRequest(i int) time.Duration {
	if p.Requests[i] == 0 {
		return 0
	}
	return p.CPU[i] / time.Duration(p.Requests[i])
}

// Cost is the throughput a loses against b, as a fraction: one minus the
// median of the slice pairs' ratios (the summed throughputs' ratio when
// there are none).
func (p Paired) Cost() float64 {
	if len(p.Ratios) > 0 {
		return 1 - median(p.Ratios)
	}
	if p.Throughput(1) <= 0 {
		return 0
	}
	return 1 - p.Throughput(0)/p.Throughput(1)
}

// SummedCost is the throughput a loses against b over all slices summed.
func (p Paired) SummedCost() float64 {
	if p.Throughput(1) <= 0 {
		return 0
	}
	return 1 - p.Throughput(0)/p.Throughput(1)
}

// measurePair runs one paired comparison on scenario s, each side under
// load for d in all, and adds it to into.
func (r *runner) measurePair(ctx context.Context, s scenario, spec pairSpec, d time.Duration, into *Paired) error {
	sides := [2]group{
		{scenario: s, system: spec.a.system, variant: spec.a.variant},
		{scenario: s, system: spec.b.system, variant: spec.b.variant},
	}
	var procs [2]*child
	var reqs [2]request
	var refs [2][]byte
	for i, g := range sides {
		c, err := r.startSystem(ctx, g, false)
		if err != nil {
			return err
		}
		defer c.stop()
		procs[i] = c
		if reqs[i], err = r.request(c, g); err != nil {
			return err
		}
		if refs[i], err = r.reference(ctx, reqs[i]); err != nil {
			return err
		}
		if r.opts.Warmup > 0 {
			if _, err := load(ctx, reqs[i], refs[i], r.opts.Clients, 0, r.opts.Warmup, r.opts.Timeout); err != nil {
				return err
			}
		}
	}
	pairs := max(2, int(d/pairSlice))
	for n := range pairs {
		order := [2]int{0, 1}
		if n%2 == 1 { // ABBA: a drift over the run weighs on both alike
			order = [2]int{1, 0}
		}
		var rate [2]float64
		var cpu [2]time.Duration
		for _, i := range order {
			cpu0, err := cpuTime(procs[i].pid())
			if err != nil {
				return err
			}
			res, err := load(ctx, reqs[i], refs[i], r.opts.Clients, 0, pairSlice, r.opts.Timeout)
			if err != nil {
				return err
			}
			cpu1, err := cpuTime(procs[i].pid())
			if err != nil {
				return err
			}
			if res.elapsed > 0 {
				rate[i] = float64(res.requests-res.failures) / res.elapsed.Seconds()
			}
			if res.requests > 0 {
				cpu[i] = (cpu1 - cpu0) / time.Duration(res.requests)
			}
			into.Requests[i] += res.requests
			into.Failures[i] += res.failures
			into.Elapsed[i] += res.elapsed
			into.CPU[i] += cpu1 - cpu0
			if into.FirstError == "" {
				into.FirstError = res.firstError
			}
		}
		if rate[1] > 0 {
			into.Ratios = append(into.Ratios, rate[0]/rate[1])
		}
		if cpu[1] > 0 && cpu[0] > 0 {
			into.CPURatios = append(into.CPURatios, float64(cpu[0])/float64(cpu[1]))
		}
	}
	into.Slices += pairs
	return nil
}

// describeRatio is a headline comparison as the targets give it: a's
// throughput over b's.
func (p Paired) describeRatio() string {
	spread := ""
	if len(p.Ratios) >= 4 {
		s := slices.Clone(p.Ratios)
		slices.Sort(s)
		spread = fmt.Sprintf(", the middle half of them %s to %s", pct(s[len(s)/4]), pct(s[len(s)*3/4]))
	}
	return fmt.Sprintf("%s (median of %d slice pairs%s; summed: %s, %.0f vs %.0f req/s)",
		pct(p.Ratio()), len(p.Ratios), spread, pct(1-p.SummedCost()), p.Throughput(0), p.Throughput(1))
}

// describeCPU is a's CPU per request over b's, as the targets give it.
func (p Paired) describeCPU() string {
	spread := ""
	if len(p.CPURatios) >= 4 {
		s := slices.Clone(p.CPURatios)
		slices.Sort(s)
		spread = fmt.Sprintf(", the middle half of them %.2f× to %.2f×", s[len(s)/4], s[len(s)*3/4])
	}
	summed := 0.0
	if p.CPUPerRequest(1) > 0 {
		summed = float64(p.CPUPerRequest(0)) / float64(p.CPUPerRequest(1))
	}
	return fmt.Sprintf("%.2f× (median of %d slice pairs%s; summed: %.2f×, %.2f vs %.2f ms CPU/req)",
		p.CPURatio(), len(p.CPURatios), spread, summed, ms(p.CPUPerRequest(0)), ms(p.CPUPerRequest(1)))
}

// describe is a cost comparison as the targets give it.
func (p Paired) describe() string {
	spread := ""
	if len(p.Ratios) >= 4 {
		s := slices.Clone(p.Ratios)
		slices.Sort(s)
		// cost falls as the ratio rises: the upper quartile's ratio is the
		// lower quartile's cost
		spread = fmt.Sprintf(", the middle half of them %s to %s", pct(1-s[len(s)*3/4]), pct(1-s[len(s)/4]))
	}
	return fmt.Sprintf("%s (median of %d slice pairs%s; summed: %s, %.0f vs %.0f req/s, %.2f vs %.2f ms CPU/req)",
		pct(p.Cost()), len(p.Ratios), spread, pct(p.SummedCost()), p.Throughput(0), p.Throughput(1), ms(p.CPUPerRequest(0)), ms(p.CPUPerRequest(1)))
}
