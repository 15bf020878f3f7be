package upstream

import (
	"sync"
	"time"
)

// retryBudgetBuckets is how many buckets the sliding window is kept in;
// a bucket leaves the window as a whole.
const retryBudgetBuckets = 10

// retryBudget allows retries up to a share of the calls of a sliding window
// plus a floor per second: retries in the window may not exceed
// ratio*calls + minPerSecond*window. It is Finagle's RetryBudget counted
// in buckets instead of a token bucket, so what it allows is easy to state
// and to test.
type retryBudget struct {
	ratio  float64
	floor  float64 // retries the window always allows
	bucket time.Duration
	now    func() time.Time

	mu      sync.Mutex
	calls   [retryBudgetBuckets]int64
	retries [retryBudgetBuckets]int64
	epoch   int64 // index of the newest bucket since the zero time
}

func newRetryBudget(c RetryBudget, now func() time.Time) *retryBudget {
	return &retryBudget{
		ratio:  c.Ratio,
		floor:  c.MinPerSecond * c.Window.Seconds(),
		bucket: max(c.Window/retryBudgetBuckets, time.Millisecond),
		now:    now,
	}
}

// advance moves the window to now, emptying buckets that left it. The
// caller holds mu.
func (b *retryBudget) advance() int {
	e := b.now().UnixNano() / int64(b.bucket)
	if gap := e - b.epoch; gap > 0 {
		for i := int64(1); i <= min(gap, retryBudgetBuckets); i++ {
			j := (b.epoch + i) % retryBudgetBuckets
			b.calls[j], b.retries[j] = 0, 0
		}
		b.epoch = e
	}
	return int(b.epoch % retryBudgetBuckets)
}

// call records one logical call.
func (b *retryBudget) call() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls[b.advance()]++
}

// tryRetry reports whether one more retry fits the budget, and records it
// when it does.
func (b *retryBudget) tryRetry() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.advance()
	var calls, retries int64
	for j := range retryBudgetBuckets {
		calls += b.calls[j]
		retries += b.retries[j]
	}
	if float64(retries+1) > b.ratio*float64(calls)+b.floor {
		return false
	}
	b.retries[i]++
	return true
}
