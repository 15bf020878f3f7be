package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/idp"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(logger, os.Args[1:]); err != nil {
		logger.Error("mocks stopped", "error", err)
		os.Exit(1)
	}
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func run(logger *slog.Logger, args []string) error {
	fs := flag.NewFlagSet("mocks", flag.ContinueOnError)
	adminAddr := fs.String("admin-addr", envOr("MOCKS_ADMIN_ADDR", mocks.DefaultAdminAddr), "admin API listen address (env MOCKS_ADMIN_ADDR)")
	idpAddr := fs.String("idp-addr", envOr("MOCKS_IDP_ADDR", "127.0.0.1:9100"), "identity provider listen address (env MOCKS_IDP_ADDR)")
	idpIssuer := fs.String("idp-issuer", os.Getenv("MOCKS_IDP_ISSUER"), "identity provider issuer URL, as the BFFs reach it (env MOCKS_IDP_ISSUER); default http://<idp-addr>")
	addrs := map[string]*string{}
	for _, s := range mocks.Services() {
		env := "MOCKS_" + strings.ToUpper(s.Name) + "_ADDR"
		addrs[s.Name] = fs.String(s.Name+"-addr", envOr(env, s.DefaultAddr), fmt.Sprintf("%s (%s) listen address (env %s)", s.Name, s.Protocol, env))
	}
	if err := fs.Parse(args); err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	opts := mocks.Options{AdminAddr: *adminAddr, Addrs: map[string]string{}, Logger: logger}
	for name, a := range addrs {
		opts.Addrs[name] = *a
	}
	cluster, err := mocks.Start(ctx, opts)
	if err != nil {
		return err
	}
	defer cluster.Close()

	// The identity provider: discovery and JWKS on its own address, token
	// minting on the admin endpoint under /idp/.
	var lc net.ListenConfig
	idpLn, err := lc.Listen(ctx, "tcp", *idpAddr)
	if err != nil {
		return fmt.Errorf("identity provider: listen on %s: %w", *idpAddr, err)
	}
	issuer := *idpIssuer
	if issuer == "" {
		issuer = "http://" + idpLn.Addr().String()
	}
	provider, err := idp.New(idp.Options{Issuer: issuer})
	if err != nil {
		_ = idpLn.Close()
		return err
	}
	cluster.HandleAdmin("/idp/", http.StripPrefix("/idp", provider.AdminHandler()))
	idpSrv := &http.Server{Handler: provider.Handler(), ReadHeaderTimeout: 10 * time.Second}
	idpDone := make(chan error, 1)
	go func() { idpDone <- idpSrv.Serve(idpLn) }()

	fmt.Printf("mocks admin        http://%s\n", cluster.AdminAddr())
	fmt.Printf("identity provider  http://%s\n", idpLn.Addr())
	for _, s := range mocks.Services() {
		if s.Protocol == "rest" {
			fmt.Printf("%-18s %s\n", s.Name, cluster.URL(s.Name))
		} else {
			fmt.Printf("%-18s %s (gRPC)\n", s.Name, cluster.Addr(s.Name))
		}
	}

	var serveErr error
	select {
	case <-ctx.Done():
		logger.Info("stopping")
	case serveErr = <-idpDone:
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	shutdownErr := idpSrv.Shutdown(shutdownCtx)
	if serveErr == nil {
		serveErr = <-idpDone
	}
	if errors.Is(serveErr, http.ErrServerClosed) {
		serveErr = nil
	}
	return errors.Join(serveErr, shutdownErr, cluster.Close())
}
