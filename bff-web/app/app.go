package app

import (
	"context"
	"net/http"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tandemgw/tandem/bff-web/graph"
	"github.com/tandemgw/tandem/bff-web/graph/generated"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/market"
	"github.com/tandemgw/tandem/shared/persisted"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/throttle"
)

// Name is the binary's name, used in logs and startup errors.
const Name = "bff-web"

// DefaultAddr is where bff-web listens unless configured otherwise.
const DefaultAddr = "127.0.0.1:8080"

// DefaultAdminAddr is where bff-web serves /metrics and /debug/pprof/ unless
// configured otherwise: loopback, never the public port.
const DefaultAdminAddr = "127.0.0.1:8090"

// Spec is what bff-web brings to the gateway: environment variables start
// with TANDEM_WEB_ (TANDEM_WEB_ADDR, TANDEM_WEB_DEV, TANDEM_WEB_CONFIG, ...;
// upstream settings also accept the shared TANDEM_UPSTREAMS_<SVC>_<FIELD>,
// see shared/config), the web throttle defaults, the web schema and its
// display locale middleware, and trusted documents in log mode.
var Spec = gateway.Spec{
	Name:             Name,
	EnvPrefix:        "TANDEM_WEB",
	DefaultAddr:      DefaultAddr,
	DefaultAdminAddr: DefaultAdminAddr,
	Description:      "bff-web serves the web shop's GraphQL API: /graphql, /healthz, /readyz, GraphiQL at / with -dev; /metrics and /debug/pprof/ on the admin address (8090 by default).",
	ThrottleDefaults: throttle.WebDefaults,
	RequiredSources:  graph.RequiredSources,
	NewSchema: func(d gateway.Directives) graphql.ExecutableSchema {
		return generated.NewExecutableSchema(generated.Config{
			Resolvers: graph.New(),
			Directives: generated.DirectiveRoot{
				Authenticated:  d.Authenticated,
				RequiresScopes: d.RequiresScopes,
			},
		})
	},
	// Each level of a response is loaded in one call per backend.
	Prefetch: graph.Plan,
	// Prices are loaded and formatted in the request's market.
	Middlewares: func(cfg Config) []func(http.Handler) http.Handler {
		return []func(http.Handler) http.Handler{market.New(market.Options{AccountTTL: cfg.Market.AccountTTL, Accounts: cfg.Market.Accounts}).Middleware}
	},
	Vary: []string{"Accept-Language"},
	// The web shop's pages change daily and have no published manifest
	// yet: operations outside one run and are counted and logged, the step
	// before enforcing a safelist.
	TrustedDocuments: gateway.TrustedDocuments{Mode: persisted.ModeLog},
}

// Config is bff-web's configuration (see gateway.Config; throttle defaults
// throttle.WebDefaults, listen address 127.0.0.1:8080).
type Config = gateway.Config

// Default returns the configuration that works out of the box with the
// mocks on their default ports.
func Default() Config { return gateway.Default(Spec) }

// Load builds the configuration from defaults, the YAML file named by
// -config (or TANDEM_WEB_CONFIG), environ (os.Environ() form) and args
// (without the program name); see gateway.Load.
func Load(args, environ []string) (Config, error) { return gateway.Load(Spec, args, environ) }

// App is a built bff-web.
type App = gateway.App

// New builds bff-web from cfg and the sources registered in reg (main lists
// them); see gateway.New for the startup checks and the options.
func New(ctx context.Context, cfg Config, reg *registry.Registry, opts ...gateway.Option) (*App, error) {
	return gateway.New(ctx, Spec, cfg, reg, opts...)
}
