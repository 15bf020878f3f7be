// Command bff-mobile serves the mobile app's GraphQL API (default 127.0.0.1:8081:
// /graphql, /healthz, /readyz, GraphiQL at / with -dev; admin listener
// 127.0.0.1:8091: /metrics, /debug/pprof/).
//
// Usage:
//
//	bff-mobile [-config file.yaml] [-addr host:port] [-dev] [-log-level debug|info|warn|error]
//	        [-log-format json|text] [-upstream <svc>.<field>=<value>]...
//
// -h prints every flag with its environment variable (TANDEM_MOBILE_*,
// TANDEM_UPSTREAMS_<SVC>_<FIELD>). Settings come from, later winning:
// defaults, the YAML file, the environment, the flags (see shared/config);
// the defaults work against `make mocks`.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/shared/gateway"
)

func main() {
	if err := run(os.Args[1:], os.Environ(), os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run is main without the process: -h prints the usage to stdout and
// returns nil (exit status 0). The backends are app.Sources.
func run(args, environ []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return gateway.Main(ctx, app.Spec, app.Sources, args, environ, stdout, stderr)
}
