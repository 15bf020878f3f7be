package upstream

import (
	"context"
	"net/http"
	"time"
)

// Defaults applied by Config.WithDefaults.
const (
	DefaultTimeout   = 2 * time.Second
	DefaultRetries   = 2
	DefaultMaxBatch  = 100
	DefaultBatchWait = time.Millisecond
)

// Config is one upstream's settings (filled from the BFF config file/flags/env).
type Config struct {
	Address      string        `yaml:"address"`      // REST base URL ("http://127.0.0.1:9102") or gRPC target ("127.0.0.1:9201")
	Timeout      time.Duration `yaml:"timeout"`      // per attempt; default 2s
	Retries      int           `yaml:"retries"`      // extra attempts for idempotent calls; default 2 (0 means default, negative disables retries)
	MaxBatch     int           `yaml:"maxBatch"`     // cap on ids per batch call; default 100
	ForwardToken bool          `yaml:"forwardToken"` // forward the caller's original bearer token (default false)
	// BatchWait is how long a per-request loader waits for more keys before
	// it calls the batch endpoint; default 1ms.
	BatchWait time.Duration `yaml:"batchWait"`
}

// WithDefaults returns c with zero fields replaced by the package defaults.
func (c Config) WithDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.Retries == 0 {
		c.Retries = DefaultRetries
	}
	if c.MaxBatch <= 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.BatchWait <= 0 {
		c.BatchWait = DefaultBatchWait
	}
	return c
}

// attempts returns how many times an idempotent call may be tried.
func (c Config) attempts() int {
	if c.Retries < 0 {
		return 1
	}
	return 1 + c.Retries
}

// HeaderFunc is the outgoing identity hook the auth core provides; upstream
// calls it on every REST request attempt.
type HeaderFunc func(ctx context.Context, h http.Header)

// TokenFunc returns the caller's original bearer token, if any. It is used
// only for upstreams whose Config.ForwardToken is true.
type TokenFunc func(ctx context.Context) (token string, ok bool)
