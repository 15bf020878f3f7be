package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/registry"
)

// Outside dev mode the built-in defaults do not start: with no
// configuration the binary exits at once with one message naming every
// source's address setting and the token issuer, instead of serving
// against loopback mock addresses.
func TestProductionStartWithDefaultsFails(t *testing.T) {
	var stdout, stderr bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := gateway.Main(ctx, app.Spec, app.Sources, []string{"-addr", "127.0.0.1:0"}, nil, &stdout, &stderr)
	if err == nil {
		t.Fatal("bff-web started in production mode with the built-in defaults")
	}
	want := []string{"bff-web: refusing to start outside dev mode", "-dev", "auth.issuers"}
	reg := registry.New()
	for _, register := range app.Sources {
		if err := register(reg); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range reg.IDs() {
		want = append(want, registry.ConfigKey(id), registry.EnvKey(id))
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("the error does not name %q:\n%v", w, err)
		}
	}
}

func TestRunRejectsBadConfiguration(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run([]string{"-log-level", "loud"}, nil, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "log.level") || !strings.Contains(err.Error(), "bff-web -h") {
		t.Fatalf("err = %v, want it to name log.level and point at -h", err)
	}
}

// -h prints the usage with every flag to stdout and is not an error (exit
// status 0).
func TestHelpPrintsUsage(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		var stdout, stderr bytes.Buffer
		if err := run([]string{arg}, nil, &stdout, &stderr); err != nil {
			t.Fatalf("%s: %v", arg, err)
		}
		out := stdout.String()
		for _, want := range []string{"Usage: bff-web", "-config", "-addr", "-admin-addr", "TANDEM_WEB_ADMIN_ADDR", "-dev", "-log-level", "-log-format", "-upstream",
			"TANDEM_WEB_ADDR", "TANDEM_UPSTREAMS_<SVC>_<FIELD>", "127.0.0.1:8080"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: usage lacks %q:\n%s", arg, want, out)
			}
		}
		if stderr.Len() != 0 {
			t.Errorf("%s: stderr %q", arg, stderr.String())
		}
	}
}
