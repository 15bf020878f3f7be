package config

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
	"golang.org/x/net/http/httpguts"

	"github.com/tandemgw/tandem/shared/server"
	"github.com/tandemgw/tandem/shared/telemetry"
	"github.com/tandemgw/tandem/shared/upstream"
)

// Spec describes the BFF whose configuration is loaded.
type Spec struct {
	Name        string // "bff-web"
	EnvPrefix   string // "TANDEM_WEB"
	DefaultAddr string // "127.0.0.1:8080"
	// DefaultAdminAddr is where /metrics and /debug/pprof/ are served
	// unless configured ("127.0.0.1:8090"); "" means no admin listener.
	DefaultAdminAddr string
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error; default info
	Format string `yaml:"format"` // json or text; default json
}

// Telemetry is the telemetry section: tracing and metrics export (logs
// have their own section).
type Telemetry struct {
	Tracing telemetry.TracingConfig `yaml:"tracing"`
	Metrics telemetry.MetricsConfig `yaml:"metrics"`
}

// Steering is how a request may pin its upstream calls to a named
// endpoint of a source (canary testing): a request header of the form
// "catalog=canary, pricing=canary", honoured in dev mode and from callers
// whose verified token holds PinScope, and ignored from anyone else.
type Steering struct {
	// PinHeader names the request header; default X-Tandem-Pin.
	PinHeader string `yaml:"pinHeader"`
	// PinScope is the scope a token needs for its pins to be honoured;
	// default upstream:pin.
	PinScope string `yaml:"pinScope"`
}

// Market is how a request's market (display locale and currency) is
// decided: see shared/market.
type Market struct {
	// AccountTTL is how long a signed-in viewer's account locale is reused
	// before the account is read again (default 1m; 0 reads it on every
	// request).
	AccountTTL time.Duration `yaml:"accountTTL"`
	// Accounts bounds how many viewers' locales each replica remembers
	// (default and 0: 10000).
	Accounts int `yaml:"accounts"`
}

// Defaults of Market.
const (
	DefaultMarketAccountTTL = time.Minute
	DefaultMarketAccounts   = 10_000
)

// Defaults of Steering.
const (
	DefaultPinHeader = "X-Tandem-Pin"
	DefaultPinScope  = "upstream:pin"
)

// WithDefaults fills the zero fields of s.
func (s Steering) WithDefaults() Steering {
	if s.PinHeader == "" {
		s.PinHeader = DefaultPinHeader
	}
	if s.PinScope == "" {
		s.PinScope = DefaultPinScope
	}
	return s
}

// Shutdown configures how a BFF stops on SIGTERM: /readyz fails for
// DrainDelay while new requests are still served, then the listener closes
// and requests in flight get GracePeriod to finish.
type Shutdown struct {
	// DrainDelay: default 5s, or 0 in dev mode unless set; at most a
	// minute. Set it to how long the load balancer takes to notice a
	// failing readiness check.
	DrainDelay time.Duration `yaml:"drainDelay"`
	// GracePeriod: default 10s (also what 0 means); at most 10 minutes.
	GracePeriod time.Duration `yaml:"gracePeriod"`
}

// Defaults of Shutdown.
const (
	DefaultDrainDelay  = 5 * time.Second
	DefaultGracePeriod = 10 * time.Second
)

// Section is a configuration section kept as raw YAML for the package that
// owns it to decode (auth, throttle, edge).
type Section struct {
	Node yaml.Node
}

// UnmarshalYAML keeps the raw node.
func (s *Section) UnmarshalYAML(n *yaml.Node) error {
	s.Node = *n
	return nil
}

// IsZero reports whether the section was absent.
func (s Section) IsZero() bool { return s.Node.Kind == 0 }

