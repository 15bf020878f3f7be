package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

	"github.com/tandemgw/tandem/shared/edge"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/execution"
	"github.com/tandemgw/tandem/shared/telemetry"
)

// Defaults for the zero values of Options.
const (
	DefaultQueryCacheSize  = 1000
	DefaultMaxBodyBytes    = 1 << 20
	DefaultShutdownTimeout = 10 * time.Second
	DefaultReadyTimeout    = 2 * time.Second
)

// Options configure a Server.
type Options struct {
	Name string // "bff-web"
	Addr string // "127.0.0.1:8080"
	// AdminAddr is where Run serves /metrics and /debug/pprof/
	// ("127.0.0.1:8090"); "" serves no admin listener (AdminHandler still
	// returns the handler). Never the public address.
	AdminAddr   string
	Schema      graphql.ExecutableSchema
	Dev         bool                              // GraphiQL at "/", introspection, field suggestions, upstream causes in errors
	Middlewares []func(http.Handler) http.Handler // applied outermost-first around /graphql (auth, throttle, loaders)
	Extensions  []graphql.HandlerExtension        // gqlgen extensions (operation limits, cost)
	// FieldObservers see every field the interceptors see once it has
	// resolved (the BFF's batching plan), before the extensions' that are
	// observers too (the actual cost); one field interceptor tells them
	// all (execution.Observe). An observer that is also a
	// graphql.HandlerExtension is put in use as one.
	FieldObservers []execution.FieldObserver
	// ErrorPresenter is optional; the default (NewErrorPresenter) maps
	// *upstream.Error to extensions {code, service} and hides internals.
	// Whatever it returns gets an extensions.code.
	ErrorPresenter graphql.ErrorPresenterFunc
	Ready          func(ctx context.Context) error // readiness check behind /readyz; nil means always ready
	Logger         *slog.Logger

	// Metrics records the request metrics and is served on the admin
	// listener's /metrics; default: a fresh telemetry.NewMetrics(Name).
	Metrics *telemetry.Metrics
	// AccessLog receives one line per /graphql request once its response
	// is done; default: Logger.
	AccessLog *slog.Logger
	// ClientAddress resolves the client's address for the access log (the
	// BFF passes the rate limiter's, which honours trusted proxies);
	// default: the peer's IP.
	ClientAddress func(*http.Request) string
	// ClientApp names the client application for the access log; default:
	// the apollographql-client-name header.
	ClientApp func(*http.Request) string
	// QueryCacheSize is the number of parsed queries kept (LRU); default 1000.
	QueryCacheSize int
	// MaxBodyBytes caps a /graphql request body; default 1 MiB.
	MaxBodyBytes int64
	// DrainDelay is how long /readyz answers 503 before the listener
	// closes when shutdown begins, so that load balancers take the server
	// out of rotation while it still accepts what they send; 0 (the zero
	// value) closes the listener at once.
	DrainDelay time.Duration
	// ShutdownTimeout is the grace period of shutdown: how long requests in
	// flight may take to finish once the listener is closed, after which
	// their connections are closed and their contexts cancelled; default
	// 10s.
	ShutdownTimeout time.Duration
	// TracerProvider receives the server span of every /graphql request
	// (with the GraphQL operation's name and type as attributes); default:
	// the global provider, a no-op unless tracing is set up.
	TracerProvider trace.TracerProvider
	// RequestBudget bounds each GraphQL operation, per operation type;
	// zero fields take DefaultRequestBudget (3s).
	RequestBudget RequestBudget
	// Propagator reads the caller's trace context from the request
	// headers. Default: W3C TraceContext only. Baggage from outside is not
	// accepted by default: internal services may trust baggage entries,
	// and the edge is where untrusted input stops.
	Propagator propagation.TextMapPropagator
	// Edge configures CORS, CSRF prevention, compression and caching of
	// /graphql (edge.Config, resolved). The zero value allows no other
	// origin, prevents CSRF, compresses, and caches nothing publicly.
	Edge edge.Config
	// Vary lists request headers, besides Accept and Authorization, that
	// change the answers (Accept-Language when prices are formatted for
	// it); they go into Vary on every /graphql answer.
	Vary []string
	// Persisted are the extensions that resolve persisted operations
	// (trusted documents, then APQ); they run before Extensions, so limits
	// and cost see the resolved text.
	Persisted []graphql.HandlerExtension
}

// Server is one BFF's HTTP server.
type Server struct {
	opts    Options
	log     *slog.Logger
	access  *slog.Logger
	metrics *telemetry.Metrics
	gql     *handler.Server
	mux     *http.ServeMux
	admin   *http.ServeMux

	draining       chan struct{} // closed when shutdown begins: /readyz fails
	drainOnce      sync.Once
	listenerClosed chan struct{} // closed once the listener is closed
	// drainWait waits out the drain delay d, or until ctx ends; tests
	// replace it to hold the drain open.
	drainWait func(ctx context.Context, d time.Duration)
}

