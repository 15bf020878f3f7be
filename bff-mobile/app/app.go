package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"google.golang.org/grpc"

	"github.com/tandemgw/tandem/bff-mobile/graph"
	"github.com/tandemgw/tandem/bff-mobile/graph/generated"
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

// WithAuthOptions passes extra options to the token verifier (e.g. a clock
// in tests). Default none.
func WithAuthOptions(opts ...auth.Option) Option {
	return func(o *options) { o.authOpts = append(o.authOpts, opts...) }
}

// WithUpstreamOptions passes extra options to every source's upstream
// client (tracing, breaker tuning). Default none.
func WithUpstreamOptions(opts ...upstream.Option) Option {
	return func(o *options) { o.upstreamOps = append(o.upstreamOps, opts...) }
}

// App is a built bff-mobile: its HTTP server and the resources it owns
// (upstream connections, the verifier's key refresh, the rate limit store).
type App struct {
	srv     *server.Server
	closers []func() error // released in reverse order by Close
}

// New builds bff-mobile from cfg and the sources registered in reg (main
// lists them). It fails, naming the source and the fix, when a source has
// no address, is registered twice (reported by reg.Register in main), or a
// resolver needs a source that is not registered.
func New(ctx context.Context, cfg Config, reg *registry.Registry, opts ...Option) (_ *App, err error) {
	o := options{logger: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &App{}
	defer func() {
		if err != nil {
			_ = a.Close() // release whatever was built before the failure
		}
	}()

	// Sources first: misregistration is the likeliest startup mistake and
	// its message should not hide behind any other.
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
	a.closers = append(a.closers, sources.Close)
	if err := sources.Require(graph.RequiredSources...); err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}

	verifier, err := auth.New(cfg.Auth, append([]auth.Option{auth.WithLogger(o.logger)}, o.authOpts...)...)
	if err != nil {
		return nil, fmt.Errorf("%s: auth: %w", Name, err)
	}
	a.closers = append(a.closers, verifier.Close)

	store, closeStore, err := newStore(cfg.Throttle.Store, o.logger)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	a.closers = append(a.closers, closeStore)
	limiter, err := throttle.NewLimiter(cfg.Throttle.Rate, store,
		throttle.WithSubject(principalSubject), throttle.WithLogger(o.logger))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}

	schema := generated.NewExecutableSchema(generated.Config{
		Resolvers: graph.New(),
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
		// Outermost first: reject oversized bodies before anything else,
		// verify the token, rate limit by principal, then give the request
		// its own loaders and its Accept-Language.
		Middlewares: []func(http.Handler) http.Handler{
			throttle.BodyLimit(cfg.Throttle.Operation),
			verifier.Middleware,
			limiter.Middleware,
			sources.Middleware,
			graph.AcceptLanguageMiddleware,
		},
		Extensions: []graphql.HandlerExtension{
			throttle.NewOperationLimits(cfg.Throttle.Operation),
			throttle.NewCostExtension(schema.Schema(), cfg.Throttle.Cost,
				throttle.WithPointsLimiter(limiter), throttle.WithCostLogger(o.logger)),
		},
		Logger: o.logger,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Name, err)
	}
	a.srv = srv
	return a, nil
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

// Serve is Run on an existing listener (tests listen on 127.0.0.1:0).
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

// newStore builds the rate limit store named by cfg: memory (default) or
// redis.
func newStore(cfg throttle.StoreConfig, logger *slog.Logger) (throttle.Store, func() error, error) {
	switch strings.ToLower(cfg.Kind) {
	case "", "memory":
		return throttle.NewMemoryStore(), func() error { return nil }, nil
	case "redis":
		if cfg.RedisAddr == "" {
			return nil, nil, errors.New("throttle.store.redisAddr is empty: set it, or use throttle.store.kind: memory")
		}
		client := throttle.NewRedisClient(cfg.RedisAddr, cfg.Timeout)
		prefix := cfg.KeyPrefix
		if prefix == "" {
			prefix = "tandem:" + Name + ":"
		}
		ropts := []throttle.RedisOption{throttle.WithKeyPrefix(prefix), throttle.WithRedisLogger(logger)}
		if cfg.Timeout > 0 {
			ropts = append(ropts, throttle.WithRedisTimeout(cfg.Timeout))
		}
		if cfg.FailureMode != "" {
			ropts = append(ropts, throttle.WithFailureMode(cfg.FailureMode))
		}
		return throttle.NewRedisStore(client, ropts...), client.Close, nil
	default:
		return nil, nil, fmt.Errorf("throttle.store.kind %q is unknown: use memory or redis", cfg.Kind)
	}
}

// principalSubject keys rate limits by the verified subject ("" for
// anonymous callers, which are keyed by client IP).
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
