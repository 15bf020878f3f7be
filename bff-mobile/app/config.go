package app

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/upstream"
)

// Name is the binary's name, used in logs and startup errors.
const Name = "bff-mobile"

// DefaultAddr is where bff-mobile listens unless configured otherwise.
const DefaultAddr = "127.0.0.1:8081"

// Environment variables read by Load (besides TANDEM_UPSTREAMS_<ID>_ADDRESS
// for every source, see registry.EnvKey).
const (
	EnvConfig = "TANDEM_MOBILE_CONFIG" // path of the optional YAML file
	EnvAddr   = "TANDEM_MOBILE_ADDR"
	EnvDev    = "TANDEM_MOBILE_DEV"
)

// Config is bff-mobile's configuration. Load fills it from defaults, an
// optional YAML file, the environment and flags, each overriding the
// previous; Default alone works out of the box against `make mocks`.
type Config struct {
	// Addr is the listen address (default 127.0.0.1:8081).
	Addr string `yaml:"addr"`
	// Dev serves GraphiQL at "/" and enables introspection (default false).
	Dev bool `yaml:"dev"`
	// Upstreams are the backends by source id (defaults: the mocks' ports,
	// DefaultUpstreams).
	Upstreams map[string]upstream.Config `yaml:"upstreams"`
	// Auth configures token verification (default auth.DefaultConfig: the
	// mock identity provider on 127.0.0.1:9100).
	Auth auth.Config `yaml:"auth"`
	// Throttle configures operation limits, cost and rate limits (default
	// throttle.MobileDefaults).
	Throttle throttle.Config `yaml:"throttle"`
}

// DefaultUpstreams are the backends' default addresses (schema/README.md).
func DefaultUpstreams() map[string]upstream.Config {
	return map[string]upstream.Config{
		"accounts":        {Address: "http://127.0.0.1:9101"},
		"catalog":         {Address: "http://127.0.0.1:9102"},
		"orders":          {Address: "http://127.0.0.1:9103"},
		"reviews":         {Address: "http://127.0.0.1:9104"},
		"inventory":       {Address: "127.0.0.1:9201"},
		"pricing":         {Address: "127.0.0.1:9202"},
		"recommendations": {Address: "http://127.0.0.1:9105"},
	}
}

// Default returns the configuration that works out of the box with the
// mocks on their default ports.
func Default() Config {
	return Config{
		Addr:      DefaultAddr,
		Upstreams: DefaultUpstreams(),
		Auth:      auth.DefaultConfig(),
		Throttle:  throttle.MobileDefaults(),
	}
}

// Load builds the configuration from defaults, the YAML file named by
// -config (or TANDEM_MOBILE_CONFIG), the environment, then the flags in args
// (without the program name). getenv is os.Getenv in production.
func Load(args []string, getenv func(string) string) (Config, error) {
	cfg := Default()
	fs := flag.NewFlagSet(Name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	configPath := fs.String("config", getenv(EnvConfig), "optional YAML config file (env "+EnvConfig+")")
	addr := fs.String("addr", "", "listen address (default "+DefaultAddr+", env "+EnvAddr+")")
	dev := fs.Bool("dev", false, "dev mode: GraphiQL at / and introspection (env "+EnvDev+")")
	ids := make([]string, 0, len(cfg.Upstreams))
	for id := range cfg.Upstreams {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	upstreamFlags := map[string]*string{}
	for _, id := range ids {
		upstreamFlags[id] = fs.String("upstream-"+id, "", "address of "+id+" (env "+registry.EnvKey(id)+")")
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, fmt.Errorf("config: %w", err)
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("config: unexpected argument %q", fs.Arg(0))
	}

	if *configPath != "" {
		if err := cfg.mergeFile(*configPath); err != nil {
			return Config{}, err
		}
	}

	if v := getenv(EnvAddr); v != "" {
		cfg.Addr = v
	}
	if v := getenv(EnvDev); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Config{}, fmt.Errorf("config: %s=%q is not a boolean", EnvDev, v)
		}
		cfg.Dev = b
	}
	for id, u := range cfg.Upstreams {
		if v := getenv(registry.EnvKey(id)); v != "" {
			u.Address = v
			cfg.Upstreams[id] = u
		}
	}

	fs.Visit(func(f *flag.Flag) {
		switch f.Name {
		case "addr":
			cfg.Addr = *addr
		case "dev":
			cfg.Dev = *dev
		default:
			if id, ok := strings.CutPrefix(f.Name, "upstream-"); ok {
				u := cfg.Upstreams[id]
				u.Address = *upstreamFlags[id]
				cfg.Upstreams[id] = u
			}
		}
	})
	return cfg, cfg.Validate()
}

// mergeFile overlays the YAML file at path on c. Keys absent from the file
// keep their value; upstream entries merge field by field, so a file may set
// only the timeout of one backend. Unknown keys are an error.
func (c *Config) mergeFile(path string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("config: read %s: %w", path, err)
	}
	var file struct {
		Addr      *string              `yaml:"addr"`
		Dev       *bool                `yaml:"dev"`
		Upstreams map[string]yaml.Node `yaml:"upstreams"`
		Auth      yaml.Node            `yaml:"auth"`
		Throttle  yaml.Node            `yaml:"throttle"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&file); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config: %s: %w", path, err)
	}
	if file.Addr != nil {
		c.Addr = *file.Addr
	}
	if file.Dev != nil {
		c.Dev = *file.Dev
	}
	if !file.Auth.IsZero() {
		if err := file.Auth.Decode(&c.Auth); err != nil {
			return fmt.Errorf("config: %s: auth: %w", path, err)
		}
	}
	if !file.Throttle.IsZero() {
		if err := file.Throttle.Decode(&c.Throttle); err != nil {
			return fmt.Errorf("config: %s: throttle: %w", path, err)
		}
	}
	for id, node := range file.Upstreams {
		u := c.Upstreams[id]
		if err := node.Decode(&u); err != nil {
			return fmt.Errorf("config: %s: upstreams.%s: %w", path, id, err)
		}
		c.Upstreams[id] = u
	}
	return nil
}

// Validate reports settings that cannot work, naming the key to fix.
// Missing upstream addresses are reported by the registry when the sources
// are built, naming the source.
func (c Config) Validate() error {
	if c.Addr == "" {
		return errors.New("config: addr is empty: set addr in the config file, " + EnvAddr + " or -addr")
	}
	for id, u := range c.Upstreams {
		if u.Timeout < 0 || u.MaxBatch < 0 {
			return fmt.Errorf("config: upstreams.%s has a negative timeout or maxBatch", id)
		}
		if u.Timeout > time.Minute {
			return fmt.Errorf("config: upstreams.%s.timeout %s is longer than a minute", id, u.Timeout)
		}
	}
	if _, err := c.Auth.Normalize(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := c.Throttle.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}