// Decode decodes the section into v, rejecting unknown keys. An absent
// section leaves v untouched.
func (s Section) Decode(v any) error {
	if s.IsZero() {
		return nil
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(&s.Node); err != nil {
		return err
	}
	_ = enc.Close()
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	return dec.Decode(v)
}

// Config is a BFF's configuration.
type Config struct {
	Name      string `yaml:"-"`
	Addr      string `yaml:"addr"`
	AdminAddr string `yaml:"adminAddr"` // "" disables the admin listener
	Dev       bool   `yaml:"dev"`
	// TrustedProxies are the CIDRs (or addresses) of the proxies and load
	// balancers in front of the BFF, whose X-Forwarded-For is believed when
	// finding a client's address (anonymous rate limits are keyed by it).
	// Empty (the default): the TCP peer's address, X-Forwarded-For ignored.
	TrustedProxies []string                   `yaml:"trustedProxies"`
	Log            Log                        `yaml:"log"`
	Upstreams      map[string]upstream.Config `yaml:"upstreams"`
	// RequestBudget bounds each GraphQL operation (server.RequestBudget).
	RequestBudget server.RequestBudget `yaml:"requestBudget"`
	Steering      Steering             `yaml:"steering"`
	Market        Market               `yaml:"market"`
	Auth          Section              `yaml:"auth"`
	Throttle      Section              `yaml:"throttle"`
	Edge          Section              `yaml:"edge"`
	Telemetry     Telemetry            `yaml:"telemetry"`
	Shutdown      Shutdown             `yaml:"shutdown"`
}

// Defaults returns the built-in configuration of spec. It lists no
// upstreams: a source's default address comes from its registration
// (registry.Source.DefaultAddress), so a new backend needs no entry here,
// and any source id may be configured.
func Defaults(spec Spec) Config {
	return Config{
		Name:          spec.Name,
		Addr:          spec.DefaultAddr,
		AdminAddr:     spec.DefaultAdminAddr,
		Log:           Log{Level: "info", Format: "json"},
		Upstreams:     map[string]upstream.Config{},
		RequestBudget: server.RequestBudget{}.WithDefaults(),
		Steering:      Steering{}.WithDefaults(),
		Market:        Market{AccountTTL: DefaultMarketAccountTTL, Accounts: DefaultMarketAccounts},
		Telemetry:     Telemetry{Tracing: telemetry.DefaultTracingConfig()},
		Shutdown:      Shutdown{DrainDelay: DefaultDrainDelay, GracePeriod: DefaultGracePeriod},
	}
}

// Load builds the configuration of spec from defaults, the YAML file
// (-config or <PREFIX>_CONFIG), environ (os.Environ() form) and args
// (without the program name). Flags win over the environment, which wins
// over the file.
func Load(spec Spec, args []string, environ []string) (Config, error) {
	if spec.Name == "" || spec.EnvPrefix == "" {
		return Config{}, errors.New("config: Spec needs Name and EnvPrefix")
	}
	cfg := Defaults(spec)
	env := envMap(environ)

	fs, fl := newFlagSet(spec)
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("config: unexpected arguments %q", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })

	path := env[spec.EnvPrefix+"_CONFIG"]
	if set["config"] {
		path = fl.config
	}
	drainDelaySet := false
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
		drainDelaySet, err = cfg.applyYAML(f)
		f.Close()
		if err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	if _, ok := env[spec.EnvPrefix+"_SHUTDOWN_DRAIN_DELAY"]; ok {
		drainDelaySet = true
	}
	if err := cfg.applyEnv(spec, env); err != nil {
		return Config{}, err
	}
	if err := cfg.applyFlags(fl, set); err != nil {
		return Config{}, err
	}
	// No load balancer waits on a developer's machine: Ctrl-C stops at once.
	if cfg.Dev && !drainDelaySet {
		cfg.Shutdown.DrainDelay = 0
	}
	return cfg, cfg.Validate()
}

