package gateway

import (
	"fmt"
	"strings"

	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/config"
	"github.com/tandemgw/tandem/shared/edge"
	"github.com/tandemgw/tandem/shared/server"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/upstream"
)

// Config is a BFF's configuration. Load fills it from defaults, an optional
// YAML file, the environment and flags, each overriding the previous;
// Default alone works out of the box against `make mocks`.
type Config struct {
	// Addr is the listen address (default Spec.DefaultAddr).
	Addr string
	// AdminAddr is the admin listener's address, serving /metrics and
	// /debug/pprof/ (default Spec.DefaultAdminAddr; "" serves none).
	AdminAddr string
	// Dev serves GraphiQL at "/", enables introspection (held to the
	// introspection limits, not costed) and fills what is not configured
	// with the local mocks' defaults: every source's registered default
	// address and the mock identity provider (default false). Outside dev
	// mode New refuses to start until every source has an address and a
	// token issuer is configured.
	Dev bool
	// TrustedProxies are the proxies and load balancers in front of the
	// BFF (CIDRs or addresses) whose X-Forwarded-For names the client
	// (default none: the client is the TCP peer).
	TrustedProxies []string
	// Log is the log level and format (default info, json).
	Log config.Log
	// Upstreams are per-source settings by source id; unset fields take
	// the shared/upstream defaults. Outside dev mode every registered
	// source needs an address here; in dev mode a source without one uses
	// its registration's DefaultAddress (registry.Source), where its mock
	// listens (default: empty).
	Upstreams map[string]upstream.Config
	// RequestBudget bounds each GraphQL operation, per operation type
	// (default 3s).
	RequestBudget server.RequestBudget
	// Steering names the header that pins a trusted request's upstream
	// calls to a named endpoint (default X-Tandem-Pin, honoured with scope
	// upstream:pin or in dev mode).
	Steering config.Steering
	// Market decides how long a signed-in viewer's account locale, which
	// decides the market prices are shown in, is reused (default 1m) and
	// for how many viewers (default 10000); see shared/market.
	Market config.Market
	// Auth configures token verification (default: no issuer, which only
	// dev mode accepts, trusting the mock identity provider on
	// 127.0.0.1:9100, audience "tandem": auth.DefaultConfig).
	Auth auth.Config
	// Throttle configures operation limits, cost and rate limits (default
	// Spec.ThrottleDefaults).
	Throttle throttle.Config
	// Edge configures CORS, CSRF prevention, compression, caching,
	// automatic persisted queries and trusted documents (default
	// edge.Defaults, resolved for dev mode and the Spec when the app is
	// built).
	Edge edge.Config
	// Telemetry configures tracing (default: exporter none, sampling ratio
	// 1 once an exporter is chosen) and metrics export (default:
	// Prometheus on the admin listener only).
	Telemetry config.Telemetry
	// Shutdown is how the BFF stops (default: /readyz fails for 5s, 0 in
	// dev mode, then requests in flight get 10s).
	Shutdown config.Shutdown
}

// Default returns the built-in configuration of spec: with Dev set it
// works out of the box with the mocks on their default ports; outside dev
// mode the upstream addresses and a token issuer must be added.
func Default(spec Spec) Config {
	return fromBase(spec, config.Defaults(spec.ConfigSpec()))
}

func fromBase(spec Spec, b config.Config) Config {
	return Config{
		Addr:           b.Addr,
		AdminAddr:      b.AdminAddr,
		Dev:            b.Dev,
		TrustedProxies: b.TrustedProxies,
		Log:            b.Log,
		Upstreams:      b.Upstreams,
		RequestBudget:  b.RequestBudget,
		Steering:       b.Steering,
		Market:         b.Market,
		Throttle:       spec.throttleDefaults(),
		Edge:           edge.Defaults(),
		Telemetry:      b.Telemetry,
		Shutdown:       b.Shutdown,
	}
}

