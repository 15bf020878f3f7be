// Command bff-web serves the web shop's GraphQL API (default 127.0.0.1:8080:
// /graphql, /healthz, /readyz, /metrics, GraphiQL at / with -dev).
// Configuration comes from flags, the environment and an optional YAML file
// (see shared/config and bff-web/app); the defaults work against `make mocks`.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/inventory"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/sources/recommendations"
	"github.com/tandemgw/tandem/shared/sources/reviews"
	"github.com/tandemgw/tandem/shared/telemetry"
	"github.com/tandemgw/tandem/shared/throttle"
)

// sources are the backends bff-web talks to. A new backend is one more line
// here (and its address in the config).
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
	if err := run(os.Args[1:], os.Environ()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(args, environ []string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cfg, err := app.Load(args, environ)
	if err != nil {
		return err
	}
	logger, err := telemetry.NewLogger(os.Stderr, app.Name, cfg.Log.Level, cfg.Log.Format)
	if err != nil {
		return err
	}
	// go-redis logs pool and dial failures with the Redis address through a
	// process-wide logger; route them to ours without their arguments.
	throttle.InstallRedisLogger(logger)
	reg := registry.New(registry.WithApp(app.Name))
	for _, register := range sources {
		if err := register(reg); err != nil {
			return fmt.Errorf("%s: %w", app.Name, err)
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
