// Command gqlgen runs gqlgen with Tandem's connector plugin
// (shared/connector/gqlplugin), which compiles the schema's @rest and @grpc
// directives into resolvers, and then lets the executor resolve what the
// batching plan has loaded without a goroutine per field (inline.go).
// `make generate` runs it in each BFF's folder:
//
//	go run ../tools/gqlgen -config gqlgen.yml
//
// and, with -connectors=false, on the test schema of internal/difftest,
// whose executor the differential test compares with gqlgen's own.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"

	"github.com/tandemgw/tandem/shared/connector/gqlplugin"
)

func main() {
	configFile := flag.String("config", "gqlgen.yml", "gqlgen configuration file")
	connectors := flag.Bool("connectors", true, "compile the schema's @rest and @grpc directives (the plugin writes into the resolver package, which a schema without sources need not have)")
	flag.Parse()
	if err := run(*configFile, *connectors); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(1)
	}
}

func run(configFile string, connectors bool) error {
	cfg, err := config.LoadConfig(configFile)
	if err != nil {
		return err
	}
	table := &concurrency{}
	var opts []api.Option
	if connectors {
		opts = gqlplugin.New().Options()
	}
	opts = append(opts, api.AddPlugin(table))
	if err := api.Generate(cfg, opts...); err != nil {
		return err
	}
	return rewriteExecutor(cfg.Exec.Dir(), table.leaves)
}
