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

	"github.com/tandemgw/tandem/shared/telemetry"
	"github.com/tandemgw/tandem/shared/upstream"
)

// Spec describes the BFF whose configuration is loaded.
type Spec struct {
	Name        string // "bff-web"
	EnvPrefix   string // "TANDEM_WEB"
	DefaultAddr string // "127.0.0.1:8080"
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn, error; default info
	Format string `yaml:"format"` // json or text; default json
}

// Telemetry is the telemetry section: tracing for now (logs have their
// own section, metrics need no settings).
type Telemetry struct {
	Tracing telemetry.TracingConfig `yaml:"tracing"`
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
// owns it to decode (auth, throttle).
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
	Name string `yaml:"-"`
	Addr string `yaml:"addr"`
	Dev  bool   `yaml:"dev"`
	// TrustedProxies are the CIDRs (or addresses) of the proxies and load
	// balancers in front of the BFF, whose X-Forwarded-For is believed when
	// finding a client's address (anonymous rate limits are keyed by it).
	// Empty (the default): the TCP peer's address, X-Forwarded-For ignored.
	TrustedProxies []string                   `yaml:"trustedProxies"`
	Log            Log                        `yaml:"log"`
	Upstreams      map[string]upstream.Config `yaml:"upstreams"`
	Auth           Section                    `yaml:"auth"`
	Throttle       Section                    `yaml:"throttle"`
	Telemetry      Telemetry                  `yaml:"telemetry"`
	Shutdown       Shutdown                   `yaml:"shutdown"`
}

// Defaults returns the built-in configuration of spec. It lists no
// upstreams: a source's default address comes from its registration
// (registry.Source.DefaultAddress), so a new backend needs no entry here,
// and any source id may be configured.
func Defaults(spec Spec) Config {
	return Config{
		Name:      spec.Name,
		Addr:      spec.DefaultAddr,
		Log:       Log{Level: "info", Format: "json"},
		Upstreams: map[string]upstream.Config{},
		Telemetry: Telemetry{Tracing: telemetry.DefaultTracingConfig()},
		Shutdown:  Shutdown{DrainDelay: DefaultDrainDelay, GracePeriod: DefaultGracePeriod},
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
		Dev            *bool              `yaml:"dev"`
		TrustedProxies *[]string          `yaml:"trustedProxies"`
		Log            *Section           `yaml:"log"`
		Upstreams      map[string]Section `yaml:"upstreams"`
		Auth           Section            `yaml:"auth"`
		Throttle       Section            `yaml:"throttle"`
		Telemetry      *Section           `yaml:"telemetry"`
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
	"ADDRESS":       "address",
	"TIMEOUT":       "timeout",
	"RETRIES":       "retries",
	"MAX_BATCH":     "maxBatch",
	"FORWARD_TOKEN": "forwardToken",
	"BATCH_WAIT":    "batchWait",
}

func (c *Config) applyEnv(spec Spec, env map[string]string) error {
	p := spec.EnvPrefix + "_"
	if v, ok := env[p+"ADDR"]; ok {
		c.Addr = v
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
				return fmt.Errorf("config: %s: expected %s<SERVICE>_<ADDRESS|TIMEOUT|RETRIES|MAX_BATCH|FORWARD_TOKEN|BATCH_WAIT>", k, prefix)
			}
			if err := c.setUpstream(svc, field, env[k]); err != nil {
				return fmt.Errorf("config: %s: %w", k, err)
			}
		}
	}
	return nil
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
	default:
		return fmt.Errorf("unknown upstream field %q (use address, timeout, retries, maxBatch, forwardToken, batchWait)", field)
	}
	if err != nil {
		return fmt.Errorf("upstreams.%s.%s: %w", svc, field, err)
	}
	c.Upstreams[svc] = u
	return nil
}

type flagValues struct {
	config, addr, logLevel, logFormat string
	trustedProxies                    string
	dev                               bool
	upstreams                         upstreamFlags
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
		u := c.Upstreams[id]
		if u.Timeout < 0 || u.BatchWait < 0 || u.MaxBatch < 0 || u.Retries < -1 {
			errs = append(errs, fmt.Errorf("upstreams.%s: timeout, batchWait and maxBatch must not be negative, retries at least -1", id))
		}
		if u.Timeout > time.Minute {
			errs = append(errs, fmt.Errorf("upstreams.%s.timeout %s is longer than a minute (it is per attempt)", id, u.Timeout))
		}
		if u.MaxBatch > 500 {
			errs = append(errs, fmt.Errorf("upstreams.%s.maxBatch %d: the services accept at most 500 ids per batch", id, u.MaxBatch))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}
