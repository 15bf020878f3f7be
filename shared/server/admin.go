package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// adminShutdownTimeout bounds the admin listener's shutdown: a running
// profile is cut short rather than holding up the process.
const adminShutdownTimeout = 2 * time.Second

// newAdminMux serves the operators' endpoints: /metrics in the Prometheus
// format and the Go profiler under /debug/pprof/. They are never on the
// public port: profiles and runtime figures are for the people running the
// BFF, not for its clients.
func (s *Server) newAdminMux() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", s.metrics.Handler())
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// AdminHandler returns the admin listener's mux: /metrics and
// /debug/pprof/.
func (s *Server) AdminHandler() http.Handler { return s.admin }

// ServeWithAdmin serves the public handler on public and the admin handler
// on admin until ctx ends, then shuts the public server down gracefully
// (ShutdownTimeout) and the admin server after it, so that the drain can
// still be watched. If either listener fails, both stop. It closes both
// listeners.
func (s *Server) ServeWithAdmin(ctx context.Context, public, admin net.Listener) error {
	publicCtx, stopPublic := context.WithCancel(ctx)
	defer stopPublic()
	adminCtx, stopAdmin := context.WithCancel(context.WithoutCancel(ctx))
	defer stopAdmin()
	adminErr := make(chan error, 1)
	go func() { // owned by ServeWithAdmin: it waits on adminErr below
		err := s.serveAdmin(adminCtx, admin)
		if err != nil {
			stopPublic()
		}
		adminErr <- err
	}()
	err := s.Serve(publicCtx, public)
	stopAdmin()
	return errors.Join(err, <-adminErr)
}

// serveAdmin serves the admin mux on ln until ctx ends. Profiles run for
// tens of seconds, so there is no write timeout.
func (s *Server) serveAdmin(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s.admin,
		ReadHeaderTimeout: 5 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }() // owned by serveAdmin: it reads errc
	s.log.Info("admin listening", slog.String("addr", ln.Addr().String()))
	select {
	case err := <-errc:
		return fmt.Errorf("server %s: admin: %w", s.opts.Name, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), adminShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		_ = hs.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server %s: admin: %w", s.opts.Name, err)
	}
	return nil
}