// applyYAML merges a YAML document into cfg: keys present override, keys
// absent keep their current value (also inside each upstream). It reports
// whether the document sets shutdown.drainDelay.
func (c *Config) applyYAML(r io.Reader) (drainDelaySet bool, err error) {
	var raw struct {
		Addr           *string            `yaml:"addr"`
		AdminAddr      *string            `yaml:"adminAddr"`
		Dev            *bool              `yaml:"dev"`
		Log            *Section           `yaml:"log"`
		Upstreams      map[string]Section `yaml:"upstreams"`
		Budget         *Section           `yaml:"requestBudget"`
		Steering       *Section           `yaml:"steering"`
		Market         *Section           `yaml:"market"`
		Auth           Section            `yaml:"auth"`
		Throttle       Section            `yaml:"throttle"`
		Edge           Section            `yaml:"edge"`
		Telemetry      *Section           `yaml:"telemetry"`
		TrustedProxies *[]string          `yaml:"trustedProxies"`
		Shutdown       *struct {
			DrainDelay  *time.Duration `yaml:"drainDelay"`
			GracePeriod *time.Duration `yaml:"gracePeriod"`
		} `yaml:"shutdown"`
	}
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	if err := dec.Decode(&raw); err != nil {
		if errors.Is(err, io.EOF) {
			return false, nil // empty file
		}
		return false, err
	}
	if raw.Addr != nil {
		c.Addr = *raw.Addr
	}
	if raw.AdminAddr != nil {
		c.AdminAddr = *raw.AdminAddr
	}
	if raw.Dev != nil {
		c.Dev = *raw.Dev
	}
	if raw.TrustedProxies != nil {
		c.TrustedProxies = *raw.TrustedProxies
	}
	if sd := raw.Shutdown; sd != nil {
		if sd.DrainDelay != nil {
			c.Shutdown.DrainDelay, drainDelaySet = *sd.DrainDelay, true
		}
		if sd.GracePeriod != nil {
			c.Shutdown.GracePeriod = *sd.GracePeriod
		}
	}
	if raw.Log != nil {
		if err := raw.Log.Decode(&c.Log); err != nil {
			return drainDelaySet, fmt.Errorf("log: %w", err)
		}
	}
	for id, n := range raw.Upstreams {
		u, ok := c.Upstreams[id]
		if !ok {
			u = upstream.Config{}.WithDefaults()
		}
		if err := n.Decode(&u); err != nil {
			return drainDelaySet, fmt.Errorf("upstreams.%s: %w", id, err)
		}
		c.Upstreams[id] = u
	}
	if raw.Budget != nil {
		// Query and mutation fall back to the default given here, not to
		// the built-in one.
		var b server.RequestBudget
		if err := raw.Budget.Decode(&b); err != nil {
			return drainDelaySet, fmt.Errorf("requestBudget: %w", err)
		}
		if err := b.Validate(); err != nil {
			return drainDelaySet, err
		}
		c.RequestBudget = b.WithDefaults()
	}
	if raw.Steering != nil {
		if err := raw.Steering.Decode(&c.Steering); err != nil {
			return drainDelaySet, fmt.Errorf("steering: %w", err)
		}
	}
	if raw.Market != nil {
		if err := raw.Market.Decode(&c.Market); err != nil {
			return drainDelaySet, fmt.Errorf("market: %w", err)
		}
	}
	if raw.Telemetry != nil {
		if err := raw.Telemetry.Decode(&c.Telemetry); err != nil {
			return drainDelaySet, fmt.Errorf("telemetry: %w", err)
		}
	}
	if !raw.Auth.IsZero() {
		c.Auth = raw.Auth
	}
	if !raw.Throttle.IsZero() {
		c.Throttle = raw.Throttle
	}
	if !raw.Edge.IsZero() {
		c.Edge = raw.Edge
	}
	return drainDelaySet, nil
}

func envMap(environ []string) map[string]string {
	m := make(map[string]string, len(environ))
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			m[k] = v
		}
	}
	return m
}

// upstreamFields maps environment suffixes to YAML field names.
var upstreamFields = map[string]string{
	"ADDRESS":         "address",
	"TIMEOUT":         "timeout",
	"RETRIES":         "retries",
	"MAX_BATCH":       "maxBatch",
	"FORWARD_TOKEN":   "forwardToken",
	"BATCH_WAIT":      "batchWait",
	"MIN_ATTEMPT":     "minAttempt",
	"MAX_CONCURRENT":  "maxConcurrent",
	"TLS_CERT":        "tls.cert",
	"TLS_KEY":         "tls.key",
	"TLS_CA":          "tls.ca",
	"TLS_SERVER_NAME": "tls.serverName",
}

