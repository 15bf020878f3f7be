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
	if cfg.Addr != "127.0.0.1:8080" || cfg.Dev {
		t.Fatalf("addr=%q dev=%v, want 127.0.0.1:8080 false", cfg.Addr, cfg.Dev)
	}
	if got := cfg.Upstreams["catalog"].Address; got != "http://127.0.0.1:9102" {
		t.Fatalf("catalog address = %q", got)
	}
	if got := cfg.Upstreams["pricing"].Address; got != "127.0.0.1:9202" {
		t.Fatalf("pricing address = %q", got)
	}
	if cfg.Auth.Issuer != "http://127.0.0.1:9100" || cfg.Auth.Audience != "tandem" {
		t.Fatalf("auth = %+v", cfg.Auth)
	}
}

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "web.yaml")
	yaml := `
addr: 127.0.0.1:7000
dev: true
maxPageSize: 50
auth:
  audience: shop
upstreams:
  catalog:
    timeout: 750ms
    maxBatch: 40
  orders:
    address: http://127.0.0.1:7103
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(
		[]string{"-config", path, "-upstream-orders", "http://127.0.0.1:6103"},
		env(map[string]string{
			"TANDEM_WEB_ADDR":                 "127.0.0.1:7001",
			"TANDEM_UPSTREAMS_ORDERS_ADDRESS": "http://127.0.0.1:5103",
			"TANDEM_AUTH_ISSUER":              "http://127.0.0.1:7100",
		}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:7001" { // env beats file
		t.Errorf("addr = %q", cfg.Addr)
	}
	if !cfg.Dev || cfg.MaxPageSize != 50 {
		t.Errorf("dev=%v maxPageSize=%d", cfg.Dev, cfg.MaxPageSize)
	}
	cat := cfg.Upstreams["catalog"]
	if cat.Address != "http://127.0.0.1:9102" || cat.Timeout != 750*time.Millisecond || cat.MaxBatch != 40 {
		t.Errorf("catalog = %+v (file must merge per field)", cat)
	}
	if got := cfg.Upstreams["orders"].Address; got != "http://127.0.0.1:6103" { // flag beats env and file
		t.Errorf("orders address = %q", got)
	}
	if cfg.Auth.Issuer != "http://127.0.0.1:7100" || cfg.Auth.Audience != "shop" {
		t.Errorf("auth = %+v", cfg.Auth)
	}
}

func TestLoadRejects(t *testing.T) {
	dir := t.TempDir()
	typo := filepath.Join(dir, "typo.yaml")
	if err := os.WriteFile(typo, []byte("adress: 1.2.3.4:1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown key", []string{"-config", typo}, nil, "adress"},
		{"missing file", []string{"-config", filepath.Join(dir, "nope.yaml")}, nil, "nope.yaml"},
		{"bad dev env", nil, map[string]string{"TANDEM_WEB_DEV": "maybe"}, "TANDEM_WEB_DEV"},
		{"empty addr", []string{"-addr", ""}, nil, "addr is empty"},
		{"stray argument", []string{"serve"}, nil, "unexpected argument"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(c.args, env(c.env))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}
