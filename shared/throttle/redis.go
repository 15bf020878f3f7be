package throttle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// FailureMode says what a RedisStore does when Redis cannot answer in time.
type FailureMode string

const (
	// FailOpen decides with a local in-memory limiter (per replica) while
	// Redis is unreachable: traffic keeps flowing, limits hold per replica.
	FailOpen FailureMode = "open"
	// FailClosed refuses the request (the middleware answers 503
	// RATE_LIMIT_UNAVAILABLE) while Redis is unreachable.
	FailClosed FailureMode = "closed"
)

// RedisStore is a Store shared by every replica: each decision is one
// atomic GCRA Lua script (github.com/go-redis/redis_rate/v10) on Redis. Each
// call has a tight timeout; a failure is logged, counted and answered
// according to the FailureMode, never by waiting. After a failure Redis is
// not tried again for the retry interval, so an outage costs at most one
// timeout per interval rather than one per request.
type RedisStore struct {
	client        redis.UniversalClient
	lim           *redis_rate.Limiter
	prefix        string
	timeout       time.Duration
	retryInterval time.Duration
	mode          FailureMode
	local         Store
	logger        *slog.Logger
	now           func() time.Time

	downUntil atomic.Int64 // unix nanos; Redis is skipped until then
	down      atomic.Bool
	errs      atomic.Int64
	fallbacks atomic.Int64
	refusals  atomic.Int64
}

var _ Store = (*RedisStore)(nil)

// RedisStats counts Redis failures since the store was created.
type RedisStats struct {
	Errors    int64 // Redis calls that failed or timed out
	Fallbacks int64 // decisions made by the local limiter (FailOpen)
	Refusals  int64 // requests refused because Redis was unreachable (FailClosed)
}

// RedisOption configures a RedisStore.
type RedisOption func(*RedisStore)

// WithRedisTimeout bounds each Redis call. Default: 50ms.
func WithRedisTimeout(d time.Duration) RedisOption {
	return func(s *RedisStore) { s.timeout = d }
}

// WithFailureMode chooses fail open or fail closed. Default: FailOpen.
func WithFailureMode(m FailureMode) RedisOption {
	return func(s *RedisStore) { s.mode = m }
}

// WithRetryInterval sets how long Redis is skipped after a failure.
// Default: 1s.
func WithRetryInterval(d time.Duration) RedisOption {
	return func(s *RedisStore) { s.retryInterval = d }
}

// WithKeyPrefix prefixes every key, so several gateways can share one Redis.
// Default: "tandem:".
func WithKeyPrefix(p string) RedisOption {
	return func(s *RedisStore) { s.prefix = p }
}

// WithLocalStore sets the limiter used when failing open. Default: a new
// MemoryStore.
func WithLocalStore(st Store) RedisOption {
	return func(s *RedisStore) { s.local = st }
}

// WithRedisLogger sets the logger for outages. Default: slog.Default().
func WithRedisLogger(l *slog.Logger) RedisOption {
	return func(s *RedisStore) { s.logger = l }
}

// NewRedisStore returns a store on client. The client should have tight
// timeouts of its own (NewRedisClient sets them); the store adds a per-call
// context deadline on top.
func NewRedisStore(client redis.UniversalClient, opts ...RedisOption) *RedisStore {
	s := &RedisStore{
		client:        client,
		lim:           redis_rate.NewLimiter(client),
		prefix:        "tandem:",
		timeout:       50 * time.Millisecond,
		retryInterval: time.Second,
		mode:          FailOpen,
		logger:        slog.Default(),
		now:           time.Now,
	}
	for _, o := range opts {
		o(s)
	}
	if s.local == nil {
		s.local = NewMemoryStore()
	}
	return s
}

// Client is the store's Redis client, for other state that every replica
// must share (persisted queries) on the same connection pool.
func (s *RedisStore) Client() redis.UniversalClient { return s.client }

// NewRedisClient returns a go-redis client for addr with timeouts suited to
// rate limiting: dial, read, write and pool waits bounded by timeout, context
// deadlines honoured, and no retries (a retry would double the worst case).
func NewRedisClient(addr string, timeout time.Duration) *redis.Client {
	return redis.NewClient(&redis.Options{
		Addr:                  addr,
		DialTimeout:           timeout,
		ReadTimeout:           timeout,
		WriteTimeout:          timeout,
		PoolTimeout:           timeout,
		ContextTimeoutEnabled: true,
		MaxRetries:            -1,
		DisableIdentity:       true,
	})
}

// Allow implements Store.
func (s *RedisStore) Allow(ctx context.Context, key string, limit Limit, cost int) (Decision, error) {
	if limit.IsZero() {
		return Decision{Allowed: true, Remaining: -1}, nil
	}
	limit = limit.normalized()
	if s.now().UnixNano() < s.downUntil.Load() {
		return s.degraded(ctx, key, limit, cost)
	}
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	res, err := s.lim.AllowN(cctx, s.prefix+key, redis_rate.Limit{Rate: limit.Rate, Burst: limit.Burst, Period: limit.Period}, cost)
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			// The caller went away; that says nothing about Redis.
			return Decision{}, ctx.Err()
		}
		s.errs.Add(1)
		s.downUntil.Store(s.now().Add(s.retryInterval).UnixNano())
		if !s.down.Swap(true) {
			s.logger.LogAttrs(ctx, slog.LevelError, "rate limit store unreachable",
				slog.String("store", "redis"), slog.String("reason", failureReason(err)),
				slog.String("mode", string(s.mode)))
		}
		return s.degraded(ctx, key, limit, cost)
	}
	if s.down.Swap(false) {
		s.logger.LogAttrs(ctx, slog.LevelInfo, "rate limit store reachable again", slog.String("store", "redis"))
	}
	d := Decision{Allowed: res.Allowed > 0, Remaining: res.Remaining, ResetAfter: max(res.ResetAfter, 0)}
	if !d.Allowed {
		d.RetryAfter = max(res.RetryAfter, 0)
	}
	return d, nil
}

func (s *RedisStore) degraded(ctx context.Context, key string, limit Limit, cost int) (Decision, error) {
	if s.mode == FailClosed {
		s.refusals.Add(1)
		return Decision{RetryAfter: s.retryInterval}, ErrStoreUnavailable
	}
	s.fallbacks.Add(1)
	return s.local.Allow(ctx, key, limit, cost)
}

// Stats returns the failure counters.
func (s *RedisStore) Stats() RedisStats {
	return RedisStats{Errors: s.errs.Load(), Fallbacks: s.fallbacks.Load(), Refusals: s.refusals.Load()}
}

// failureReason classifies err without its text, which may hold addresses.
func failureReason(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.As(err, &ne), errors.Is(err, redis.ErrClosed):
		return "connection"
	case errors.As(err, new(redis.Error)):
		return "redis_error"
	default:
		return fmt.Sprintf("%T", err)
	}
}
