package gateway

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/upstream"
)

var testSpec = Spec{
	Name:             "bff-test",
	EnvPrefix:        "TANDEM_TEST",
	DefaultAddr:      "127.0.0.1:8089",
	ThrottleDefaults: throttle.MobileDefaults,
	NewSchema:        func(Directives) graphql.ExecutableSchema { return nil },
}

type nopInstance struct{}

func (nopInstance) NewRequestScope() any { return nil }

// A source the configuration code has never heard of gets its address from
// its registration (in dev mode) and the rest of its settings from the
// environment and flags, the same way for every BFF: adding a backend edits
// no list.
func TestAnyRegisteredSourceIsConfigurable(t *testing.T) {
	cfg, err := Load(testSpec,
		[]string{"-dev", "-upstream", "wishlist.retries=-1"},
		[]string{"TANDEM_UPSTREAMS_WISHLIST_TIMEOUT=300ms", "TANDEM_TEST_UPSTREAMS_GIFTCARDS_ADDRESS=http://127.0.0.1:7001"})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]upstream.Config{}
	reg := registry.New(registry.WithApp(testSpec.Name))
	for _, id := range []string{"wishlist", "giftcards"} {
		if err := reg.Register(registry.Source{
			ID: id, Kind: registry.REST, DefaultAddress: "http://127.0.0.1:9" + map[string]string{"wishlist": "106", "giftcards": "107"}[id],
			New: func(_ context.Context, c upstream.Config, _ registry.Deps) (registry.Instance, error) {
				got[id] = c
				return nopInstance{}, nil
			},
		}); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err = ApplyProfile(cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	set, err := reg.Build(context.Background(), cfg.Upstreams, registry.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = set.Close() }()
	if w := got["wishlist"]; w.Address != "http://127.0.0.1:9106" || w.Timeout != 300*time.Millisecond || w.Retries != -1 {
		t.Errorf("wishlist = %+v, want the registration's address, env timeout, flag retries", w)
	}
	if g := got["giftcards"]; g.Address != "http://127.0.0.1:7001" {
		t.Errorf("giftcards = %+v, want the BFF-prefixed env address over the registration's", g)
	}
}

func TestLoadUsesSpecDefaults(t *testing.T) {
	cfg, err := Load(testSpec, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:8089" || cfg.Throttle.Operation != throttle.MobileDefaults().Operation {
		t.Fatalf("cfg = %+v", cfg)
	}
	cfg, err = Load(testSpec, []string{"-dev"}, []string{"TANDEM_TEST_ADDR=127.0.0.1:7000"})
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Dev || cfg.Addr != "127.0.0.1:7000" {
		t.Fatalf("dev %v addr %q, want the flag and the spec's env prefix to apply", cfg.Dev, cfg.Addr)
	}
}

// -h is not an error: the usage goes to stdout, nothing starts.
func TestMainHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := Main(context.Background(), testSpec, nil, []string{"-h"}, nil, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Usage: bff-test [flags]", "-config", "-addr", "-dev", "-log-level", "-log-format", "-upstream",
		"TANDEM_TEST_CONFIG", "TANDEM_UPSTREAMS_<SVC>_<FIELD>", "127.0.0.1:8089"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("usage lacks %q:\n%s", want, stdout.String())
		}
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr: %q", stderr.String())
	}
	err := Main(context.Background(), testSpec, nil, []string{"-nope"}, nil, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "bff-test -h") {
		t.Fatalf("err = %v, want a hint to run with -h", err)
	}
}