// New builds the server; it does not listen yet.
func New(opts Options) (*Server, error) {
	if opts.Schema == nil {
		return nil, errors.New("server: Options.Schema is nil")
	}
	if opts.Name == "" {
		return nil, errors.New("server: Options.Name is empty")
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.QueryCacheSize <= 0 {
		opts.QueryCacheSize = DefaultQueryCacheSize
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opts.ShutdownTimeout <= 0 {
		opts.ShutdownTimeout = DefaultShutdownTimeout
	}
	if opts.DrainDelay < 0 {
		return nil, errors.New("server: Options.DrainDelay is negative")
	}
	if opts.AdminAddr != "" && opts.AdminAddr == opts.Addr && !strings.HasSuffix(opts.Addr, ":0") {
		return nil, errors.New("server: the admin address must differ from the public one")
	}
	if opts.AccessLog == nil {
		opts.AccessLog = opts.Logger
	}
	s := &Server{opts: opts, log: opts.Logger, access: opts.AccessLog, metrics: opts.Metrics,
		draining: make(chan struct{}), listenerClosed: make(chan struct{}), drainWait: sleepCtx}
	if s.metrics == nil {
		m, err := telemetry.NewMetrics(opts.Name)
		if err != nil {
			return nil, err
		}
		s.metrics = m
	}
	gql, err := s.newGraphQL()
	if err != nil {
		return nil, err
	}
	s.gql = gql

	var h http.Handler = gql
	for i := len(opts.Middlewares) - 1; i >= 0; i-- {
		h = opts.Middlewares[i](h)
	}
	h = limitBody(h, opts.MaxBodyBytes)
	// The edge (CORS, CSRF, compression, error media types) sits inside
	// the observer, so the requests it refuses are counted and logged too.
	if h, err = withEdge(h, opts); err != nil {
		return nil, err
	}
	h = s.observe(h)
	h = s.traceHandler(h)
	h = withArrival(h) // the request budget counts from here

	mux := http.NewServeMux()
	mux.Handle("/graphql", h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", s.ready)
	if opts.Dev {
		if err := handleGraphiQL(mux, opts); err != nil {
			return nil, err
		}
	}
	s.mux = mux
	s.admin = s.newAdminMux()
	return s, nil
}

func (s *Server) newGraphQL() (*handler.Server, error) {
	srv := handler.New(s.opts.Schema)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(edge.Transport{CacheMaxAge: s.opts.Edge.Cache.MaxAge})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](s.opts.QueryCacheSize))
	srv.Use(budgetExtension{s.opts.RequestBudget.WithDefaults()})
	srv.SetDisableSuggestion(!s.opts.Dev)
	if s.opts.Dev {
		srv.Use(extension.Introspection{})
	} else {
		srv.Use(newIntrospectionGuard())
	}
	presenter := s.opts.ErrorPresenter
	if presenter == nil {
		presenter = NewErrorPresenter(s.log)
	}
	if s.opts.Dev {
		presenter = withDevCause(presenter)
	}
	srv.SetErrorPresenter(withCode(presenter))
	srv.SetRecoverFunc(s.recover)
	// First, so that it sees every operation before another extension may
	// refuse it, and every response after the others have added to it.
	srv.Use(observeExtension{})
	srv.Use(tracingExtension{})
	srv.Use(edge.GETQueriesOnly())
	for _, e := range s.opts.Persisted {
		srv.Use(e)
	}
	observers := s.opts.FieldObservers
	for _, o := range observers {
		if e, ok := o.(graphql.HandlerExtension); ok {
			srv.Use(e) // its other hooks, such as a batching plan's operation decision
		}
	}
	for _, e := range s.opts.Extensions {
		srv.Use(e)
		if o, ok := e.(execution.FieldObserver); ok {
			observers = append(observers, o)
		}
	}
	srv.Use(execution.Fields())
	if fi := execution.Observe(observers...); fi != nil {
		srv.AroundFields(fi.InterceptField)
		if !otherFieldInterceptor(s.opts.Persisted, s.opts.Extensions, observers) {
			// The generated executor then calls the observers itself.
			srv.Use(execution.Direct(observers...))
		}
	}
	return srv, nil
}

// otherFieldInterceptor reports whether an extension configured for the
// server is a graphql.FieldInterceptor of its own, which execution.Direct
// would skip (the server's own extensions are none).
func otherFieldInterceptor(persisted, extensions []graphql.HandlerExtension, observers []execution.FieldObserver) bool {
	for _, e := range append(append([]graphql.HandlerExtension{}, persisted...), extensions...) {
		if _, ok := e.(graphql.FieldInterceptor); ok {
			return true
		}
	}
	for _, o := range observers {
		if _, ok := o.(graphql.FieldInterceptor); ok {
			return true
		}
	}
	return false
}

// recover logs a resolver panic with its stack and answers a bare
// INTERNAL_SERVER_ERROR.
func (s *Server) recover(ctx context.Context, p any) error {
	s.log.LogAttrs(ctx, slog.LevelError, "panic in resolver",
		slog.String("panic", fmt.Sprint(p)), slog.String("path", graphql.GetPath(ctx).String()),
		slog.String("stack", string(debug.Stack())))
	return &gqlerror.Error{Message: internalError, Extensions: map[string]any{"code": string(errcode.InternalServerError)}}
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	select {
	case <-s.draining:
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("draining\n"))
		return
	default:
	}
	if s.opts.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), DefaultReadyTimeout)
		defer cancel()
		if err := s.opts.Ready(ctx); err != nil {
			s.log.LogAttrs(ctx, slog.LevelWarn, "not ready", slog.Any("error", err))
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("not ready\n"))
			return
		}
	}
	_, _ = w.Write([]byte("ready\n"))
}

