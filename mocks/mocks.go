package mocks

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"

	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/mocks/internal/service"
)

// Options configure a cluster. The zero value starts every service and the
// admin API on free loopback ports.
type Options struct {
	// Addrs maps a service name to its listen address; a missing service
	// listens on "127.0.0.1:0" (a free port).
	Addrs map[string]string
	// AdminAddr is the admin API's listen address; "" means "127.0.0.1:0".
	AdminAddr string
	// Logger receives warnings and recovered panics; nil discards them.
	Logger *slog.Logger
	// TLS, when set, serves every service over TLS with this
	// configuration (ClientAuth set to RequireAndVerifyClientCert makes it
	// mutual TLS); REST URLs become https. The admin API stays plain HTTP
	// on loopback. Default nil: plain HTTP and insecure gRPC.
	TLS *tls.Config
	// OnHold, when set, is called each time a call starts being held by a
	// hang or barrier fault: a test learns that a request is in flight at
	// a backend without waiting for it. Optional.
	OnHold func()
}

// shutdownGrace bounds how long Close waits for calls in flight.
const shutdownGrace = 5 * time.Second

// Cluster is a running set of mock backends with one admin endpoint. All of
// its state (counters, faults, recorded requests, carts and placed orders)
// is its own; the seeded data set is shared read-only by every cluster of
// the process.
type Cluster struct {
	logger   *slog.Logger
	specs    []service.Spec
	addrs    map[string]string
	routes   map[string][]string // service -> route keys, sorted
	counters *Counters
	faults   *Faults
	recorder *recorder
	inFlight map[string]*atomic.Int64 // calls being served, per service
	tls      *tls.Config

	adminAddr string
	adminMux  *http.ServeMux

	httpServers []*http.Server
	grpcServers []*grpc.Server
	serveWG     sync.WaitGroup
	serveErrs   chan error

	closing   chan struct{} // closed by Close: ends held calls
	closeOnce sync.Once
	closeErr  error
}

type listener struct {
	spec service.Spec
	ln   net.Listener
}

// Start builds the data set (once per process), listens on every address
// and serves until Close. ctx bounds only the start-up (listening); the
// cluster runs until Close is called.
func Start(ctx context.Context, opts Options) (*Cluster, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &Cluster{
		logger:   logger,
		specs:    specs(),
		addrs:    map[string]string{},
		routes:   map[string][]string{},
		recorder: newRecorder(),
		adminMux: http.NewServeMux(),
		closing:  make(chan struct{}),
		inFlight: map[string]*atomic.Int64{},
		tls:      opts.TLS,
	}
	known := map[string]bool{}
	for _, s := range c.specs {
		known[s.Name] = true
		c.inFlight[s.Name] = new(atomic.Int64)
	}
	for name := range opts.Addrs {
		if !known[name] {
			return nil, fmt.Errorf("mocks: unknown service %q in Options.Addrs", name)
		}
	}
	env := service.Env{Data: data.Load(), Logger: logger}

	var lc net.ListenConfig
	var lns []listener
	closeAll := func() {
		for _, l := range lns {
			_ = l.ln.Close()
		}
	}
	for _, s := range c.specs {
		addr := opts.Addrs[s.Name]
		if addr == "" {
			addr = "127.0.0.1:0"
		}
		ln, err := lc.Listen(ctx, "tcp", addr)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("mocks: %s: listen on %s: %w", s.Name, addr, err)
		}
		lns = append(lns, listener{s, ln})
		c.addrs[s.Name] = ln.Addr().String()
	}
	adminAddr := opts.AdminAddr
	if adminAddr == "" {
		adminAddr = "127.0.0.1:0"
	}
	adminLn, err := lc.Listen(ctx, "tcp", adminAddr)
	if err != nil {
		closeAll()
		return nil, fmt.Errorf("mocks: admin: listen on %s: %w", adminAddr, err)
	}
	c.adminAddr = adminLn.Addr().String()

	// Build handlers (per-cluster state is created here).
	type restSrv struct {
		ln net.Listener
		h  http.Handler
	}
	type grpcSrv struct {
		ln  *trackingListener
		srv *grpc.Server
	}
	var rests []restSrv
	var grpcs []grpcSrv
	for _, l := range lns {
		switch l.spec.Kind {
		case service.REST:
			h, routes := c.restHandler(l.spec.Name, l.spec.Routes(env))
			c.routes[l.spec.Name] = routes
			rests = append(rests, restSrv{l.ln, h})
		case service.GRPC:
			tl := newTrackingListener(l.ln)
			srv := c.grpcServer(l.spec.Name, tl)
			l.spec.Register(env, srv)
			var routes []string
			for name, info := range srv.GetServiceInfo() {
				for _, m := range info.Methods {
					routes = append(routes, "/"+name+"/"+m.Name)
				}
			}
			sort.Strings(routes)
			c.routes[l.spec.Name] = routes
			grpcs = append(grpcs, grpcSrv{tl, srv})
		default:
			closeAll()
			_ = adminLn.Close()
			return nil, fmt.Errorf("mocks: %s: unknown protocol", l.spec.Name)
		}
	}
	c.counters = newCounters(c.routes)
	c.faults = newFaults(c.routes)
	c.faults.onHold = opts.OnHold
	c.mountAdmin()

	c.serveErrs = make(chan error, len(rests)+len(grpcs)+1)
	serveHTTP := func(ln net.Listener, h http.Handler) {
		srv := &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		}
		c.httpServers = append(c.httpServers, srv)
		c.serveWG.Go(func() {
			if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				c.serveErrs <- err
			}
		})
	}
	for _, r := range rests {
		ln := r.ln
		if c.tls != nil {
			ln = tls.NewListener(ln, c.tls)
		}
		serveHTTP(ln, r.h)
	}
	serveHTTP(adminLn, c.adminMux)
	for _, g := range grpcs {
		c.grpcServers = append(c.grpcServers, g.srv)
		c.serveWG.Go(func() {
			if err := g.srv.Serve(g.ln); err != nil && !errors.Is(err, grpc.ErrServerStopped) {
				c.serveErrs <- err
			}
		})
	}
	return c, nil
}

