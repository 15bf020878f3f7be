package throttle

import (
	"context"
	"errors"
	"time"
)

// Limit is a GCRA (generic cell rate algorithm) limit: Rate units per Period
// on average, with bursts of up to Burst units. It is the same triple that
// github.com/go-redis/redis_rate uses, so both stores mean the same thing.
type Limit struct {
	Rate   int
	Period time.Duration
	Burst  int
}

// IsZero reports whether the limit is unset (no limiting).
func (l Limit) IsZero() bool { return l.Rate <= 0 || l.Period <= 0 }

// normalized returns l with a missing Burst set to Rate.
func (l Limit) normalized() Limit {
	if l.Burst <= 0 {
		l.Burst = l.Rate
	}
	return l
}

// Decision is a store's answer for one key.
type Decision struct {
	// Allowed is true when the cost was charged.
	Allowed bool
	// Remaining is how many units could still be spent right now.
	Remaining int
	// RetryAfter is how long until the denied cost would be allowed
	// (0 when Allowed).
	RetryAfter time.Duration
	// ResetAfter is how long until the key is back to its full burst.
	ResetAfter time.Duration
}

// Store decides rate limits with GCRA semantics. Implementations are safe for
// concurrent use. Allow charges cost units against key when they fit within
// limit and reports the state after the attempt; a denied attempt charges
// nothing. An error means no decision could be made (see ErrStoreUnavailable).
type Store interface {
	Allow(ctx context.Context, key string, limit Limit, cost int) (Decision, error)
}

// ErrStoreUnavailable is returned (wrapped) by a store that could not reach
// its backend and is configured to fail closed.
var ErrStoreUnavailable = errors.New("rate limit store unavailable")

// gcra is the pure GCRA step shared by the in-memory store and its tests. It
// mirrors the Lua script of redis_rate: tat is the stored theoretical arrival
// time (0 for a new key), now the current time, both in nanoseconds. It
// returns the decision and the new TAT to store (unchanged when denied).
func gcra(tat, now int64, limit Limit, cost int) (Decision, int64) {
	limit = limit.normalized()
	emission := float64(limit.Period.Nanoseconds()) / float64(limit.Rate)
	increment := emission * float64(cost)
	burstOffset := emission * float64(limit.Burst)

	if tat < now {
		tat = now
	}
	newTAT := float64(tat) + increment
	allowAt := newTAT - burstOffset
	diff := float64(now) - allowAt
	remaining := diff / emission
	if remaining < 0 {
		return Decision{
			Allowed:    false,
			Remaining:  0,
			RetryAfter: time.Duration(-diff),
			ResetAfter: time.Duration(tat - now),
		}, tat
	}
	return Decision{
		Allowed:    true,
		Remaining:  int(remaining),
		ResetAfter: time.Duration(newTAT - float64(now)),
	}, int64(newTAT)
}
