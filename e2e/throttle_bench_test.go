package e2e_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/tandemgw/tandem/bench/ceiling"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/throttle"
)

// fanOut is the listing query of make bench's fan-out scenario.
const fanOut = `{ products(first: 50) { nodes { id name brand ratingSummary { average count } price { current { amountMinor currency formatted } } stock { inStock } } } }`

// BenchmarkFanOutEntryControl is the fan-out query one request at a time
// through bff-web with auth and throttling as make bench's paired
// comparison runs them: anonymous with both off, anonymous with the
// throttle on (rate limits out of reach), and signed in with it on. The
// mocks run in the same process, so a variant's ns/op is the whole round
// trip; the differences between variants are what entry control costs.
// make bench measures the same on separate processes and cores.
func BenchmarkFanOutEntryControl(b *testing.B) {
	off := func(c *gateway.Config) {
		production(c)
		c.Throttle.Operation = throttle.OperationLimits{}
		c.Throttle.Cost.MaxCost, c.Throttle.Cost.ReportActual = 0, false
		none := throttle.Window{}
		c.Throttle.Rate.Requests, c.Throttle.Rate.Points, c.Throttle.Rate.AppRequests, c.Throttle.Rate.AppPoints = none, none, none, none
		c.Throttle.Rate.Concurrency = 0
		c.Throttle.Rate.Anonymous = throttle.AnonymousRates{}
	}
	for _, v := range []struct {
		name     string
		tweak    func(*gateway.Config)
		signedIn bool
	}{
		{"off", off, false},
		{"throttled", production, false},
		{"signed-in", production, true},
	} {
		b.Run(v.name, func(b *testing.B) {
			env := startWeb(b, v.tweak)
			req := gatewaytest.Request{Query: fanOut}
			if v.signedIn {
				req.Token = env.Token("usr_000027")
			}
			b.ReportAllocs()
			cpu0 := processCPU(b)
			for b.Loop() {
				if r := env.Do(req); r.Status != 200 || len(r.Errors) != 0 {
					b.Fatalf("status %d: %.300s", r.Status, r.Raw)
				}
			}
			// CPU, not latency, is what a saturated BFF runs out of.
			b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

// processCPU is the process's user and system CPU time so far.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkOrderHistory is make bench's order history scenario (the
// viewer's 50 orders with every line's product, price and stock), the
// nested-level case, one request at a time
// through bff-web, signed in, with production settings: what each
// request allocates and the CPU it takes, mocks included.
func BenchmarkOrderHistory(b *testing.B) {
	env := startWeb(b, production)
	req := gatewaytest.Request{Query: ceiling.OrderHistoryQuery, Vars: map[string]any{"first": 50}, Token: env.Token("usr_000027")}
	b.ReportAllocs()
	cpu0 := processCPU(b)
	for b.Loop() {
		if r := env.Do(req); r.Status != 200 || len(r.Errors) != 0 {
			b.Fatalf("status %d: %.300s", r.Status, r.Raw)
		}
	}
	b.ReportMetric(float64(processCPU(b)-cpu0)/float64(b.N), "cpu-ns/op")
}
