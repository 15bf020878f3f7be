package gateway

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

// pprofServer serves net/http/pprof on a listener of its own, never on the
// public one: CPU, heap, allocation, goroutine and mutex profiles and
// execution traces of the running BFF, under /debug/pprof/. The command
// line endpoint is left out, since flags may carry settings.
type pprofServer struct {
	ln   net.Listener
	srv  *http.Server
	done chan struct{}
}

// servePprof listens on addr (config.Validate has checked that it is a
// loopback address) and serves until Close.
func servePprof(ctx context.Context, addr string, logger *slog.Logger) (*pprofServer, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("pprof: %w", err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index) // also every named profile: heap, allocs, goroutine, …
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("GET /debug/pprof/cmdline", http.NotFound)
	p := &pprofServer{
		ln:   ln,
		srv:  &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)},
		done: make(chan struct{}),
	}
	go func() {
		defer close(p.done)
		if err := p.srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			logger.Warn("pprof listener stopped", slog.Any("error", err))
		}
	}()
	logger.Info("pprof listening", slog.String("addr", ln.Addr().String()))
	return p, nil
}

// Addr is the address the listener is bound to.
func (p *pprofServer) Addr() string { return p.ln.Addr().String() }

// Close stops the listener; a profile being taken gets two seconds to
// finish before its connection is closed.
func (p *pprofServer) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := p.srv.Shutdown(ctx)
	if err != nil {
		err = p.srv.Close()
	}
	<-p.done
	return err
}
