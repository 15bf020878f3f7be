// Command tandem-ceiling serves one of the benchmark's ceilings (package
// bench/ceiling): a hand-written net/http handler that answers one of
// bff-web's queries with the same backend calls and the same bytes,
// without GraphQL — the product listing fan-out (-query fanout) or the
// signed-in viewer's order history (-query viewer-orders). The harness
// (tandem-bench) runs it as a child process, pinned to the core bff-web
// gets, and measures it the same way. It runs with bff-web's garbage
// collector settings.
//
// Usage:
//
//	tandem-ceiling [-query fanout|viewer-orders] [-addr 127.0.0.1:8090] [-first 50]
//	               [-catalog http://127.0.0.1:9102] [-reviews http://127.0.0.1:9104]
//	               [-orders http://127.0.0.1:9103] [-accounts http://127.0.0.1:9101]
//	               [-pricing 127.0.0.1:9202] [-inventory 127.0.0.1:9201]
//	               [-account-ttl 1m] [-max-cost 5000] [-report-actual]
//
// Every request to any path is answered with the query's result (the
// order history for the viewer of the request's bearer token); the
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
	"syscall"
	"time"

	"github.com/tandemgw/tandem/bench/ceiling"
	"github.com/tandemgw/tandem/shared/config"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/inventory"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/sources/reviews"
	"github.com/tandemgw/tandem/shared/throttle"
)

// The -query values: the harness's scenario keys.
const (
	queryFanOut       = "fanout"
	queryOrderHistory = "viewer-orders"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tandem-ceiling:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	web := throttle.WebDefaults().Cost
	fs := flag.NewFlagSet("tandem-ceiling", flag.ContinueOnError)
	fs.SetOutput(stderr)
	query := fs.String("query", queryFanOut, "the query answered: "+queryFanOut+" or "+queryOrderHistory)
	addr := fs.String("addr", "127.0.0.1:8090", "listen address")
	first := fs.Int("first", 50, fmt.Sprintf("page size of the query (products or orders), 1..%d", ceiling.MaxFirst))
	catalogURL := fs.String("catalog", catalog.DefaultAddress, "catalog service base URL")
	reviewsURL := fs.String("reviews", reviews.DefaultAddress, "reviews service base URL (fanout)")
	ordersURL := fs.String("orders", orders.DefaultAddress, "orders service base URL ("+queryOrderHistory+")")
	accountsURL := fs.String("accounts", accounts.DefaultAddress, "accounts service base URL ("+queryOrderHistory+")")
	accountTTL := fs.Duration("account-ttl", config.DefaultMarketAccountTTL, "how long a viewer's account locale is reused, as bff-web's market.accountTTL ("+queryOrderHistory+")")
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
	var h interface {
		http.Handler
		Close() error
	}
	var err error
	switch *query {
	case queryFanOut:
		h, err = ceiling.New(ceiling.Config{
			CatalogURL: *catalogURL, ReviewsURL: *reviewsURL,
			PricingAddr: *pricingAddr, InventoryAddr: *inventoryAddr,
			First: *first, Cost: cost, Timeout: *timeout,
		})
	case queryOrderHistory:
		h, err = ceiling.NewOrderHistory(ceiling.OrderHistoryConfig{
			OrdersURL: *ordersURL, CatalogURL: *catalogURL, AccountsURL: *accountsURL,
			PricingAddr: *pricingAddr, InventoryAddr: *inventoryAddr,
			First: *first, Cost: cost, AccountTTL: *accountTTL, Timeout: *timeout,
		})
	default:
		err = fmt.Errorf("-query %q: use %s or %s", *query, queryFanOut, queryOrderHistory)
	}
	if err != nil {
		return err
	}
	defer h.Close()

	logger := slog.New(slog.NewJSONHandler(stderr, nil))
	// bff-web's garbage collector settings (shared/gateway's defaults,
	// unless GOGC or GOMEMLIMIT say otherwise), logged as bff-web logs them:
	// the collector's pace is a trade of CPU for memory, and the ceiling
	// must not buy its CPU per request with a setting bff-web does not
	// have. The harness holds every process of a run to the same settings.
	gateway.TuneGC(os.Environ(), logger)
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