// Load builds spec's configuration from defaults, the YAML file named by
// -config (or <PREFIX>_CONFIG), environ (os.Environ() form) and args
// (without the program name); see shared/config for every key. The file's
// auth section replaces the default issuers; its throttle section overrides
// the BFF's defaults key by key. When args ask for help (-h, -help) the
// error wraps flag.ErrHelp: print Usage and exit 0.
func Load(spec Spec, args, environ []string) (Config, error) {
	base, err := config.Load(spec.ConfigSpec(), args, environ)
	if err != nil {
		return Config{}, err
	}
	cfg := fromBase(spec, base)
	if !base.Auth.IsZero() {
		var a auth.Config
		if err := base.Auth.Decode(&a); err != nil {
			return Config{}, fmt.Errorf("config: auth: %w", err)
		}
		cfg.Auth = a
	}
	if err := base.Throttle.Decode(&cfg.Throttle); err != nil {
		if strings.Contains(err.Error(), "trustedProxies") {
			return Config{}, fmt.Errorf("config: throttle: %w (trustedProxies is a top-level setting)", err)
		}
		return Config{}, fmt.Errorf("config: throttle: %w", err)
	}
	if err := base.Edge.Decode(&cfg.Edge); err != nil {
		return Config{}, fmt.Errorf("config: edge: %w", err)
	}
	if err := applyEdgeEnv(&cfg.Edge, spec.EnvPrefix, environ); err != nil {
		return Config{}, err
	}
	return cfg, cfg.Validate()
}

// Validate reports settings that cannot work, naming the key to fix.
// What is missing (upstream addresses, a token issuer) is reported by New,
// which knows the registered sources and fills dev mode's defaults.
func (c Config) Validate() error {
	base := config.Config{Addr: c.Addr, AdminAddr: c.AdminAddr, Log: c.Log, Upstreams: c.Upstreams, Telemetry: c.Telemetry,
		RequestBudget: c.RequestBudget, Steering: c.Steering, Market: c.Market, TrustedProxies: c.TrustedProxies, Shutdown: c.Shutdown}
	if base.Log == (config.Log{}) {
		base.Log = config.Log{Level: "info", Format: "json"}
	}
	if err := base.Validate(); err != nil {
		return err
	}
	if len(c.Auth.Issuers) > 0 {
		if _, err := c.Auth.Normalize(); err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	th := c.Throttle
	th.Rate.TrustedProxies = c.TrustedProxies
	if err := th.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := c.Edge.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// Usage is the help text of spec's binary: what it serves, its flags and
// where else settings come from.
func Usage(spec Spec) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: %s [flags]\n\n", spec.Name)
	if spec.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", spec.Description)
	}
	fmt.Fprintf(&b, "Settings come from, later winning: built-in defaults, the YAML file\n"+
		"(-config or %[1]s_CONFIG), the environment (%[1]s_ADDR, %[1]s_ADMIN_ADDR,\n"+
		"%[1]s_DEV, %[1]s_TRUSTED_PROXIES, %[1]s_LOG_LEVEL, %[1]s_LOG_FORMAT,\n"+
		"%[1]s_TRACING_EXPORTER, %[1]s_TRACING_SAMPLING_RATIO, %[1]s_METRICS_OTLP,\n"+
		"%[1]s_REQUEST_BUDGET[_QUERY|_MUTATION], %[1]s_SHUTDOWN_DRAIN_DELAY,\n"+
		"%[1]s_SHUTDOWN_GRACE_PERIOD, TANDEM_UPSTREAMS_<SVC>_<FIELD> and\n"+
		"%[1]s_UPSTREAMS_<SVC>_<FIELD>), then these flags:\n\n", spec.EnvPrefix)
	b.WriteString(config.FlagUsage(spec.ConfigSpec()))
	fmt.Fprintf(&b, "\nThe edge (see the README) also reads %[1]s_CORS_ALLOWED_ORIGINS,\n"+
		"%[1]s_TRUSTED_DOCUMENTS_MODE (enforce, log, off), %[1]s_TRUSTED_DOCUMENTS_MANIFESTS\n"+
		"(comma-separated files), %[1]s_APQ_STORE (memory, redis) and %[1]s_CACHE_MAX_AGE.\n", spec.EnvPrefix)
	b.WriteString("\nUpstream fields: address, timeout, retries, maxBatch, forwardToken, batchWait,\n" +
		"minAttempt, maxConcurrent, tls.cert, tls.key, tls.ca, tls.serverName (environment:\n" +
		"ADDRESS, TIMEOUT, RETRIES, MAX_BATCH, FORWARD_TOKEN, BATCH_WAIT, MIN_ATTEMPT,\n" +
		"MAX_CONCURRENT, TLS_CERT, TLS_KEY, TLS_CA, TLS_SERVER_NAME); endpoints, breaker,\n" +
		"retryBudget and outlier are set in the file.\n" +
		"Outside -dev every source needs an address and the config file's auth\n" +
		"section a token issuer; with -dev what is missing takes the local mocks'\n" +
		"defaults (schema/README.md).\n")
	return b.String()
}
