package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(nil, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:8081" || cfg.Dev {
		t.Fatalf("addr %q dev %v", cfg.Addr, cfg.Dev)
	}
	if got := cfg.Upstreams["catalog"].Address; got != "http://127.0.0.1:9102" {
		t.Fatalf("catalog address %q", got)
	}
	if got := cfg.Upstreams["pricing"].Address; got != "127.0.0.1:9202" {
		t.Fatalf("pricing address %q", got)
	}
	if len(cfg.Auth.Issuers) != 1 || cfg.Auth.Issuers[0].Issuer != "http://127.0.0.1:9100" {
		t.Fatalf("auth %+v", cfg.Auth)
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
	cfg, err := Load([]string{"-upstream-orders", "http://127.0.0.1:6103"}, env(map[string]string{
		EnvConfig:                          path,
		EnvAddr:                            "127.0.0.1:7001",
		"TANDEM_UPSTREAMS_REVIEWS_ADDRESS": "http://127.0.0.1:7104",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:7001" {
		t.Errorf("env must override file: addr %q", cfg.Addr)
	}
	if !cfg.Dev {
		t.Error("dev from file lost")
	}
	if c := cfg.Upstreams["catalog"]; c.Address != "http://127.0.0.1:9102" || c.Timeout != 750*time.Millisecond {
		t.Errorf("file must merge one field of an upstream: %+v", c)
	}
	if got := cfg.Upstreams["orders"].Address; got != "http://127.0.0.1:6103" {
		t.Errorf("flag must override file: orders %q", got)
	}
	if got := cfg.Upstreams["reviews"].Address; got != "http://127.0.0.1:7104" {
		t.Errorf("env upstream: reviews %q", got)
	}
	if cfg.Throttle.Operation.MaxDepth != 5 || cfg.Throttle.Operation.MaxFields == 0 {
		t.Errorf("throttle must merge field by field: %+v", cfg.Throttle.Operation)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(bad, []byte("adress: x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown key", []string{"-config", bad}, nil, "adress"},
		{"missing file", []string{"-config", filepath.Join(dir, "none.yaml")}, nil, "none.yaml"},
		{"bad dev env", nil, map[string]string{EnvDev: "perhaps"}, EnvDev},
		{"empty addr", []string{"-addr", ""}, nil, "addr is empty"},
		{"stray argument", []string{"serve"}, nil, `unexpected argument "serve"`},
		{"unknown flag", []string{"-port", "1"}, nil, "port"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(tt.args, env(tt.env))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
