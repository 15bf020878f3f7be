package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:8081" || cfg.Dev {
		t.Fatalf("addr %q dev %v", cfg.Addr, cfg.Dev)
	}
	// Default addresses come from the sources' registrations when the app
	// is built, not from a list here.
	if len(cfg.Upstreams) != 0 {
		t.Fatalf("upstreams %+v, want none configured", cfg.Upstreams)
	}
	// No token issuer either: outside dev mode one must be configured;
	// dev mode trusts the mock identity provider (gateway.ApplyProfile).
	if len(cfg.Auth.Issuers) != 0 {
		t.Fatalf("auth %+v, want no issuer by default", cfg.Auth)
	}
	if cfg.Shutdown.DrainDelay != 5*time.Second || cfg.Shutdown.GracePeriod != 10*time.Second || len(cfg.TrustedProxies) != 0 {
		t.Fatalf("shutdown %+v, trusted proxies %v", cfg.Shutdown, cfg.TrustedProxies)
	}
	if cfg.Throttle.Operation.MaxDepth == 0 {
		t.Fatal("throttle defaults missing")
	}
}

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "mobile.yaml")
	file := `
addr: 127.0.0.1:7000
dev: true
upstreams:
  catalog:
    timeout: 750ms
  orders:
    address: http://127.0.0.1:7103
throttle:
  operation:
    maxDepth: 5
`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load([]string{"-upstream", "orders.address=http://127.0.0.1:6103"}, []string{
		"TANDEM_MOBILE_CONFIG=" + path,
		"TANDEM_MOBILE_ADDR=127.0.0.1:7001",
		"TANDEM_UPSTREAMS_REVIEWS_ADDRESS=http://127.0.0.1:7104",
		"TANDEM_UPSTREAMS_ORDERS_ADDRESS=http://127.0.0.1:5103",
		"TANDEM_MOBILE_UPSTREAMS_REVIEWS_TIMEOUT=300ms",
		"TANDEM_WEB_ADDR=127.0.0.1:9999", // the other BFF's key: ignored
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:7001" {
		t.Errorf("env must override file: addr %q", cfg.Addr)
	}
	if !cfg.Dev {
		t.Error("dev from file lost")
	}
	if c := cfg.Upstreams["catalog"]; c.Address != "" || c.Timeout != 750*time.Millisecond {
		t.Errorf("file must merge one field of an upstream: %+v", c)
	}
	if got := cfg.Upstreams["orders"].Address; got != "http://127.0.0.1:6103" {
		t.Errorf("flag must override env and file: orders %q", got)
	}
	if r := cfg.Upstreams["reviews"]; r.Address != "http://127.0.0.1:7104" || r.Timeout != 300*time.Millisecond {
		t.Errorf("env upstream: reviews %+v", r)
	}
	if cfg.Throttle.Operation.MaxDepth != 5 || cfg.Throttle.Operation.MaxFields == 0 {
		t.Errorf("throttle must merge field by field over the mobile defaults: %+v", cfg.Throttle.Operation)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("adress: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		environ []string
		want    string
	}{
		{"unknown key", []string{"-config", bad}, nil, "adress"},
		{"missing file", []string{"-config", filepath.Join(dir, "none.yaml")}, nil, "none.yaml"},
		{"bad dev env", nil, []string{"TANDEM_MOBILE_DEV=perhaps"}, "TANDEM_MOBILE_DEV"},
		{"empty addr", []string{"-addr", ""}, nil, "addr is empty"},
		{"stray argument", []string{"serve"}, nil, `unexpected arguments ["serve"]`},
		{"unknown flag", []string{"-port", "1"}, nil, "port"},
		{"timeout over a minute", []string{"-upstream", "catalog.timeout=90s"}, nil, "upstreams.catalog.timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.args, tt.environ)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
