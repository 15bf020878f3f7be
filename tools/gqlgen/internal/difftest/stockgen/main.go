// Command stockgen generates the differential test's stock executor the
// way gqlgen's own command does (gqlgen generate: api.Generate with
// gqlgen's plugins only), from the pinned module, whose command-line
// dependencies the project does not otherwise need:
//
//	go run ./stockgen -config stock.yml
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen/config"
)

func main() {
	configFile := flag.String("config", "stock.yml", "gqlgen configuration file")
	flag.Parse()
	cfg, err := config.LoadConfig(*configFile)
	if err == nil {
		err = api.Generate(cfg)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "stockgen:", err)
		os.Exit(1)
	}
}
