package bench

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"syscall"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// request is what every request of a measurement sends.
type request struct {
	url    string
	body   []byte
	header http.Header
}

// loadResult is one load run as the load generator saw it.
type loadResult struct {
	requests   int           // completed, successful or not
	failures   int           // transport errors, non-200 answers, or a body other than the reference
	firstError string        // the first failure, for the report
	elapsed    time.Duration // from the start of the run to the last answer
	latencies  []time.Duration
	loadCPU    time.Duration // CPU the harness process (load generator and mocks) used
}

// throughput is the successful requests per second.
func (l loadResult) throughput() float64 {
	if l.elapsed <= 0 {
		return 0
	}
	return float64(l.requests-l.failures) / l.elapsed.Seconds()
}

// quantile is the q-quantile (0..1) of the latencies, nearest rank.
func (l loadResult) quantile(q float64) time.Duration {
	if len(l.latencies) == 0 {
		return 0
	}
	s := slices.Clone(l.latencies)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// load runs the load generator: with rate 0 a closed loop of clients
// concurrent clients, each sending its next request when the previous one
// is answered; with rate > 0 an open loop sending rate requests a second
// whatever the answers, with up to maxWorkers requests in flight. Every
// answer must be HTTP 200 with exactly the reference body.
func load(ctx context.Context, req request, ref []byte, clients int, rate float64, d, timeout time.Duration) (loadResult, error) {
	opts := []func(*vegeta.Attacker){
		vegeta.Timeout(timeout),
		vegeta.KeepAlive(true),
		vegeta.HTTP2(false),
		vegeta.Redirects(vegeta.NoFollow),
	}
	pacer := vegeta.ConstantPacer{} // zero: as fast as the workers go
	if rate > 0 {
		// An open loop needs room for requests in flight: rate × latency,
		// a few dozen for a healthy system. A system that falls further
		// behind gets at most maxWorkers at once and the rate achieved
		// shows the shortfall, rather than queues that end in timeouts.
		const maxWorkers = 256
		pacer = vegeta.ConstantPacer{Freq: max(1, int(math.Round(rate))), Per: time.Second}
		opts = append(opts, vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(maxWorkers), vegeta.Connections(maxWorkers))
	} else {
		opts = append(opts, vegeta.Workers(uint64(clients)), vegeta.MaxWorkers(uint64(clients)), vegeta.Connections(clients))
	}
	attacker := vegeta.NewAttacker(opts...)
	target := vegeta.Target{Method: http.MethodPost, URL: req.url, Body: req.body, Header: req.header}
	targeter := vegeta.NewStaticTargeter(target)

	cpu0, err := selfCPU()
	if err != nil {
		return loadResult{}, err
	}
	stop := context.AfterFunc(ctx, func() { attacker.Stop() })
	defer stop()

	var res loadResult
	// elapsed runs from the start of the attack (an open loop sends its
	// first request one interval in) to the last answer, so a system that
	// falls behind shows a lower rate.
	first := time.Now()
	last := first
	for hit := range attacker.Attack(targeter, pacer, d, "") {
		res.requests++
		if end := hit.End(); end.After(last) {
			last = end
		}
		res.latencies = append(res.latencies, hit.Latency)
		var problem string
		switch {
		case hit.Error != "":
			problem = hit.Error
		case hit.Code != http.StatusOK:
			problem = fmt.Sprintf("HTTP %d", hit.Code)
		case !bytes.Equal(hit.Body, ref):
			problem = fmt.Sprintf("a body other than the reference: %.200s", hit.Body)
		}
		if problem != "" {
			res.failures++
			if res.firstError == "" {
				res.firstError = problem
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return loadResult{}, err
	}
	cpu1, err := selfCPU()
	if err != nil {
		return loadResult{}, err
	}
	res.elapsed = last.Sub(first)
	res.loadCPU = cpu1 - cpu0
	return res, nil
}

// selfCPU is the CPU time the harness process has used.
func selfCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