// upstreamFieldList names the fields settable per upstream from the
// environment and flags, for messages.
const upstreamFieldList = "address, timeout, retries, maxBatch, forwardToken, batchWait, minAttempt, maxConcurrent, tls.cert, tls.key, tls.ca, tls.serverName"

func (c *Config) applyEnv(spec Spec, env map[string]string) error {
	p := spec.EnvPrefix + "_"
	if v, ok := env[p+"ADDR"]; ok {
		c.Addr = v
	}
	if v, ok := env[p+"ADMIN_ADDR"]; ok {
		c.AdminAddr = v
	}
	if v, ok := env[p+"METRICS_OTLP"]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("config: %sMETRICS_OTLP=%q is not a boolean", p, v)
		}
		c.Telemetry.Metrics.OTLP = b
	}
	if v, ok := env[p+"DEV"]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("config: %sDEV=%q is not a boolean", p, v)
		}
		c.Dev = b
	}
	if v, ok := env[p+"TRUSTED_PROXIES"]; ok {
		c.TrustedProxies = splitList(v)
	}
	for key, d := range map[string]*time.Duration{
		p + "SHUTDOWN_DRAIN_DELAY":  &c.Shutdown.DrainDelay,
		p + "SHUTDOWN_GRACE_PERIOD": &c.Shutdown.GracePeriod,
	} {
		if v, ok := env[key]; ok {
			parsed, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("config: %s=%q is not a duration", key, v)
			}
			*d = parsed
		}
	}
	if v, ok := env[p+"LOG_LEVEL"]; ok {
		c.Log.Level = v
	}
	if v, ok := env[p+"LOG_FORMAT"]; ok {
		c.Log.Format = v
	}
	for suffix, dst := range map[string]*time.Duration{
		"REQUEST_BUDGET":          &c.RequestBudget.Default,
		"REQUEST_BUDGET_QUERY":    &c.RequestBudget.Query,
		"REQUEST_BUDGET_MUTATION": &c.RequestBudget.Mutation,
	} {
		if v, ok := env[p+suffix]; ok {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("config: %s%s=%q is not a duration", p, suffix, v)
			}
			*dst = d
		}
	}
	if v, ok := env[p+"REQUEST_BUDGET"]; ok && v != "" {
		// A new default applies to the operation types not set on their own.
		if _, q := env[p+"REQUEST_BUDGET_QUERY"]; !q {
			c.RequestBudget.Query = c.RequestBudget.Default
		}
		if _, m := env[p+"REQUEST_BUDGET_MUTATION"]; !m {
			c.RequestBudget.Mutation = c.RequestBudget.Default
		}
	}
	if v, ok := env[p+"TRACING_EXPORTER"]; ok {
		c.Telemetry.Tracing.Exporter = v
	}
	if v, ok := env[p+"TRACING_SAMPLING_RATIO"]; ok {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("config: %sTRACING_SAMPLING_RATIO=%q is not a number", p, v)
		}
		c.Telemetry.Tracing.SamplingRatio = r
	}
	// Shared upstream settings first, then the BFF's own, so those win.
	for _, prefix := range []string{"TANDEM_UPSTREAMS_", p + "UPSTREAMS_"} {
		keys := make([]string, 0)
		for k := range env {
			if strings.HasPrefix(k, prefix) {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys) // deterministic error reporting
		for _, k := range keys {
			svc, field, ok := splitUpstreamEnv(strings.TrimPrefix(k, prefix))
			if !ok {
				return fmt.Errorf("config: %s: expected %s<SERVICE>_<FIELD> with FIELD one of %s", k, prefix, strings.Join(envSuffixes(), ", "))
			}
			if err := c.setUpstream(svc, field, env[k]); err != nil {
				return fmt.Errorf("config: %s: %w", k, err)
			}
		}
	}
	return nil
}

