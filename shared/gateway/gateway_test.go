package gateway

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"

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
// its registration and the rest of its settings from the environment and
// flags, the same way for every BFF: adding a backend edits no list.
func TestAnyRegisteredSourceIsConfigurable(t *testing.T) {
	cfg, err := Load(testSpec,
		[]string{"-upstream", "wishlist.retries=-1"},
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