// Addr returns the "127.0.0.1:port" a service listens on, or "" for an
// unknown service.
func (c *Cluster) Addr(service string) string { return c.addrs[service] }

// URL returns the base URL ("http://127.0.0.1:port", https with
// Options.TLS) of a REST service, or "" for an unknown or gRPC service.
func (c *Cluster) URL(name string) string {
	scheme := "http://"
	if c.tls != nil {
		scheme = "https://"
	}
	for _, s := range c.specs {
		if s.Name == name && s.Kind == service.REST {
			return scheme + c.addrs[name]
		}
	}
	return ""
}

// InFlight returns how many calls service is serving right now (held by a
// fault or not): tests use it to see a call arrive, and to see it end
// when its caller goes away.
func (c *Cluster) InFlight(service string) int64 {
	if n := c.inFlight[service]; n != nil {
		return n.Load()
	}
	return 0
}

// AdminAddr returns the admin API's "127.0.0.1:port".
func (c *Cluster) AdminAddr() string { return c.adminAddr }

// AdminURL returns the admin API's base URL.
func (c *Cluster) AdminURL() string { return "http://" + c.adminAddr }

// Addrs returns service name -> address for every service.
func (c *Cluster) Addrs() map[string]string {
	out := make(map[string]string, len(c.addrs))
	for k, v := range c.addrs {
		out[k] = v
	}
	return out
}

// Routes returns the route keys of a service (ServeMux patterns for REST,
// full method names for gRPC), sorted; nil for an unknown service.
func (c *Cluster) Routes(service string) []string { return slices.Clone(c.routes[service]) }

// Counters returns the cluster's call counters.
func (c *Cluster) Counters() *Counters { return c.counters }

// Faults returns the cluster's fault injection.
func (c *Cluster) Faults() *Faults { return c.faults }

// Requests returns the last requests (at most 512) a service received,
// oldest first, with the identity headers or metadata each carried.
func (c *Cluster) Requests(service string) []RecordedRequest { return c.recorder.list(service) }

// ResetRequests forgets every recorded request.
func (c *Cluster) ResetRequests() { c.recorder.reset() }

// HandleAdmin mounts h on the admin endpoint (the mock identity provider
// mounts token minting this way). Like http.ServeMux.Handle it panics when
// pattern conflicts with a route already mounted.
func (c *Cluster) HandleAdmin(pattern string, h http.Handler) { c.adminMux.Handle(pattern, h) }

// Close stops every service: calls held by faults are released, calls in
// flight get a few seconds to finish, then connections are closed. It is
// safe to call more than once.
func (c *Cluster) Close() error {
	c.closeOnce.Do(func() {
		close(c.closing)
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		var errs []error
		var wg sync.WaitGroup
		for _, s := range c.httpServers {
			wg.Go(func() {
				if err := s.Shutdown(ctx); err != nil {
					_ = s.Close()
				}
			})
		}
		for _, g := range c.grpcServers {
			wg.Go(func() {
				stopped := make(chan struct{})
				go func() { g.GracefulStop(); close(stopped) }()
				select {
				case <-stopped:
				case <-ctx.Done():
					g.Stop()
					<-stopped
				}
			})
		}
		wg.Wait()
		c.serveWG.Wait()
		close(c.serveErrs)
		for err := range c.serveErrs {
			errs = append(errs, err)
		}
		c.closeErr = errors.Join(errs...)
	})
	return c.closeErr
}
