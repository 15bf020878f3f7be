package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"

	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/execution"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/server"
	"github.com/tandemgw/tandem/shared/telemetry"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/upstream"
)

// Option configures New.
type Option func(*options)

type options struct {
	logger      *slog.Logger
	authOpts    []auth.Option
	upstreamOps []upstream.Option
	tracer      trace.TracerProvider
	propagator  propagation.TextMapPropagator
	metrics     *telemetry.Metrics
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
// (tracing, breaker tuning, test transports). Default none.
func WithUpstreamOptions(opts ...upstream.Option) Option {
	return func(o *options) { o.upstreamOps = append(o.upstreamOps, opts...) }
}

// WithTracerProvider sets where the BFF's spans go: the server span of
// each /graphql request and the client span of each upstream call. Default:
// the global provider (otel.GetTracerProvider), a no-op unless tracing is
// set up (Main installs the one telemetry.tracing configures).
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tracer = tp }
}

// WithPropagator sets how trace context is read from clients and sent to
// the upstreams. Default: clients' W3C TraceContext is read (their baggage
// is not: the edge does not pass untrusted baggage inward), and the global
// propagator (Main installs W3C TraceContext and Baggage) sends it on.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(o *options) { o.propagator = p }
}

// WithMetrics sets the meter provider and instruments the BFF records on
// (Main passes one with an OTLP reader when telemetry.metrics.otlp is on).
// Default: a fresh telemetry.NewMetrics(Spec.Name), shut down by Close.
func WithMetrics(m *telemetry.Metrics) Option {
	return func(o *options) { o.metrics = m }
}

// App is a built BFF: its HTTP server and the resources it owns (upstream
// connections, the verifier's key refresh, the rate limit store).
type App struct {
	srv     *server.Server
	closers []func() error // released in reverse order by Close
}

