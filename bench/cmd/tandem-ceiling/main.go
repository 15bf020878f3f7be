// Command tandem-ceiling serves the benchmark's ceiling (package
// bench/ceiling): a hand-written net/http handler that answers bff-web's
// product listing fan-out query with the same backend calls and the same
// bytes, without GraphQL. The harness (tandem-bench) runs it as a child
// process, pinned to the core bff-web gets, and measures it the same way.
//
// Usage:
//
//	tandem-ceiling [-addr 127.0.0.1:8090] [-first 50] [-catalog http://127.0.0.1:9102]
//	               [-reviews http://127.0.0.1:9104] [-pricing 127.0.0.1:9202]
//	               [-inventory 127.0.0.1:9201] [-max-cost 5000] [-report-actual]
//
// Every request to any path is answered with the query's result; the
// defaults point at `make mocks`. It logs one JSON line, "listening" with
// the address, when it is ready (with -addr 127.0.0.1:0, the port chosen).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/tandemgw/tandem/bench/ceiling"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/inventory"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/sources/reviews"
	"github.com/tandemgw/tandem/shared/throttle"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tuneGC(os.Environ())
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tandem-ceiling:", err)
		os.Exit(1)
	}
}

// tuneGC gives the process bff-web's garbage collector settings
// (shared/gateway's defaults, unless GOGC or GOMEMLIMIT say otherwise): the
// collector's pace is a trade of CPU for memory, and the ceiling must not
// buy its CPU per request with a setting bff-web does not have.
func tuneGC(environ []string) {
	set := func(key string) bool {
		for _, kv := range environ {
			if strings.HasPrefix(kv, key+"=") {
				return true
			}
		}
		return false
	}
	if !set("GOGC") {
		debug.SetGCPercent(gateway.DefaultGCPercent)
	}
	if !set("GOMEMLIMIT") {
		debug.SetMemoryLimit(gateway.DefaultMemoryLimit)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	web := throttle.WebDefaults().Cost
	fs := flag.NewFlagSet("tandem-ceiling", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	first := fs.Int("first", 50, fmt.Sprintf("page size of the query, 1..%d", ceiling.MaxFirst))
	catalogURL := fs.String("catalog", catalog.DefaultAddress, "catalog service base URL")
	reviewsURL := fs.String("reviews", reviews.DefaultAddress, "reviews service base URL")
	pricingAddr := fs.String("pricing", pricing.DefaultAddress, "pricing service host:port (gRPC)")
	inventoryAddr := fs.String("inventory", inventory.DefaultAddress, "inventory service host:port (gRPC)")
	maxCost := fs.Int("max-cost", web.MaxCost, "cost ceiling reported in extensions.cost.max (0: none), as bff-web's throttle.cost.maxCost")
	reportActual := fs.Bool("report-actual", web.ReportActual, "report extensions.cost.actual, as bff-web's throttle.cost.reportActual")
	timeout := fs.Duration("timeout", 2*time.Second, "bound on one request's backend calls")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	cost := web
	cost.MaxCost, cost.ReportActual = *maxCost, *reportActual
	h, err := ceiling.New(ceiling.Config{
		CatalogURL: *catalogURL, ReviewsURL: *reviewsURL,
		PricingAddr: *pricingAddr, InventoryAddr: *inventoryAddr,
		First: *first, Cost: cost, Timeout: *timeout,
	})
	if err != nil {
		return err
	}
	defer h.Close()

	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	logger.Info("listening", slog.String("addr", ln.Addr().String()))
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = srv.Shutdown(sctx)
	if serveErr := <-served; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return err
}
