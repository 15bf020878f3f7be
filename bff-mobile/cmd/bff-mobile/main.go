// Command bff-mobile serves the mobile app's GraphQL API (default
// 127.0.0.1:8081: /graphql, /healthz, /readyz, /metrics, GraphiQL at / with
// -dev). Configuration comes from flags, the environment and an optional
// YAML file (see bff-mobile/app); the defaults work against `make mocks`.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/inventory"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/sources/recommendations"
	"github.com/tandemgw/tandem/shared/sources/reviews"
	"github.com/tandemgw/tandem/shared/throttle"
)

// sources are the backends bff-mobile talks to. A new backend is one more
// line here (and its address in the config).
var sources = []func(*registry.Registry) error{
	accounts.Register,
	catalog.Register,
	orders.Register,
	reviews.Register,
	inventory.Register,
	pricing.Register,
	recommendations.Register,
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With(slog.String("service", app.Name))
	// go-redis logs pool and dial failures with the Redis address through a
	// process-wide logger; route them to ours without their arguments.
	throttle.InstallRedisLogger(logger)

	cfg, err := app.Load(os.Args[1:], os.Getenv)
	if err != nil {
		return err
	}
	reg := registry.New(registry.WithApp(app.Name))
	for _, register := range sources {
		if err := register(reg); err != nil {
			return err
		}
	}
	a, err := app.New(ctx, cfg, reg, app.WithLogger(logger))
	if err != nil {
		return err
	}
	if err := a.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}
