package gateway

import (
	"context"
	"net/http"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tandemgw/tandem/shared/config"
	"github.com/tandemgw/tandem/shared/persisted"
	"github.com/tandemgw/tandem/shared/prefetch"
	"github.com/tandemgw/tandem/shared/throttle"
)

// Directives are the runtime implementations of the shared schema
// directives (schema/graphql/common), in the shape of the fields of a gqlgen
// generated DirectiveRoot. New hands them to Spec.NewSchema.
type Directives struct {
	// Authenticated implements @authenticated (auth.Authenticated).
	Authenticated func(ctx context.Context, obj any, next graphql.Resolver) (any, error)
	// RequiresScopes implements @requiresScopes (auth.RequiresScopes).
	RequiresScopes func(ctx context.Context, obj any, next graphql.Resolver, scopes [][]string) (any, error)
}

// Spec is what one BFF brings to the gateway.
type Spec struct {
	// Name is the binary's name ("bff-web"), used in logs, startup errors,
	// metrics and the default rate limit key prefix.
	Name string
	// EnvPrefix prefixes the BFF's environment variables ("TANDEM_WEB").
	EnvPrefix string
	// DefaultAddr is the listen address unless configured ("127.0.0.1:8080").
	DefaultAddr string
	// DefaultAdminAddr is the admin listener's address unless configured
	// ("127.0.0.1:8090"): /metrics and /debug/pprof/. "" means none.
	DefaultAdminAddr string
	// Description is one line on what the binary serves, printed by -h.
	Description string
	// ThrottleDefaults returns the BFF's operation limits, cost and rate
	// limits before the configuration file overrides them
	// (throttle.WebDefaults or throttle.MobileDefaults).
	ThrottleDefaults func() throttle.Config
	// RequiredSources are the source ids the resolvers read; New refuses to
	// start, naming the fix, when one is not registered.
	RequiredSources []string
	// NewSchema builds the BFF's executable schema with d wired into its
	// generated DirectiveRoot.
	NewSchema func(d Directives) graphql.ExecutableSchema
	// Prefetch returns the BFF's batching plan (shared/prefetch): how each
	// level of a response is loaded in one call per backend before its
	// per-item resolvers run. Optional; without it every field is batched
	// by the loaders' time window only.
	Prefetch func() *prefetch.Plan
	// Middlewares returns the middlewares that run innermost, after the
	// request has its principal, has passed the rate limits and has its
	// per-request loaders (the display locale, for example), outermost
	// first. It is called once per App, with the App's configuration, so
	// what a middleware remembers across requests belongs to one App.
	Middlewares func(cfg Config) []func(http.Handler) http.Handler
	// TrustedDocuments are the BFF's built-in safelist: the manifests of
	// its clients' published operations, compiled into the binary, and the
	// mode for operations in no manifest outside dev mode (default
	// persisted.ModeLog; dev mode never enforces unless configured).
	TrustedDocuments TrustedDocuments
	// Vary lists request headers, besides Accept and Authorization, that
	// change the BFF's answers (Accept-Language when it formats prices
	// for it); they go into Vary on every /graphql answer.
	Vary []string
}

// TrustedDocuments are a BFF's built-in trusted documents settings.
type TrustedDocuments struct {
	// Mode applies outside dev mode unless edge.trustedDocuments.mode is
	// configured.
	Mode persisted.Mode
	// Manifests are loaded before the configured manifest files.
	Manifests []ManifestFile
}

// ManifestFile is a manifest's content and the name it is known by in
// startup messages.
type ManifestFile struct {
	Name string
	Data []byte
}

// ConfigSpec tells shared/config how the BFF's keys are named.
func (s Spec) ConfigSpec() config.Spec {
	return config.Spec{Name: s.Name, EnvPrefix: s.EnvPrefix, DefaultAddr: s.DefaultAddr, DefaultAdminAddr: s.DefaultAdminAddr}
}

func (s Spec) throttleDefaults() throttle.Config {
	if s.ThrottleDefaults == nil {
		return throttle.Config{}
	}
	return s.ThrottleDefaults()
}
