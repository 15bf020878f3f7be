package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"google.golang.org/grpc"

	"github.com/tandemgw/tandem/bff-web/graph"
	"github.com/tandemgw/tandem/bff-web/graph/generated"
	"github.com/tandemgw/tandem/bff-web/graph/locale"
	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/server"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/upstream"
)

// Option configures New.
type Option func(*options)

type options struct {
	logger      *slog.Logger
	authOpts    []auth.Option
	upstreamOps []upstream.Option
}

// WithLogger sets the logger of the server, the sources, authentication and
// throttling. Default slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithAuthOptions passes extra options to the token verifier (a clock or an
// HTTP client in tests). Default none.
func WithAuthOptions(opts ...auth.Option) Option {
	return func(o *options) { o.authOpts = append(o.authOpts, opts...) }
}

// WithUpstreamOptions passes extra options to every source's upstream client
// (tracing, breaker tuning). Default none.
func WithUpstreamOptions(opts ...upstream.Option) Option {
	return func(o *options) { o.upstreamOps = append(o.upstreamOps, opts...) }
}

// App is a built bff-web: its HTTP server and the resources it owns
// (upstream connections, the verifier's key refresh, the rate limit store).
type App struct {
	srv     *server.Server
	closers []func() error // released in reverse order by Close
}

// New builds bff-web from cfg and the sources registered in reg (main lists
// them). It fails with a message naming the source and the fix when a
// source has no address or a resolver needs a source that reg lacks; a
// duplicate registration is already reported by reg.Register in main.
func New(ctx context.Context, cfg Config, reg *registry.Registry, opts ...Option) (a *App, err error) {
	o := options{logger: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	built := &App{}
	defer func() {
		// On any failure, release what was built so far (connections, the
		// key refresh); the named result a is already nil by then.
		if err != nil {
			_ = built.Close()
		}
	}()

	// Sources first: a registration mistake is the likeliest startup error
	// and its message should not hide behind another one.
	sources, err := reg.Build(ctx, cfg.Upstreams, registry.Deps{
		HeaderFunc:        auth.PropagateHeaders,
		TokenFunc:         principalToken,
		UnaryInterceptors: []grpc.UnaryClientInterceptor{auth.UnaryClientInterceptor()},
		Logger:            o.logger,
		Options:           o.upstreamOps,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	built.closers = append(built.closers, sources.Close)
	if err := sources.Require(graph.RequiredSources...); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}

	verifier, err := auth.New(cfg.Auth, append([]auth.Option{auth.WithLogger(o.logger)}, o.authOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	built.closers = append(built.closers, verifier.Close)

	store, closeStore, err := throttle.OpenStore(withKeyPrefix(cfg.Throttle.Store), o.logger)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	built.closers = append(built.closers, closeStore)
	limiter, err := throttle.NewLimiter(cfg.Throttle.Rate, store,
		throttle.WithSubject(principalSubject), throttle.WithLogger(o.logger))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}

	schema := generated.NewExecutableSchema(generated.Config{
		Resolvers: graph.New(graph.DefaultMaxPageSize),
		Directives: generated.DirectiveRoot{
			Authenticated:  auth.Authenticated,
			RequiresScopes: auth.RequiresScopes,
		},
	})
	srv, err := server.New(server.Options{
		Name:   Name,
		Addr:   cfg.Addr,
		Schema: schema,
		Dev:    cfg.Dev,
		// Outermost first: refuse oversized bodies before anything else,
		// verify the token, rate limit by principal, then give the request
		// its own loaders and its display locale.
		Middlewares: []func(http.Handler) http.Handler{
			throttle.BodyLimit(cfg.Throttle.Operation),
			verifier.Middleware,
			limiter.Middleware,
			sources.Middleware,
			locale.Middleware,
		},
		Extensions: []graphql.HandlerExtension{
			throttle.NewOperationLimits(cfg.Throttle.Operation),
			throttle.NewCostExtension(schema.Schema(), cfg.Throttle.Cost,
				throttle.WithPointsLimiter(limiter), throttle.WithCostLogger(o.logger)),
		},
		Ready:  verifier.Ready,
		Logger: o.logger,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	built.srv = srv
	return built, nil
}

// Handler is the whole HTTP surface: /graphql, /healthz, /readyz, /metrics
// and, in dev mode, GraphiQL at /.
func (a *App) Handler() http.Handler { return a.srv.Handler() }

// Run serves on the configured address until ctx ends, then shuts down
// gracefully and releases the app's resources.
func (a *App) Run(ctx context.Context) error {
	err := a.srv.Run(ctx)
	return errors.Join(err, a.Close())
}

// Serve is Run on an existing listener.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	err := a.srv.Serve(ctx, ln)
	return errors.Join(err, a.Close())
}

// Close releases the app's resources; it is safe to call more than once.
func (a *App) Close() error {
	var errs []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		errs = append(errs, a.closers[i]())
	}
	a.closers = nil
	return errors.Join(errs...)
}

// withKeyPrefix keeps bff-web's Redis rate limit keys apart from other
// BFFs' unless the configuration names a prefix.
func withKeyPrefix(s throttle.StoreConfig) throttle.StoreConfig {
	if s.KeyPrefix == "" {
		s.KeyPrefix = "tandem:" + Name + ":"
	}
	return s
}

// principalSubject keys rate limits by the verified subject ("" for
// anonymous callers, which the limiter keys by client IP).
func principalSubject(ctx context.Context) string {
	if p, ok := auth.FromContext(ctx); ok && p != nil {
		return p.Subject
	}
	return ""
}

// principalToken gives sources configured with forwardToken the caller's
// verified bearer token.
func principalToken(ctx context.Context) (string, bool) {
	if p, ok := auth.FromContext(ctx); ok && p != nil && p.Token != "" {
		return p.Token, true
	}
	return "", false
}
