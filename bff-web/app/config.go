package app

import (
	"fmt"

	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/config"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/upstream"
)

// Name is the binary's name, used in logs and startup errors.
const Name = "bff-web"

// DefaultAddr is where bff-web listens unless configured otherwise.
const DefaultAddr = "127.0.0.1:8080"

// Spec tells shared/config how bff-web's keys are named: environment
// variables start with TANDEM_WEB_ (TANDEM_WEB_ADDR, TANDEM_WEB_DEV,
// TANDEM_WEB_CONFIG, ...); upstream settings also accept the shared
// TANDEM_UPSTREAMS_<SVC>_<FIELD>. See the shared/config package comment for
// the full table.
var Spec = config.Spec{Name: Name, EnvPrefix: "TANDEM_WEB", DefaultAddr: DefaultAddr}

// Config is bff-web's configuration. Load fills it from defaults, an
// optional YAML file, the environment and flags, each overriding the
// previous; Default alone works out of the box against `make mocks`.
type Config struct {
	// Addr is the listen address (default 127.0.0.1:8080).
	Addr string
	// Dev serves GraphiQL at "/" and enables introspection (default false).
	Dev bool
	// Log is the log level and format (default info, json).
	Log config.Log
	// Upstreams are the backends by source id (default: the mocks' ports,
	// config.DefaultUpstreams).
	Upstreams map[string]upstream.Config
	// Auth configures token verification (default auth.DefaultConfig: the
	// mock identity provider on 127.0.0.1:9100, audience "tandem").
	Auth auth.Config
	// Throttle configures operation limits, cost and rate limits (default
	// throttle.WebDefaults).
	Throttle throttle.Config
}

// Default returns the configuration that works out of the box with the
// mocks on their default ports.
func Default() Config {
	return fromBase(config.Defaults(Spec))
}

func fromBase(b config.Config) Config {
	return Config{
		Addr:      b.Addr,
		Dev:       b.Dev,
		Log:       b.Log,
		Upstreams: b.Upstreams,
		Auth:      auth.DefaultConfig(),
		Throttle:  throttle.WebDefaults(),
	}
}

// Load builds the configuration from defaults, the YAML file named by
// -config (or TANDEM_WEB_CONFIG), environ (os.Environ() form) and args
// (without the program name). The file's auth section replaces the default
// issuers; its throttle section overrides the web defaults key by key.
func Load(args, environ []string) (Config, error) {
	base, err := config.Load(Spec, args, environ)
	if err != nil {
		return Config{}, err
	}
	cfg := fromBase(base)
	if !base.Auth.IsZero() {
		var a auth.Config
		if err := base.Auth.Decode(&a); err != nil {
			return Config{}, fmt.Errorf("config: auth: %w", err)
		}
		cfg.Auth = a
	}
	if err := base.Throttle.Decode(&cfg.Throttle); err != nil {
		return Config{}, fmt.Errorf("config: throttle: %w", err)
	}
	return cfg, cfg.Validate()
}

// Validate reports settings that cannot work, naming the key to fix.
// Missing upstream addresses are reported by the registry when the app is
// built, naming the source.
func (c Config) Validate() error {
	if _, err := c.Auth.Normalize(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	if err := c.Throttle.Validate(); err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}
