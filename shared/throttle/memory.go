package throttle

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// MemoryStore is an in-process GCRA store: the default for a single replica.
// It is a small GCRA rather than golang.org/x/time/rate so that it answers
// exactly like the Redis store (same Limit, same Remaining/RetryAfter/
// ResetAfter), keeps one int64 per key instead of a rate.Limiter, and can
// evict idle keys: a key whose theoretical arrival time has passed is
// indistinguishable from an absent one, so sweeping it loses nothing.
type MemoryStore struct {
	seed   maphash.Seed
	now    func() time.Time
	shards [memShards]memShard
}

const (
	memShards    = 64
	minSweepSize = 1024
)

type memShard struct {
	mu        sync.Mutex
	tat       map[string]int64
	nextSweep int
}

var _ Store = (*MemoryStore)(nil)

// MemoryOption configures a MemoryStore.
type MemoryOption func(*MemoryStore)

// WithClock sets the store's clock. Default: time.Now. Tests use a fake clock.
func WithClock(now func() time.Time) MemoryOption {
	return func(m *MemoryStore) { m.now = now }
}

// NewMemoryStore returns an empty in-memory store.
func NewMemoryStore(opts ...MemoryOption) *MemoryStore {
	m := &MemoryStore{seed: maphash.MakeSeed(), now: time.Now}
	for _, o := range opts {
		o(m)
	}
	for i := range m.shards {
		m.shards[i].tat = make(map[string]int64)
		m.shards[i].nextSweep = minSweepSize
	}
	return m
}

// Allow implements Store. It never returns an error.
func (m *MemoryStore) Allow(_ context.Context, key string, limit Limit, cost int) (Decision, error) {
	if limit.IsZero() {
		return Decision{Allowed: true, Remaining: -1}, nil
	}
	now := m.now().UnixNano()
	sh := &m.shards[maphash.String(m.seed, key)%memShards]
	sh.mu.Lock()
	d, tat := gcra(sh.tat[key], now, limit, cost)
	if d.Allowed {
		if _, ok := sh.tat[key]; !ok && len(sh.tat) >= sh.nextSweep {
			sh.sweep(now)
		}
		sh.tat[key] = tat
	}
	sh.mu.Unlock()
	return d, nil
}

// sweep drops keys that are back to a full burst. Sweeping only when the
// shard has doubled since the last sweep keeps the cost amortised O(1).
func (sh *memShard) sweep(now int64) {
	for k, tat := range sh.tat {
		if tat <= now {
			delete(sh.tat, k)
		}
	}
	sh.nextSweep = max(2*len(sh.tat), minSweepSize)
}

// Len reports how many keys the store holds (for tests and metrics).
func (m *MemoryStore) Len() int {
	n := 0
	for i := range m.shards {
		m.shards[i].mu.Lock()
		n += len(m.shards[i].tat)
		m.shards[i].mu.Unlock()
	}
	return n
}
