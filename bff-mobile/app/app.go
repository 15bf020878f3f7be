package app

import (
	"context"
	"net/http"

	"github.com/tandemgw/tandem/shared/market"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tandemgw/tandem/bff-mobile/graph"
	"github.com/tandemgw/tandem/bff-mobile/graph/generated"
	"github.com/tandemgw/tandem/bff-mobile/operations"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/persisted"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/throttle"
)

// Name is the binary's name, used in logs and startup errors.
const Name = "bff-mobile"

// DefaultAddr is where bff-mobile listens unless configured otherwise.
const DefaultAddr = "127.0.0.1:8081"

// DefaultAdminAddr is where bff-mobile serves /metrics and /debug/pprof/ unless
// configured otherwise: loopback, never the public port.
const DefaultAdminAddr = "127.0.0.1:8091"

// Spec is what bff-mobile brings to the gateway: environment variables
// start with TANDEM_MOBILE_ (TANDEM_MOBILE_ADDR, TANDEM_MOBILE_DEV,
// TANDEM_MOBILE_CONFIG, ...; upstream settings also accept the shared
// TANDEM_UPSTREAMS_<SVC>_<FIELD>, see shared/config), the mobile throttle
// defaults, the mobile schema and its Accept-Language middleware, and the
// app's published operations as its built-in trusted documents, enforced
// outside dev mode.
var Spec = gateway.Spec{
	Name:             Name,
	EnvPrefix:        "TANDEM_MOBILE",
	DefaultAddr:      DefaultAddr,
	DefaultAdminAddr: DefaultAdminAddr,
	Description:      "bff-mobile serves the mobile app's GraphQL API: /graphql, /healthz, /readyz, GraphiQL at / with -dev; /metrics and /debug/pprof/ on the admin address (8091 by default).",
	ThrottleDefaults: throttle.MobileDefaults,
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
	// Prices are formatted in the request's market (the viewer's account
	// locale, remembered for market.accountTTL, or Accept-Language).
	Middlewares: func(cfg Config) []func(http.Handler) http.Handler {
		return []func(http.Handler) http.Handler{market.New(market.Options{AccountTTL: cfg.Market.AccountTTL, Accounts: cfg.Market.Accounts}).Middleware}
	},
	Vary: []string{"Accept-Language"},
	// The app's operations are known: anything else is refused outside
	// dev mode.
	TrustedDocuments: gateway.TrustedDocuments{
		Mode:      persisted.ModeEnforce,
		Manifests: []gateway.ManifestFile{{Name: operations.ManifestName, Data: operations.Manifest}},
	},
}

// Config is bff-mobile's configuration (see gateway.Config; throttle
// defaults throttle.MobileDefaults, listen address 127.0.0.1:8081).
type Config = gateway.Config

// Default returns the configuration that works out of the box with the
// mocks on their default ports.
func Default() Config { return gateway.Default(Spec) }

// Load builds the configuration from defaults, the YAML file named by
// -config (or TANDEM_MOBILE_CONFIG), environ (os.Environ() form) and args
// (without the program name); see gateway.Load.
func Load(args, environ []string) (Config, error) { return gateway.Load(Spec, args, environ) }

// App is a built bff-mobile.
type App = gateway.App

// New builds bff-mobile from cfg and the sources registered in reg (main
// lists them); see gateway.New for the startup checks and the options.
func New(ctx context.Context, cfg Config, reg *registry.Registry, opts ...gateway.Option) (*App, error) {
	return gateway.New(ctx, Spec, cfg, reg, opts...)
}
