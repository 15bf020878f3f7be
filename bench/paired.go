package bench

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// A cost target compares two variants of the fan-out listing that differ
// by a few percent. Measured one after the other, as the groups are, two
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

// pairSpec is a cost target's two variants: a, which has the cost, and
// b, the baseline.
type pairSpec struct {
	key, title string
	a, b       variant
}

var costPairs = []pairSpec{
	{key: "auth-throttling", title: "auth + throttling: signed in with throttling on vs anonymous with both off", a: variantSignedIn, b: variantOff},
	{key: "signing-in", title: "signing in alone: signed in vs anonymous, throttling on in both", a: variantSignedIn, b: variantDefaults},
	{key: "throttling", title: "throttling alone: anonymous with defaults vs both off", a: variantDefaults, b: variantOff},
	{key: "tracing", title: "tracing at 100% sampling vs defaults", a: variantTracing, b: variantDefaults},
}

// pairSlice is how long the load stays on one side before it moves.
const pairSlice = time.Second

// Paired is one cost target's paired comparison, summed over the runs.
type Paired struct {
	Key, Title, A, B string
	Slices           int // per side, over all runs
	// Per side: successful requests, seconds under load, CPU time used.
	Requests, Failures [2]int
	Elapsed, CPU       [2]time.Duration
	// Ratios are a's throughput over b's in each pair of adjacent slices.
	Ratios     []float64
	FirstError string
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
		{scenario: s, system: s.bff, variant: spec.a},
		{scenario: s, system: s.bff, variant: spec.b},
	}
	var procs [2]*child
	var reqs [2]request
	var refs [2][]byte
	for i, g := range sides {
		c, err := r.startSystem(ctx, g.system, g.variant, false)
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
	}
	into.Slices += pairs
	return nil
}

// describe is the comparison as the targets give it.
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