// New builds the BFF of spec from cfg and the sources registered in reg
// (its main lists them).
//
// Outside dev mode it refuses to start, with one message listing every
// missing setting, unless every registered source has an address and a
// token issuer is configured; in dev mode what is missing takes the local
// mocks' defaults (ApplyProfile). It fails with a message naming the
// source and the fix when a resolver needs a source that reg lacks; a
// duplicate registration is already reported by reg.Register. On failure
// everything built so far is released. It logs the mode and the rule that
// finds a client's address.
func New(ctx context.Context, spec Spec, cfg Config, reg *registry.Registry, opts ...Option) (a *App, err error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	o := options{logger: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	wrap := func(err error) error { return fmt.Errorf("%s: %w", spec.Name, err) }
	cfg, err = ApplyProfile(cfg, reg)
	if err != nil {
		return nil, wrap(err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, wrap(err)
	}
	cfg.Throttle.Rate.TrustedProxies = cfg.TrustedProxies
	logStartup(o.logger, cfg)
	built := &App{}
	defer func() {
		// On any failure, release what was built so far (connections, the
		// key refresh); the named result a is nil by then.
		if err != nil {
			_ = built.Close()
		}
	}()

	metrics := o.metrics
	if metrics == nil {
		if metrics, err = telemetry.NewMetrics(spec.Name); err != nil {
			return nil, wrap(err)
		}
		built.closers = append(built.closers, func() error { return metrics.Shutdown(context.Background()) })
	}

	// Sources first: a registration mistake is the likeliest startup error
	// and its message should not hide behind another one.
	sources, err := reg.Build(ctx, cfg.Upstreams, registry.Deps{
		HeaderFunc:        auth.PropagateHeaders,
		TokenFunc:         principalToken,
		UnaryInterceptors: []grpc.UnaryClientInterceptor{auth.UnaryClientInterceptor()},
		Logger:            o.logger,
		TracerProvider:    o.tracer,
		Propagator:        o.propagator,
		// Every call and breaker is reported to the metrics (and to the
		// access log's count of calls); options given to New come after.
		Options: append([]upstream.Option{
			upstream.WithCallObserver(metrics), upstream.WithMeterProvider(metrics.MeterProvider()),
		}, o.upstreamOps...),
	})
	if err != nil {
		return nil, wrap(err)
	}
	built.closers = append(built.closers, sources.Close)
	if err := sources.Require(spec.RequiredSources...); err != nil {
		return nil, wrap(err)
	}
	warnUnknownUpstreams(o.logger, cfg.Upstreams, sources.IDs())

	verifier, err := auth.New(cfg.Auth, append([]auth.Option{auth.WithLogger(o.logger)}, o.authOpts...)...)
	if err != nil {
		return nil, wrap(err)
	}
	built.closers = append(built.closers, verifier.Close)

	store, closeStore, err := throttle.OpenStore(withKeyPrefix(spec.Name, cfg.Throttle.Store), o.logger)
	if err != nil {
		return nil, wrap(err)
	}
	built.closers = append(built.closers, closeStore)
	limiter, err := throttle.NewLimiter(cfg.Throttle.Rate, store,
		throttle.WithSubject(principalSubject), throttle.WithLogger(o.logger),
		throttle.WithDecisionObserver(metrics.RateLimitDecision))
	if err != nil {
		return nil, wrap(err)
	}

	var admission *throttle.Admission
	if !cfg.Throttle.Admission.Disabled {
		admission = throttle.NewAdmission(cfg.Throttle.Admission)
		if err := observeAdmission(metrics.Meter("github.com/tandemgw/tandem/shared/throttle"), admission); err != nil {
			return nil, wrap(err)
		}
		// The limit adapts until the app closes.
		adaptCtx, stopAdapting := context.WithCancel(context.Background())
		go admission.Run(adaptCtx)
		built.closers = append(built.closers, func() error { stopAdapting(); return nil })
	}

	schema := spec.NewSchema(Directives{
		Authenticated:  auth.Authenticated,
		RequiresScopes: auth.RequiresScopes,
	})
	if schema == nil {
		return nil, wrap(errors.New("gateway: Spec.NewSchema returned no schema"))
	}
	edgeCfg, persistedOps, err := buildEdge(spec, cfg, schema, store,
		metrics.Meter("github.com/tandemgw/tandem/shared/persisted"), o.logger)
	if err != nil {
		return nil, wrap(err)
	}
	// Outermost first: refuse oversized bodies before anything else, verify
	// the token (and note its subject for the access log, also when the
	// rate limits then refuse the request), honour a trusted caller's
	// endpoint pins, rate limit by principal, wait for admission while
	// the CPU is saturated (only requests that may run queue), give the
	// request its own loaders, then the BFF's own middlewares (which may
	// read all of those).
	middlewares := []func(http.Handler) http.Handler{
		throttle.BodyLimit(cfg.Throttle.Operation),
		verifier.Middleware,
		recordSubject,
		pinMiddleware(cfg.Steering, cfg.Dev, o.logger),
		limiter.Middleware,
	}
	if admission != nil {
		middlewares = append(middlewares, admission.Middleware)
	}
	middlewares = append(middlewares, sources.Middleware)
	if spec.Middlewares != nil {
		middlewares = append(middlewares, spec.Middlewares(cfg)...)
	}
	srv, err := server.New(server.Options{
		Name:          spec.Name,
		Addr:          cfg.Addr,
		AdminAddr:     cfg.AdminAddr,
		Metrics:       metrics,
		ClientAddress: limiter.ClientIP,
		Schema:        schema,
		Dev:           cfg.Dev,
		Middlewares:   middlewares,
		Extensions: []graphql.HandlerExtension{
			// In dev mode GraphiQL's schema query (depth 15, 227 fields,
			// thousands of cost points) must get through both: operations
			// of introspection only are held to the introspection limits
			// and not costed. Outside dev the server refuses
			// introspection, so nothing is exempt.
			throttle.NewOperationLimits(cfg.Throttle.Operation, throttle.ExemptIntrospection(cfg.Dev)),
			throttle.NewCostExtension(schema.Schema(), cfg.Throttle.Cost,
				throttle.WithPointsLimiter(limiter), throttle.WithCostLogger(o.logger),
				throttle.WithIntrospectionExempt(cfg.Dev)),
		},
		FieldObservers:  fieldObservers(spec),
		Ready:           verifier.Ready,
		RequestBudget:   cfg.RequestBudget,
		Logger:          o.logger,
		TracerProvider:  o.tracer,
		Propagator:      o.propagator,
		Edge:            edgeCfg,
		Vary:            spec.Vary,
		Persisted:       persistedOps,
		DrainDelay:      cfg.Shutdown.DrainDelay,
		ShutdownTimeout: cfg.Shutdown.GracePeriod,
	})
	if err != nil {
		return nil, wrap(err)
	}
	built.srv = srv
	return built, nil
}

// fieldObservers are the spec's field observers: its batching plan.
func fieldObservers(s Spec) []execution.FieldObserver {
	if s.Prefetch == nil {
		return nil
	}
	return []execution.FieldObserver{s.Prefetch()}
}

// ApplyProfile returns cfg as New runs it. In dev mode what is not
// configured takes the local mocks' defaults: each registered source
// without an address gets its registration's DefaultAddress, and with no
// token issuer the mock identity provider is trusted (auth.DefaultConfig).
// Outside dev mode nothing is filled in: the error lists every registered
// source without an address and a missing token issuer, each with the key
// that sets it, so that a misconfigured deployment fails at once instead
// of running against loopback mocks.
func ApplyProfile(cfg Config, reg *registry.Registry) (Config, error) {
	if cfg.Dev {
		cfg.Upstreams = reg.WithDefaultAddresses(cfg.Upstreams)
		if len(cfg.Auth.Issuers) == 0 {
			cfg.Auth.Issuers = auth.DefaultConfig().Issuers
		}
		return cfg, nil
	}
	var missing []string
	for _, id := range reg.MissingAddresses(cfg.Upstreams) {
		missing = append(missing, fmt.Sprintf("source %q has no address: set %s (env %s, flag -upstream %s.address=…)",
			id, registry.ConfigKey(id), registry.EnvKey(id), id))
	}
	if len(cfg.Auth.Issuers) == 0 {
		missing = append(missing, "no token issuer: list at least one under auth.issuers in the config file (issuer, audiences, jwksUrl)")
	}
	if len(missing) == 0 {
		return cfg, nil
	}
	return cfg, fmt.Errorf("refusing to start outside dev mode with settings missing (-dev uses the local mocks' defaults instead):\n  - %s",
		strings.Join(missing, "\n  - "))
}

// logStartup says which mode the BFF runs in and how it finds a client's
// address (anonymous callers' rate limits are keyed by it).
func logStartup(logger *slog.Logger, cfg Config) {
	mode := "production"
	if cfg.Dev {
		mode = "dev"
	}
	rule := "the TCP peer address; X-Forwarded-For is ignored (no trustedProxies: behind a proxy or load balancer every anonymous caller shares its address)"
	if len(cfg.TrustedProxies) > 0 {
		rule = "the rightmost X-Forwarded-For address that is not a trusted proxy, when the peer is one of trustedProxies; otherwise the TCP peer address"
	}
	logger.Info("starting", slog.String("mode", mode), slog.String("clientAddress", rule),
		slog.Any("trustedProxies", cfg.TrustedProxies),
		slog.String("drainDelay", cfg.Shutdown.DrainDelay.String()), slog.String("gracePeriod", cfg.Shutdown.GracePeriod.String()))
}

func (s Spec) validate() error {
	switch {
	case s.Name == "":
		return errors.New("gateway: Spec.Name is empty")
	case s.NewSchema == nil:
		return fmt.Errorf("gateway: %s: Spec.NewSchema is nil", s.Name)
	case s.ThrottleDefaults == nil:
		return fmt.Errorf("gateway: %s: Spec.ThrottleDefaults is nil: use throttle.WebDefaults, throttle.MobileDefaults or the BFF's own", s.Name)
	}
	return nil
}

// warnUnknownUpstreams logs configured upstreams that no registered source
// reads (a typo, or a TANDEM_UPSTREAMS_* setting meant for another BFF).
// It is not an error: the shared environment variables reach every BFF.
func warnUnknownUpstreams(logger *slog.Logger, cfgs map[string]upstream.Config, built []string) {
	known := make(map[string]bool, len(built))
	for _, id := range built {
		known[id] = true
	}
	for id := range cfgs {
		if !known[id] {
			logger.Warn("configured upstream has no registered source; its settings are unused", slog.String("upstream", id))
		}
	}
}

// Handler is the public HTTP surface: /graphql, /healthz, /readyz and, in
// dev mode, GraphiQL at /.
func (a *App) Handler() http.Handler { return a.srv.Handler() }

// Draining returns a channel closed when shutdown begins (server.Server.Draining).
func (a *App) Draining() <-chan struct{} { return a.srv.Draining() }

// ListenerClosed returns a channel closed once shutdown has closed the
// listener (server.Server.ListenerClosed).
func (a *App) ListenerClosed() <-chan struct{} { return a.srv.ListenerClosed() }

// AdminHandler is the admin listener's surface: /metrics and /debug/pprof/.
func (a *App) AdminHandler() http.Handler { return a.srv.AdminHandler() }

// Metrics returns the app's metrics.
func (a *App) Metrics() *telemetry.Metrics { return a.srv.Metrics() }

// RegisterOperationNames keeps names (the operations of a persisted
// document manifest) as values of the metrics' operation name attribute
// however many other names clients send; see telemetry.OperationNames.
func (a *App) RegisterOperationNames(names ...string) {
	a.srv.Metrics().RegisterOperationNames(names...)
}

// ServeWithAdmin is Run on existing listeners: the public one and the
// admin one.
func (a *App) ServeWithAdmin(ctx context.Context, public, admin net.Listener) error {
	err := a.srv.ServeWithAdmin(ctx, public, admin)
	return errors.Join(err, a.Close())
}

// Run serves on the configured address until ctx ends, then shuts down in
// the server's steps (/readyz fails for the drain delay, the listener
// closes, requests in flight get the grace period) and only then releases
// the app's resources: upstream connections, the verifier's key refresh,
// the rate limit store.
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

// withKeyPrefix keeps a BFF's Redis rate limit keys apart from other BFFs'
// unless the configuration names a prefix.
func withKeyPrefix(name string, s throttle.StoreConfig) throttle.StoreConfig {
	if s.KeyPrefix == "" {
		s.KeyPrefix = "tandem:" + name + ":"
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

// recordSubject notes the verified subject on the request's telemetry
// record, for the access log.
func recordSubject(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s := principalSubject(r.Context()); s != "" {
			telemetry.RequestFromContext(r.Context()).SetSubject(s)
		}
		next.ServeHTTP(w, r)
	})
}

// principalToken gives sources configured with forwardToken the caller's
// verified bearer token.
func principalToken(ctx context.Context) (string, bool) {
	if p, ok := auth.FromContext(ctx); ok && p != nil && p.Token != "" {
		return p.Token, true
	}
	return "", false
}

// observeAdmission reports a's state on meter at each collection.
func observeAdmission(meter metric.Meter, a *throttle.Admission) error {
	limit, err1 := meter.Int64ObservableGauge(telemetry.MetricAdmissionLimit, metric.WithUnit("{request}"),
		metric.WithDescription("Requests the replica lets execute at once, adapted to how busy its CPU is"))
	running, err2 := meter.Int64ObservableGauge(telemetry.MetricAdmissionRunning, metric.WithUnit("{request}"),
		metric.WithDescription("Requests executing under the admission limit"))
	waiting, err3 := meter.Int64ObservableGauge(telemetry.MetricAdmissionWaiting, metric.WithUnit("{request}"),
		metric.WithDescription("Requests waiting for admission"))
	overloaded, err4 := meter.Int64ObservableCounter(telemetry.MetricAdmissionOverloaded, metric.WithUnit("{request}"),
		metric.WithDescription("Requests refused with OVERLOADED after waiting the longest admission allows"))
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return err
	}
	_, err := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		l, r, w := a.Stats()
		o.ObserveInt64(limit, int64(l))
		o.ObserveInt64(running, int64(r))
		o.ObserveInt64(waiting, int64(w))
		o.ObserveInt64(overloaded, a.Overloaded())
		return nil
	}, limit, running, waiting, overloaded)
	return err
}