func limitBody(next http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			edge.WriteError(w, r, http.StatusRequestEntityTooLarge, edge.BodyTooLarge(max))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

// Handler returns the public mux: /graphql, / (dev only), /healthz and
// /readyz. /metrics and /debug/pprof/ are on AdminHandler only.
func (s *Server) Handler() http.Handler { return s.mux }

// Metrics returns the server's metrics, for instruments of other packages.
func (s *Server) Metrics() *telemetry.Metrics { return s.metrics }

func (s *Server) httpServer() *http.Server {
	return &http.Server{
		Addr:              s.opts.Addr,
		Handler:           s.mux,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Run listens on Options.Addr (and Options.AdminAddr, when set) and serves
// until ctx ends, then drains and shuts down as Serve does.
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("server %s: listen: %w", s.opts.Name, err)
	}
	if s.opts.AdminAddr == "" {
		return s.Serve(ctx, ln)
	}
	aln, err := lc.Listen(ctx, "tcp", s.opts.AdminAddr)
	if err != nil {
		_ = ln.Close()
		return fmt.Errorf("server %s: admin listen: %w", s.opts.Name, err)
	}
	return s.ServeWithAdmin(ctx, ln, aln)
}

// Draining returns a channel closed when shutdown begins; from then on
// /readyz answers 503.
func (s *Server) Draining() <-chan struct{} { return s.draining }

// ListenerClosed returns a channel closed once shutdown has closed the
// listener: new connections are refused while requests in flight go on.
func (s *Server) ListenerClosed() <-chan struct{} { return s.listenerClosed }

// ErrGraceExpired is returned by Serve when requests were still in flight
// at the end of the grace period (Options.ShutdownTimeout) and were cut
// off.
var ErrGraceExpired = errors.New("requests still in flight when the grace period ended were cut off")

// Serve serves on ln until ctx ends, then shuts down in steps: /readyz
// answers 503 (Draining) while the listener still accepts for
// DrainDelay; the listener closes (ListenerClosed) and idle connections
// with it; requests in flight get ShutdownTimeout to finish, after which
// their connections are closed, their contexts cancelled and Serve
// returns ErrGraceExpired. It closes ln. Serve is called once per Server.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := s.httpServer()
	// Request contexts derive from base: cancelled when the grace period
	// ends, so that what is still in flight stops calling upstreams.
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	hs.BaseContext = func(net.Listener) context.Context { return base }
	// Shutdown runs these after it has closed the listeners.
	hs.RegisterOnShutdown(func() { close(s.listenerClosed) })
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("listening", slog.String("addr", ln.Addr().String()), slog.Bool("dev", s.opts.Dev))
	select {
	case err := <-errc:
		return fmt.Errorf("server %s: %w", s.opts.Name, err)
	case <-ctx.Done():
	}

	s.drainOnce.Do(func() { close(s.draining) })
	s.log.Info("draining: /readyz fails from now on",
		slog.String("drainDelay", s.opts.DrainDelay.String()), slog.String("gracePeriod", s.opts.ShutdownTimeout.String()))
	s.drainWait(base, s.opts.DrainDelay)

	s.log.Info("closing the listener; waiting for requests in flight")
	sctx, cancel := context.WithTimeout(base, s.opts.ShutdownTimeout)
	defer cancel()
	shutdownErr := hs.Shutdown(sctx)
	if shutdownErr != nil {
		// The grace period is over: close the connections of what is
		// left (first, so that nothing more reaches a client), then end
		// the requests' contexts.
		_ = hs.Close()
		cancelBase()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server %s: %w", s.opts.Name, err)
	}
	if shutdownErr != nil {
		s.log.Warn("grace period over: requests still in flight were cut off", slog.String("gracePeriod", s.opts.ShutdownTimeout.String()))
		return fmt.Errorf("server %s: %w (%w)", s.opts.Name, ErrGraceExpired, shutdownErr)
	}
	s.log.Info("stopped")
	return nil
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
