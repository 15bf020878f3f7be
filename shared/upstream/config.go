package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"time"
)

// Defaults applied by Config.WithDefaults.
const (
	DefaultTimeout       = 2 * time.Second
	DefaultRetries       = 2
	DefaultMaxBatch      = 100
	DefaultBatchWait     = time.Millisecond
	DefaultMinAttempt    = 100 * time.Millisecond
	DefaultMaxConcurrent = 128

	DefaultRetryRatio        = 0.1
	DefaultRetryMinPerSecond = 3
	DefaultRetryWindow       = 10 * time.Second

	DefaultBreakerFailureRatio = 0.5
	DefaultBreakerMinRequests  = 20
	DefaultBreakerWindow       = 10 * time.Second
	DefaultBreakerOpenFor      = 5 * time.Second
	DefaultBreakerHalfOpen     = 1

	DefaultOutlierConsecutiveFailures = 5
	DefaultOutlierEjectFor            = 30 * time.Second
	DefaultOutlierMaxEjectedPercent   = 50

	// DefaultEndpointName names the one endpoint of a source configured
	// with Address alone.
	DefaultEndpointName = "default"
)

// Config is one upstream's settings (filled from the BFF config file/flags/env).
type Config struct {
	// Address is the REST base URL ("http://127.0.0.1:9102") or gRPC target
	// ("127.0.0.1:9201") of a source with one endpoint. Use Endpoints
	// instead for several; setting both is an error.
	Address string `yaml:"address"`
	// Endpoints are several instances of the source with their share of
	// the traffic (weighted, with passive outlier ejection and pinning for
	// canary tests). Default: one endpoint "default" at Address.
	Endpoints []Endpoint `yaml:"endpoints"`

	Timeout  time.Duration `yaml:"timeout"`  // per attempt, never beyond the request's budget; default 2s
	Retries  int           `yaml:"retries"`  // extra attempts for idempotent calls; default 2 (0 means default, negative disables retries)
	MaxBatch int           `yaml:"maxBatch"` // cap on ids per batch call; default 100
	// ForwardToken forwards the caller's original bearer token (default false).
	ForwardToken bool `yaml:"forwardToken"`
	// BatchWait is how long a per-request loader waits for more keys before
	// it calls the batch endpoint; default 1ms.
	BatchWait time.Duration `yaml:"batchWait"`
	// MinAttempt is the shortest attempt worth starting: a retry starts
	// only when at least this much of the request's budget is left after
	// its backoff. Default 100ms (never more than Timeout).
	MinAttempt time.Duration `yaml:"minAttempt"`
	// MaxConcurrent caps the calls in flight to this upstream (the
	// bulkhead); calls over the cap fail at once with UPSTREAM_UNAVAILABLE.
	// Default 128.
	MaxConcurrent int `yaml:"maxConcurrent"`

	RetryBudget RetryBudget `yaml:"retryBudget"`
	Breaker     Breaker     `yaml:"breaker"`
	Outlier     Outlier     `yaml:"outlier"`
	// TLS enables TLS, and with a certificate mutual TLS, towards the
	// upstream. Default: off (plain HTTP or insecure gRPC, for loopback).
	TLS TLS `yaml:"tls"`
}

// Endpoint is one instance of an upstream.
type Endpoint struct {
	// Name identifies the endpoint in logs, metrics and the pin header
	// ("stable", "canary"): lower-case letters, digits, '-' and '_'.
	Name string `yaml:"name"`
	// Address is the endpoint's REST base URL or gRPC target.
	Address string `yaml:"address"`
	// Weight is the endpoint's share of the traffic relative to the
	// others; 0 takes no traffic unless a call is pinned to it (a canary).
	// At least one endpoint of a source needs a weight above 0.
	Weight int `yaml:"weight"`
}

// RetryBudget caps retries to a share of the calls over a sliding window,
// so that a failing upstream is not sent more traffic by the gateway than
// it got before it failed (Finagle's RetryBudget, Envoy's retry_budget).
type RetryBudget struct {
	// Ratio is the share of calls that may be retried; default 0.1.
	Ratio float64 `yaml:"ratio"`
	// MinPerSecond is the floor: this many retries per second of the
	// window are always allowed, so a quiet upstream can still retry;
	// default 3.
	MinPerSecond float64 `yaml:"minPerSecond"`
	// Window is the sliding window over which calls and retries are
	// counted; default 10s.
	Window time.Duration `yaml:"window"`
}

