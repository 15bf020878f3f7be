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
	if cfg.Addr != "127.0.0.1:8080" || cfg.Dev {
		t.Fatalf("addr=%q dev=%v, want 127.0.0.1:8080 false", cfg.Addr, cfg.Dev)
	}
	// Default addresses come from the sources' registrations when the app
	// is built (TestDefaultAddressesFromRegistrations), not from a list here.
	if len(cfg.Upstreams) != 0 {
		t.Fatalf("upstreams = %+v, want none configured", cfg.Upstreams)
	}
	// No token issuer either: outside dev mode one must be configured;
	// dev mode trusts the mock identity provider (gateway.ApplyProfile).
	if len(cfg.Auth.Issuers) != 0 {
		t.Fatalf("auth %+v, want no issuer by default", cfg.Auth)
	}
	if cfg.Shutdown.DrainDelay != 5*time.Second || cfg.Shutdown.GracePeriod != 10*time.Second || len(cfg.TrustedProxies) != 0 {
		t.Fatalf("shutdown %+v, trusted proxies %v", cfg.Shutdown, cfg.TrustedProxies)
	}
	if cfg.Throttle.Cost.MaxCost == 0 || cfg.Throttle.Operation.MaxDepth == 0 {
		t.Fatalf("throttle defaults missing: %+v", cfg.Throttle)
	}
}

func TestLoadPrecedence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "web.yaml")
	yaml := `
addr: 127.0.0.1:7000
dev: true
auth:
  issuers:
    - issuer: http://127.0.0.1:7100
      audiences: [shop]
      jwksUrl: http://127.0.0.1:7100/.well-known/jwks.json
throttle:
  cost:
    maxCost: 1234
upstreams:
  catalog:
    timeout: 750ms
  orders:
    address: http://127.0.0.1:7103
`
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(
		[]string{"-config", path, "-upstream", "orders.address=http://127.0.0.1:6103"},
		[]string{"TANDEM_WEB_ADDR=127.0.0.1:7001", "TANDEM_UPSTREAMS_ORDERS_ADDRESS=http://127.0.0.1:5103"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != "127.0.0.1:7001" { // env beats file
		t.Errorf("addr = %q", cfg.Addr)
	}
	if !cfg.Dev {
		t.Error("dev from the file was lost")
	}
	if cat := cfg.Upstreams["catalog"]; cat.Address != "" || cat.Timeout != 750*time.Millisecond {
		t.Errorf("catalog = %+v (file must merge per field)", cat)
	}
	if got := cfg.Upstreams["orders"].Address; got != "http://127.0.0.1:6103" { // flag beats env and file
		t.Errorf("orders address = %q", got)
	}
	if cfg.Auth.Issuers[0].Issuer != "http://127.0.0.1:7100" {
		t.Errorf("auth = %+v", cfg.Auth)
	}
	if cfg.Throttle.Cost.MaxCost != 1234 || cfg.Throttle.Operation.MaxDepth == 0 {
		t.Errorf("throttle must merge over the web defaults: %+v", cfg.Throttle)
	}
}

func TestLoadRejects(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	typo := write("typo.yaml", "adress: 1.2.3.4:1\n")
	noAud := write("noaud.yaml", "auth:\n  issuers:\n    - issuer: http://127.0.0.1:9100\n      jwksUrl: http://127.0.0.1:9100/jwks\n")
	cases := []struct {
		name    string
		args    []string
		environ []string
		want    string
	}{
		{"unknown key", []string{"-config", typo}, nil, "adress"},
		{"missing file", []string{"-config", filepath.Join(dir, "nope.yaml")}, nil, "nope.yaml"},
		{"bad dev env", nil, []string{"TANDEM_WEB_DEV=maybe"}, "TANDEM_WEB_DEV"},
		{"empty addr", []string{"-addr", ""}, nil, "addr is empty"},
		{"auth without audience", []string{"-config", noAud}, nil, "auth.issuers[0].audiences"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Load(c.args, c.environ)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to mention %q", err, c.want)
			}
		})
	}
}
