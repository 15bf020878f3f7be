package throttle

import (
	"context"
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"
)

// OpenStore builds the store cfg names: a MemoryStore, or a RedisStore on a
// client with tight timeouts. close releases the Redis client (a no-op for
// memory). It does not contact Redis: an unreachable Redis is handled per
// call according to cfg.FailureMode.
func OpenStore(cfg StoreConfig, logger *slog.Logger) (store Store, closeFn func() error, err error) {
	if logger == nil {
		logger = slog.Default()
	}
	if err := (Config{Store: cfg}).Validate(); err != nil {
		return nil, nil, err
	}
	if cfg.Kind != "redis" {
		return NewMemoryStore(), func() error { return nil }, nil
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = 50 * time.Millisecond
	}
	mode := cfg.FailureMode
	if mode == "" {
		mode = FailOpen
	}
	client := NewRedisClient(cfg.RedisAddr, timeout)
	opts := []RedisOption{WithRedisTimeout(timeout), WithFailureMode(mode), WithRedisLogger(logger)}
	if cfg.KeyPrefix != "" {
		opts = append(opts, WithKeyPrefix(cfg.KeyPrefix))
	}
	return NewRedisStore(client, opts...), client.Close, nil
}

// InstallRedisLogger routes go-redis's own log output (pool and dial
// failures) to l at debug level, keeping only the format string: the
// arguments hold addresses, which must not reach log lines. go-redis's
// logger is process-wide, so call this once from main.
func InstallRedisLogger(l *slog.Logger) {
	redis.SetLogger(redisLogger{l: l})
}

type redisLogger struct{ l *slog.Logger }

func (r redisLogger) Printf(ctx context.Context, format string, _ ...any) {
	r.l.LogAttrs(ctx, slog.LevelDebug, "redis client event", slog.String("event", format))
}