// Breaker tunes the circuit breaker of an upstream. The breaker counts one
// outcome per logical call (not per attempt), and only what the upstream
// did: failures raised inside the gateway, callers that went away and
// calls turned away by the bulkhead or the breaker itself do not count.
type Breaker struct {
	// FailureRatio of the counted calls in Window opens the breaker once
	// MinRequests calls are counted; default 0.5.
	FailureRatio float64 `yaml:"failureRatio"`
	// MinRequests is how many calls Window must hold before the ratio is
	// judged; default 20.
	MinRequests uint32 `yaml:"minRequests"`
	// Window is the rolling window of counted calls, kept in ten buckets
	// that expire one at a time; default 10s.
	Window time.Duration `yaml:"window"`
	// OpenFor is how long an open breaker answers UPSTREAM_UNAVAILABLE
	// before it lets probe calls through; default 5s.
	OpenFor time.Duration `yaml:"openFor"`
	// HalfOpenRequests is how many probes may run while half-open, and how
	// many must succeed to close; default 1.
	HalfOpenRequests uint32 `yaml:"halfOpenRequests"`
	// Disabled turns the breaker off (default false).
	Disabled bool `yaml:"disabled"`
}

// Outlier tunes passive outlier ejection among a source's endpoints: an
// endpoint whose attempts keep failing takes no traffic for a cool-down.
type Outlier struct {
	// ConsecutiveFailures ejects an endpoint; default 5.
	ConsecutiveFailures int `yaml:"consecutiveFailures"`
	// EjectFor is the cool-down after which an ejected endpoint takes
	// traffic again; default 30s.
	EjectFor time.Duration `yaml:"ejectFor"`
	// MaxEjectedPercent caps the share of endpoints ejected at once
	// (rounded down), so a source with one endpoint never ejects it;
	// default 50.
	MaxEjectedPercent int `yaml:"maxEjectedPercent"`
}

// TLS configures TLS towards an upstream. With CA alone the upstream's
// certificate is verified against that CA; with Cert and Key the gateway
// also presents a client certificate (mutual TLS). The files are read
// again when they change, so rotated certificates need no restart.
type TLS struct {
	// Cert and Key are PEM files of the client certificate and its key.
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
	// CA is a PEM file of the CAs that sign the upstream's certificate;
	// empty means the system roots.
	CA string `yaml:"ca"`
	// ServerName is the name the upstream's certificate must carry;
	// default: the host of the address.
	ServerName string `yaml:"serverName"`
}