func TestNewRejectsIncompleteSpec(t *testing.T) {
	for name, mutate := range map[string]func(*Spec){
		"Name":             func(s *Spec) { s.Name = "" },
		"NewSchema":        func(s *Spec) { s.NewSchema = nil },
		"ThrottleDefaults": func(s *Spec) { s.ThrottleDefaults = nil },
	} {
		s := testSpec
		mutate(&s)
		_, err := New(context.Background(), s, Default(testSpec), registry.New())
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// profileRegistry registers catalog (with a default address, like every
// shipped source) and wishlist (without one).
func profileRegistry(t *testing.T) *registry.Registry {
	t.Helper()
	reg := registry.New(registry.WithApp(testSpec.Name))
	for id, addr := range map[string]string{"catalog": "http://127.0.0.1:9102", "wishlist": ""} {
		if err := reg.Register(registry.Source{ID: id, Kind: registry.REST, DefaultAddress: addr,
			New: func(context.Context, upstream.Config, registry.Deps) (registry.Instance, error) {
				return nopInstance{}, nil
			}}); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// Outside dev mode the built-in defaults do not start: one error lists
// every source without an address and the missing token issuer, each with
// the key that sets it. The mock defaults are not filled in.
func TestProductionProfileListsEverythingMissing(t *testing.T) {
	reg := profileRegistry(t)
	cfg, err := Load(testSpec, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ApplyProfile(cfg, reg)
	if err == nil {
		t.Fatal("a production start with the built-in defaults was accepted")
	}
	for _, want := range []string{"outside dev mode", "-dev",
		`source "catalog" has no address`, "upstreams.catalog.address", "TANDEM_UPSTREAMS_CATALOG_ADDRESS", "-upstream catalog.address=",
		`source "wishlist" has no address`, "upstreams.wishlist.address",
		"no token issuer", "auth.issuers"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	_, err = New(context.Background(), testSpec, cfg, reg)
	if err == nil || !strings.Contains(err.Error(), "bff-test: refusing to start outside dev mode") {
		t.Fatalf("New: %v", err)
	}

	// Everything configured: accepted, nothing added.
	cfg.Upstreams = map[string]upstream.Config{"catalog": {Address: "http://10.0.0.7:80"}, "wishlist": {Address: "http://10.0.0.8:80"}}
	cfg.Auth.Issuers = []auth.IssuerConfig{{Issuer: "https://id.example", Audiences: []string{"shop"}, JWKSURL: "https://id.example/jwks"}}
	got, err := ApplyProfile(cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	if got.Upstreams["catalog"].Address != "http://10.0.0.7:80" || len(got.Auth.Issuers) != 1 || got.Auth.Issuers[0].Issuer != "https://id.example" {
		t.Fatalf("production configuration changed: %+v", got)
	}
}

// In dev mode what is missing takes the local mocks' defaults (each
// source's registered address, the mock identity provider), and the
// drain delay is 0 unless set.
func TestDevProfileFillsMockDefaults(t *testing.T) {
	reg := profileRegistry(t)
	cfg, err := Load(testSpec, []string{"-dev", "-upstream", "wishlist.address=http://127.0.0.1:7106"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ApplyProfile(cfg, reg)
	if err != nil {
		t.Fatal(err)
	}
	if got.Upstreams["catalog"].Address != "http://127.0.0.1:9102" || got.Upstreams["wishlist"].Address != "http://127.0.0.1:7106" {
		t.Errorf("upstreams = %+v", got.Upstreams)
	}
	if len(got.Auth.Issuers) != 1 || got.Auth.Issuers[0].Issuer != auth.DefaultIssuer {
		t.Errorf("auth = %+v, want the mock identity provider", got.Auth)
	}
	if got.Shutdown.DrainDelay != 0 {
		t.Errorf("dev mode drains for %v, want 0 unless set", got.Shutdown.DrainDelay)
	}
	set, err := reg.Build(context.Background(), got.Upstreams, registry.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	_ = set.Close()
}

// trustedProxies is a top-level setting (file, environment, flag); in the
// throttle section it is refused with a pointer to where it belongs.
func TestTrustedProxiesTopLevel(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "bff.yaml")
	if err := os.WriteFile(file, []byte("trustedProxies: [10.0.0.0/8]\nshutdown: {drainDelay: 2s, gracePeriod: 30s}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(testSpec, []string{"-config", file}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.TrustedProxies, []string{"10.0.0.0/8"}) || cfg.Shutdown.DrainDelay != 2*time.Second || cfg.Shutdown.GracePeriod != 30*time.Second {
		t.Fatalf("file: %v %+v", cfg.TrustedProxies, cfg.Shutdown)
	}
	cfg, err = Load(testSpec, []string{"-config", file}, []string{"TANDEM_TEST_TRUSTED_PROXIES=192.0.2.1, 198.51.100.0/24", "TANDEM_TEST_SHUTDOWN_GRACE_PERIOD=3s"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cfg.TrustedProxies, []string{"192.0.2.1", "198.51.100.0/24"}) || cfg.Shutdown.GracePeriod != 3*time.Second {
		t.Fatalf("env: %v %+v", cfg.TrustedProxies, cfg.Shutdown)
	}
	cfg, err = Load(testSpec, []string{"-config", file, "-trusted-proxies", "172.16.0.0/12"}, []string{"TANDEM_TEST_TRUSTED_PROXIES=192.0.2.1"})
	if err != nil || !slices.Equal(cfg.TrustedProxies, []string{"172.16.0.0/12"}) {
		t.Fatalf("flag: %v %v", cfg.TrustedProxies, err)
	}
	if _, err := Load(testSpec, []string{"-trusted-proxies", "not-a-net"}, nil); err == nil || !strings.Contains(err.Error(), "trustedProxies") {
		t.Fatalf("bad proxy: %v", err)
	}
	old := filepath.Join(dir, "old.yaml")
	if err := os.WriteFile(old, []byte("throttle:\n  rate:\n    trustedProxies: [10.0.0.0/8]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(testSpec, []string{"-config", old}, nil); err == nil || !strings.Contains(err.Error(), "trustedProxies is a top-level setting") {
		t.Fatalf("throttle.rate.trustedProxies: %v", err)
	}
}
