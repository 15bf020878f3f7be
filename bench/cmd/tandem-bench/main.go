// Command tandem-bench is `make bench`: it builds bff-web, bff-mobile and
// the ceiling (tandem-ceiling), runs each as a child process against the
// in-repo mocks, measures throughput, latency, backend calls, CPU and
// memory (package bench), prints the results as a Markdown table and
// writes them to a file.
//
// Usage:
//
//	tandem-bench [-duration 6s] [-warmup 2s] [-clients 32] [-runs 1]
//	             [-scenarios fanout,web-product,mobile-product,viewer-orders]
//	             [-pin=true] [-profile-dir dir] [-out bench/results/latest.md]
//
// Run it from the repository (go run ./bench/cmd/tandem-bench); it finds
// the root from the working directory. Everything listens on loopback and
// every phase is bounded, so it stops by itself (some two minutes with the
// defaults on two cores).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/tandemgw/tandem/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tandem-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o := bench.DefaultOptions()
	fs := flag.NewFlagSet("tandem-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.DurationVar(&o.Warmup, "warmup", o.Warmup, "closed-loop warm-up of each process before it is measured")
	fs.DurationVar(&o.Duration, "duration", o.Duration, "length of each measured run (saturation, fixed rate)")
	fs.IntVar(&o.Clients, "clients", o.Clients, "concurrent clients of the closed loop")
	fs.IntVar(&o.Runs, "runs", o.Runs, "rounds; every group is measured once per round, medians are reported")
	fs.IntVar(&o.IdleRequests, "idle-requests", o.IdleRequests, "requests sent one at a time to count a request's backend calls")
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "bound on one request")
	fs.BoolVar(&o.Pin, "pin", o.Pin, "pin the system under test and the load generator to different CPUs (Linux, 2+ CPUs)")
	fs.StringVar(&o.ProfileDir, "profile-dir", "", "write CPU, allocation and heap profiles of each BFF under saturation here")
	scenarios := fs.String("scenarios", strings.Join(bench.ScenarioKeys, ","), "comma-separated scenarios to run")
	out := fs.String("out", filepath.Join("bench", "results", "latest.md"), "file the table is written to, relative to the repository root; empty: none")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	root, err := bench.FindRoot()
	if err != nil {
		return err
	}
	o.Root = root
	o.Scenarios = strings.Split(*scenarios, ",")
	o.Log = stderr
	o.Command = strings.Join(append([]string{"go run ./bench/cmd/tandem-bench"}, args...), " ")
	if o.ProfileDir != "" {
		if o.ProfileDir, err = filepath.Abs(o.ProfileDir); err != nil {
			return err
		}
	}

	rep, err := bench.Run(ctx, o)
	if err != nil {
		return err
	}
	md := rep.Markdown()
	if _, err := io.WriteString(stdout, md); err != nil {
		return err
	}
	if *out != "" {
		path := *out
		if !filepath.IsAbs(path) {
			path = filepath.Join(root, path)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(md), 0o644); err != nil {
			return err
		}
		fmt.Fprintln(stderr, "written to", path)
	}
	return nil
}