// Enabled reports whether TLS is configured.
func (t TLS) Enabled() bool { return t.Cert != "" || t.Key != "" || t.CA != "" || t.ServerName != "" }

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
	if c.MinAttempt <= 0 {
		c.MinAttempt = DefaultMinAttempt
	}
	c.MinAttempt = min(c.MinAttempt, c.Timeout)
	if c.MaxConcurrent <= 0 {
		c.MaxConcurrent = DefaultMaxConcurrent
	}
	if c.RetryBudget.Ratio <= 0 {
		c.RetryBudget.Ratio = DefaultRetryRatio
	}
	if c.RetryBudget.MinPerSecond <= 0 {
		c.RetryBudget.MinPerSecond = DefaultRetryMinPerSecond
	}
	if c.RetryBudget.Window <= 0 {
		c.RetryBudget.Window = DefaultRetryWindow
	}
	if c.Breaker.FailureRatio <= 0 {
		c.Breaker.FailureRatio = DefaultBreakerFailureRatio
	}
	if c.Breaker.MinRequests == 0 {
		c.Breaker.MinRequests = DefaultBreakerMinRequests
	}
	if c.Breaker.Window <= 0 {
		c.Breaker.Window = DefaultBreakerWindow
	}
	if c.Breaker.OpenFor <= 0 {
		c.Breaker.OpenFor = DefaultBreakerOpenFor
	}
	if c.Breaker.HalfOpenRequests == 0 {
		c.Breaker.HalfOpenRequests = DefaultBreakerHalfOpen
	}
	if c.Outlier.ConsecutiveFailures <= 0 {
		c.Outlier.ConsecutiveFailures = DefaultOutlierConsecutiveFailures
	}
	if c.Outlier.EjectFor <= 0 {
		c.Outlier.EjectFor = DefaultOutlierEjectFor
	}
	if c.Outlier.MaxEjectedPercent <= 0 {
		c.Outlier.MaxEjectedPercent = DefaultOutlierMaxEjectedPercent
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

// HasAddress reports whether c names where the upstream is (Address or
// Endpoints).
func (c Config) HasAddress() bool {
	return strings.TrimSpace(c.Address) != "" || len(c.Endpoints) > 0
}

var endpointName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,31}$`)

// endpoints returns the configured endpoints: Endpoints, or Address as one
// endpoint named DefaultEndpointName with weight 1.
func (c Config) endpoints() []Endpoint {
	if len(c.Endpoints) == 0 {
		return []Endpoint{{Name: DefaultEndpointName, Address: strings.TrimSpace(c.Address), Weight: 1}}
	}
	return c.Endpoints
}

// Validate reports settings that cannot work; key prefixes the messages
// ("upstreams.catalog").
func (c Config) Validate(key string) error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(key+format, args...)) }
	if c.Timeout < 0 || c.BatchWait < 0 || c.MaxBatch < 0 || c.Retries < -1 || c.MinAttempt < 0 || c.MaxConcurrent < 0 {
		add(": timeout, batchWait, maxBatch, minAttempt and maxConcurrent must not be negative, retries at least -1")
	}
	if c.Timeout > time.Minute {
		add(".timeout %s is longer than a minute (it is per attempt)", c.Timeout)
	}
	if c.MaxBatch > 500 {
		add(".maxBatch %d: the services accept at most 500 ids per batch", c.MaxBatch)
	}
	if strings.TrimSpace(c.Address) != "" && len(c.Endpoints) > 0 {
		add(": set address or endpoints, not both")
	}
	seen := map[string]bool{}
	weight := 0
	for i, e := range c.Endpoints {
		if !endpointName.MatchString(e.Name) {
			add(".endpoints[%d].name %q: use 1 to 32 lower-case letters, digits, '-' and '_'", i, e.Name)
		}
		if seen[e.Name] {
			add(".endpoints[%d].name %q is used twice", i, e.Name)
		}
		seen[e.Name] = true
		if strings.TrimSpace(e.Address) == "" {
			add(".endpoints[%d].address is empty", i)
		}
		if e.Weight < 0 {
			add(".endpoints[%d].weight must not be negative", i)
		}
		weight += e.Weight
	}
	if len(c.Endpoints) > 0 && weight == 0 {
		add(".endpoints: at least one endpoint needs a weight above 0")
	}
	if r := c.RetryBudget; r.Ratio < 0 || r.Ratio > 1 || r.MinPerSecond < 0 || r.Window < 0 {
		add(".retryBudget: ratio must be within 0..1, minPerSecond and window not negative")
	}
	if b := c.Breaker; b.FailureRatio < 0 || b.FailureRatio > 1 || b.Window < 0 || b.OpenFor < 0 {
		add(".breaker: failureRatio must be within 0..1, window and openFor not negative")
	}
	if o := c.Outlier; o.ConsecutiveFailures < 0 || o.EjectFor < 0 || o.MaxEjectedPercent < 0 || o.MaxEjectedPercent > 100 {
		add(".outlier: consecutiveFailures and ejectFor must not be negative, maxEjectedPercent within 0..100")
	}
	if (c.TLS.Cert == "") != (c.TLS.Key == "") {
		add(".tls: cert and key go together")
	}
	return errors.Join(errs...)
}

// HeaderFunc is the outgoing identity hook the auth core provides; upstream
// calls it on every REST request attempt.
type HeaderFunc func(ctx context.Context, h http.Header)

// TokenFunc returns the caller's original bearer token, if any. It is used
// only for upstreams whose Config.ForwardToken is true.
type TokenFunc func(ctx context.Context) (token string, ok bool)