// envSuffixes lists the upstream field suffixes, sorted.
func envSuffixes() []string {
	out := make([]string, 0, len(upstreamFields))
	for s := range upstreamFields {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// splitUpstreamEnv splits "CATALOG_MAX_BATCH" into ("catalog", "maxBatch").
// Longer suffixes are tried first, so MAX_BATCH is never read as BATCH.
func splitUpstreamEnv(rest string) (svc, field string, ok bool) {
	suffixes := make([]string, 0, len(upstreamFields))
	for s := range upstreamFields {
		suffixes = append(suffixes, s)
	}
	sort.Slice(suffixes, func(i, j int) bool { return len(suffixes[i]) > len(suffixes[j]) })
	for _, suffix := range suffixes {
		if s, found := strings.CutSuffix(rest, "_"+suffix); found && s != "" {
			return strings.ToLower(s), upstreamFields[suffix], true
		}
	}
	return "", "", false
}

// setUpstream sets one field of an upstream, creating the entry if needed.
func (c *Config) setUpstream(svc, field, value string) error {
	u, ok := c.Upstreams[svc]
	if !ok {
		u = upstream.Config{}.WithDefaults()
	}
	var err error
	switch field {
	case "address":
		u.Address = value
	case "timeout":
		u.Timeout, err = time.ParseDuration(value)
	case "batchWait":
		u.BatchWait, err = time.ParseDuration(value)
	case "retries":
		u.Retries, err = strconv.Atoi(value)
	case "maxBatch":
		u.MaxBatch, err = strconv.Atoi(value)
	case "forwardToken":
		u.ForwardToken, err = strconv.ParseBool(value)
	case "minAttempt":
		u.MinAttempt, err = time.ParseDuration(value)
	case "maxConcurrent":
		u.MaxConcurrent, err = strconv.Atoi(value)
	case "tls.cert":
		u.TLS.Cert = value
	case "tls.key":
		u.TLS.Key = value
	case "tls.ca":
		u.TLS.CA = value
	case "tls.serverName":
		u.TLS.ServerName = value
	default:
		return fmt.Errorf("unknown upstream field %q (use %s; the rest is set in the file)", field, upstreamFieldList)
	}
	if err != nil {
		return fmt.Errorf("upstreams.%s.%s: %w", svc, field, err)
	}
	c.Upstreams[svc] = u
	return nil
}

type flagValues struct {
	config, addr, adminAddr, logLevel, logFormat string
	trustedProxies                               string
	dev                                          bool
	upstreams                                    upstreamFlags
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	out := []string{}
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// upstreamFlags collects repeated -upstream svc.field=value flags.
type upstreamFlags []string

func (u *upstreamFlags) String() string     { return strings.Join(*u, ",") }
func (u *upstreamFlags) Set(s string) error { *u = append(*u, s); return nil }

func newFlagSet(spec Spec) (*flag.FlagSet, *flagValues) {
	fl := &flagValues{}
	fs := flag.NewFlagSet(spec.Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&fl.config, "config", "", "YAML configuration file (env "+spec.EnvPrefix+"_CONFIG)")
	fs.StringVar(&fl.addr, "addr", spec.DefaultAddr, "listen address (env "+spec.EnvPrefix+"_ADDR)")
	fs.StringVar(&fl.adminAddr, "admin-addr", spec.DefaultAdminAddr, "admin listen address for /metrics and /debug/pprof/, \"\" for none (env "+spec.EnvPrefix+"_ADMIN_ADDR)")
	fs.BoolVar(&fl.dev, "dev", false, "dev mode: GraphiQL, introspection, field suggestions (env "+spec.EnvPrefix+"_DEV)")
	fs.StringVar(&fl.trustedProxies, "trusted-proxies", "", "comma-separated CIDRs of the proxies whose X-Forwarded-For is believed (env "+spec.EnvPrefix+"_TRUSTED_PROXIES)")
	fs.StringVar(&fl.logLevel, "log-level", "info", "debug, info, warn or error (env "+spec.EnvPrefix+"_LOG_LEVEL)")
	fs.StringVar(&fl.logFormat, "log-format", "json", "json or text (env "+spec.EnvPrefix+"_LOG_FORMAT)")
	fs.Var(&fl.upstreams, "upstream", "upstream setting <svc>.<field>=<value>, repeatable (e.g. catalog.address=http://127.0.0.1:9102)")
	return fs, fl
}

// FlagUsage returns the usage text of the flags Load accepts.
func FlagUsage(spec Spec) string {
	fs, _ := newFlagSet(spec)
	var b strings.Builder
	fs.SetOutput(&b)
	fs.PrintDefaults()
	return b.String()
}

func (c *Config) applyFlags(fl *flagValues, set map[string]bool) error {
	if set["addr"] {
		c.Addr = fl.addr
	}
	if set["admin-addr"] {
		c.AdminAddr = fl.adminAddr
	}
	if set["dev"] {
		c.Dev = fl.dev
	}
	if set["trusted-proxies"] {
		c.TrustedProxies = splitList(fl.trustedProxies)
	}
	if set["log-level"] {
		c.Log.Level = fl.logLevel
	}
	if set["log-format"] {
		c.Log.Format = fl.logFormat
	}
	for _, s := range fl.upstreams {
		key, value, ok := strings.Cut(s, "=")
		svc, field, ok2 := strings.Cut(key, ".")
		if !ok || !ok2 || svc == "" {
			return fmt.Errorf("config: -upstream %q: expected <svc>.<field>=<value>", s)
		}
		if err := c.setUpstream(svc, field, value); err != nil {
			return fmt.Errorf("config: -upstream: %w", err)
		}
	}
	return nil
}

// Validate checks the values that have no safe fallback.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.Addr) == "" {
		errs = append(errs, errors.New("addr is empty"))
	}
	if c.AdminAddr != "" && c.AdminAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0") {
		errs = append(errs, fmt.Errorf("adminAddr %q is the public addr: /metrics and /debug/pprof/ must not share the public port", c.AdminAddr))
	}
	switch strings.ToLower(c.Log.Level) {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log.level %q: use debug, info, warn or error", c.Log.Level))
	}
	switch strings.ToLower(c.Log.Format) {
	case "json", "text":
	default:
		errs = append(errs, fmt.Errorf("log.format %q: use json or text", c.Log.Format))
	}
	if err := c.Telemetry.Tracing.Validate(); err != nil {
		errs = append(errs, err)
	}
	for _, p := range c.TrustedProxies {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, aerr := netip.ParseAddr(p); aerr != nil {
				errs = append(errs, fmt.Errorf("trustedProxies: %q is not a CIDR or an address", p))
			}
		}
	}
	if d := c.Shutdown.DrainDelay; d < 0 || d > time.Minute {
		errs = append(errs, fmt.Errorf("shutdown.drainDelay %s: use 0 to 1m", d))
	}
	if g := c.Shutdown.GracePeriod; g < 0 || g > 10*time.Minute {
		errs = append(errs, fmt.Errorf("shutdown.gracePeriod %s: use 0 (the default, 10s) to 10m", g))
	}
	ids := make([]string, 0, len(c.Upstreams))
	for id := range c.Upstreams {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if err := c.Upstreams[id].Validate("upstreams." + id); err != nil {
			errs = append(errs, err)
		}
	}
	if err := c.RequestBudget.Validate(); err != nil {
		errs = append(errs, err)
	}
	if h := c.Steering.PinHeader; h != "" && !httpguts.ValidHeaderFieldName(h) {
		errs = append(errs, fmt.Errorf("steering.pinHeader %q is not a header name", h))
	}
	if c.Market.AccountTTL < 0 || c.Market.AccountTTL > time.Hour {
		errs = append(errs, fmt.Errorf("market.accountTTL %s: use 0 (read the account on every request) to 1h", c.Market.AccountTTL))
	}
	if c.Market.Accounts < 0 || c.Market.Accounts > 10_000_000 {
		errs = append(errs, fmt.Errorf("market.accounts %d: use 1 to 10000000 (0: the default, 10000)", c.Market.Accounts))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}
