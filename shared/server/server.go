package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"

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
	Name        string // "bff-web"
	Addr        string // "127.0.0.1:8080"
	Schema      graphql.ExecutableSchema
	Dev         bool                              // GraphiQL at "/", introspection, field suggestions
	Middlewares []func(http.Handler) http.Handler // applied outermost-first around /graphql (auth, throttle, loaders)
	Extensions  []graphql.HandlerExtension        // gqlgen extensions (operation limits, cost)
	// ErrorPresenter is optional; the default (NewErrorPresenter) maps
	// *upstream.Error to extensions {code, service} and hides internals.
	// Whatever it returns gets an extensions.code.
	ErrorPresenter graphql.ErrorPresenterFunc
	Ready          func(ctx context.Context) error // readiness check behind /readyz; nil means always ready
	Logger         *slog.Logger

	// Metrics serves /metrics and records GraphQL request metrics; default:
	// a fresh telemetry.NewMetrics(Name).
	Metrics *telemetry.Metrics
	// QueryCacheSize is the number of parsed queries kept (LRU); default 1000.
	QueryCacheSize int
	// MaxBodyBytes caps a /graphql request body; default 1 MiB.
	MaxBodyBytes int64
	// ShutdownTimeout bounds graceful shutdown in Run; default 10s.
	ShutdownTimeout time.Duration
	// TracerProvider receives the server span of every /graphql request
	// (with the GraphQL operation's name and type as attributes); default:
	// the global provider, a no-op unless tracing is set up.
	TracerProvider trace.TracerProvider
	// Propagator reads the caller's trace context from the request
	// headers. Default: W3C TraceContext only. Baggage from outside is not
	// accepted by default: internal services may trust baggage entries,
	// and the edge is where untrusted input stops.
	Propagator propagation.TextMapPropagator
}

// Server is one BFF's HTTP server.
type Server struct {
	opts    Options
	log     *slog.Logger
	metrics *telemetry.Metrics
	gql     *handler.Server
	mux     *http.ServeMux
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
	s := &Server{opts: opts, log: opts.Logger, metrics: opts.Metrics}
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
	h = s.traceHandler(h)

	mux := http.NewServeMux()
	mux.Handle("/graphql", h)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", s.ready)
	mux.Handle("GET /metrics", s.metrics.Handler())
	if opts.Dev {
		mux.Handle("GET /{$}", playground.Handler(opts.Name, "/graphql"))
	}
	s.mux = mux
	return s, nil
}

func (s *Server) newGraphQL() (*handler.Server, error) {
	srv := handler.New(s.opts.Schema)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](s.opts.QueryCacheSize))
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
	srv.SetErrorPresenter(withCode(presenter))
	srv.SetRecoverFunc(s.recover)
	ext, err := newMetricsExtension(s.metrics)
	if err != nil {
		return nil, err
	}
	srv.Use(ext)
	srv.Use(tracingExtension{})
	for _, e := range s.opts.Extensions {
		srv.Use(e)
	}
	return srv, nil
}

// recover logs a resolver panic with its stack and answers a bare
// INTERNAL_SERVER_ERROR.
func (s *Server) recover(ctx context.Context, p any) error {
	s.log.LogAttrs(ctx, slog.LevelError, "panic in resolver",
		slog.String("panic", fmt.Sprint(p)), slog.String("path", graphql.GetPath(ctx).String()),
		slog.String("stack", string(debug.Stack())))
	return &gqlerror.Error{Message: internalError, Extensions: map[string]any{"code": CodeInternal}}
}

func (s *Server) ready(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
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
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

// Handler returns the whole mux: /graphql, / (dev only), /healthz,
// /readyz, /metrics.
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

// Run listens on Options.Addr and serves until ctx ends, then shuts down
// gracefully within ShutdownTimeout.
func (s *Server) Run(ctx context.Context) error {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.opts.Addr)
	if err != nil {
		return fmt.Errorf("server %s: listen: %w", s.opts.Name, err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends, then shuts down gracefully. It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := s.httpServer()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("listening", slog.String("addr", ln.Addr().String()), slog.Bool("dev", s.opts.Dev))
	select {
	case err := <-errc:
		return fmt.Errorf("server %s: %w", s.opts.Name, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.opts.ShutdownTimeout)
	defer cancel()
	shutdownErr := hs.Shutdown(sctx)
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server %s: %w", s.opts.Name, err)
	}
	if shutdownErr != nil {
		return fmt.Errorf("server %s: shutdown: %w", s.opts.Name, shutdownErr)
	}
	s.log.Info("stopped")
	return nil
}
