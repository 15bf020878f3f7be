package persisted

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/redis/go-redis/v9"
)

// DefaultCacheSize is the number of APQ texts a MemoryStore keeps.
const DefaultCacheSize = 1000

// DefaultRedisTTL is how long Redis keeps an APQ text after its last write.
const DefaultRedisTTL = 24 * time.Hour

// MemoryStore is a Store on a bounded LRU (hashicorp/golang-lru): the least
// recently used texts go first, so a flood of one-off registrations cannot
// grow memory.
type MemoryStore struct {
	cache *lru.Cache[string, string]
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns a store of at most size texts (DefaultCacheSize
// when size <= 0).
func NewMemoryStore(size int) *MemoryStore {
	if size <= 0 {
		size = DefaultCacheSize
	}
	c, _ := lru.New[string, string](size) // only fails for size <= 0
	return &MemoryStore{cache: c}
}

// Get implements Store.
func (s *MemoryStore) Get(_ context.Context, hash string) (string, bool) { return s.cache.Get(hash) }

// Add implements Store.
func (s *MemoryStore) Add(_ context.Context, hash, query string) { s.cache.Add(hash, query) }

// Len is the number of texts held.
func (s *MemoryStore) Len() int { return s.cache.Len() }

// RedisStore is a Store shared by every replica: texts live in Redis under
// <prefix>apq:<hash> with a TTL, and a local MemoryStore in front answers
// repeated hashes without a round trip. Each Redis call has its own
// timeout; after a failure Redis is skipped for a second (the local store
// still answers), so an outage costs one timeout per second, not one per
// request.
type RedisStore struct {
	client  redis.UniversalClient
	local   *MemoryStore
	prefix  string
	ttl     time.Duration
	timeout time.Duration
	logger  *slog.Logger

	downUntil atomic.Int64 // unix nanos
	errors    atomic.Int64
}

var _ Store = (*RedisStore)(nil)

// RedisOption configures NewRedisStore.
type RedisOption func(*RedisStore)

// WithRedisPrefix prefixes the keys. Default "tandem:".
func WithRedisPrefix(p string) RedisOption { return func(s *RedisStore) { s.prefix = p } }

// WithRedisTTL sets how long a text lives in Redis. Default DefaultRedisTTL.
func WithRedisTTL(d time.Duration) RedisOption { return func(s *RedisStore) { s.ttl = d } }

// WithRedisTimeout bounds each Redis call. Default 50ms.
func WithRedisTimeout(d time.Duration) RedisOption { return func(s *RedisStore) { s.timeout = d } }

// WithLocalSize sets the size of the local LRU. Default DefaultCacheSize.
func WithLocalSize(n int) RedisOption { return func(s *RedisStore) { s.local = NewMemoryStore(n) } }

// WithRedisLogger sets the logger for Redis failures. Default slog.Default().
func WithRedisLogger(l *slog.Logger) RedisOption { return func(s *RedisStore) { s.logger = l } }

// NewRedisStore returns a store on client (the throttling core's Redis
// client, so one pool serves rate limits and APQ).
func NewRedisStore(client redis.UniversalClient, opts ...RedisOption) (*RedisStore, error) {
	if client == nil {
		return nil, errors.New("persisted: NewRedisStore needs a client")
	}
	s := &RedisStore{client: client, prefix: "tandem:", ttl: DefaultRedisTTL, timeout: 50 * time.Millisecond, logger: slog.Default()}
	for _, o := range opts {
		o(s)
	}
	if s.local == nil {
		s.local = NewMemoryStore(DefaultCacheSize)
	}
	return s, nil
}

func (s *RedisStore) key(hash string) string { return s.prefix + "apq:" + hash }

// Get implements Store: the local LRU first, then Redis.
func (s *RedisStore) Get(ctx context.Context, hash string) (string, bool) {
	if q, ok := s.local.Get(ctx, hash); ok {
		return q, true
	}
	if s.skipping() {
		return "", false
	}
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	q, err := s.client.Get(cctx, s.key(hash)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return "", false
	case err != nil:
		s.failed(ctx, err)
		return "", false
	}
	s.local.Add(ctx, hash, q)
	return q, true
}

// Add implements Store: the local LRU and Redis.
func (s *RedisStore) Add(ctx context.Context, hash, query string) {
	s.local.Add(ctx, hash, query)
	if s.skipping() {
		return
	}
	cctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	if err := s.client.Set(cctx, s.key(hash), query, s.ttl).Err(); err != nil {
		s.failed(ctx, err)
	}
}

// Errors counts failed Redis calls since the store was made.
func (s *RedisStore) Errors() int64 { return s.errors.Load() }

func (s *RedisStore) skipping() bool { return time.Now().UnixNano() < s.downUntil.Load() }

func (s *RedisStore) failed(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return // the client went away; Redis is not to blame
	}
	s.errors.Add(1)
	s.downUntil.Store(time.Now().Add(time.Second).UnixNano())
	// The error text can hold the Redis address: log its kind only.
	reason := "error"
	if errors.Is(err, context.DeadlineExceeded) {
		reason = "timeout"
	}
	s.logger.LogAttrs(ctx, slog.LevelWarn, "apq store: redis unavailable, using the local cache for 1s", slog.String("reason", reason))
}
