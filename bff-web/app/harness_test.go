package app_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/idp"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/registry"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// env is one bff-web built through app.New (the real handler) against its
// own in-process mock backends and identity provider (gatewaytest.Env).
type env struct{ *gatewaytest.Env }

type response = gatewaytest.Response

// newEnv starts the mocks and an identity provider, builds the app from a
// configuration pointing at them (testConfig; tweak may adjust it) and
// serves it.
func newEnv(t *testing.T, tweak func(*app.Config)) *env {
	t.Helper()
	return &env{gatewaytest.Start(t, gatewaytest.Options{
		Spec:     app.Spec,
		New:      app.New,
		Register: app.Sources,
		Tweak: func(c *app.Config) {
			relaxRates(c)
			if tweak != nil {
				tweak(c)
			}
		},
	})}
}

// startEnv is newEnv as a gatewaytest.StartFunc, for the checks
// shared with the other BFF.
func startEnv(t *testing.T, tweak func(*app.Config)) *gatewaytest.Env {
	return newEnv(t, tweak).Env
}

// testConfig is the configuration newEnv starts from, for tests that build
// the app themselves.
func testConfig(c *mocks.Cluster, p *idp.Provider) app.Config {
	cfg := gatewaytest.Config(app.Spec, c, p)
	relaxRates(&cfg)
	return cfg
}

// relaxRates lifts the rate limits: the tests send many requests from one
// address and one user; the limits have tests of their own
// (throttle_e2e_test.go, shared/throttle).
func relaxRates(cfg *app.Config) {
	cfg.Throttle.Rate.Requests.Limit = 1 << 20
	cfg.Throttle.Rate.Requests.Burst = 1 << 20
	cfg.Throttle.Rate.Points.Limit = 1 << 30
	cfg.Throttle.Rate.Points.Burst = 1 << 30
	cfg.Throttle.Rate.Anonymous.Requests = cfg.Throttle.Rate.Requests
	cfg.Throttle.Rate.Anonymous.Points = cfg.Throttle.Rate.Points
}

func newRegistry(t *testing.T) *registry.Registry {
	return gatewaytest.Registry(t, app.Name, app.Sources)
}

// gql is one GraphQL request.
type gql struct {
	query          string
	vars           map[string]any
	token          string
	acceptLanguage string
}

// do POSTs r to /graphql and decodes the answer.
func (e *env) do(r gql) response {
	e.T.Helper()
	return e.Do(gatewaytest.Request{Query: r.query, Vars: r.vars, Token: r.token, AcceptLanguage: r.acceptLanguage})
}

// assertNoInternals fails if a response's errors leak backend addresses,
// bodies or Go internals (the data legitimately holds image URLs).
func (e *env) assertNoInternals(r response) {
	e.T.Helper()
	errs, err := json.Marshal(r.Errors)
	if err != nil {
		e.T.Fatal(err)
	}
	s := string(errs)
	for _, leak := range []string{"127.0.0.1", "http://", "/products", "/orders", "/summaries", "rpc error", "goroutine", ".go:", "tandem.pricing", "tandem.inventory"} {
		if strings.Contains(s, leak) {
			e.T.Fatalf("response leaks %q: %s", leak, s)
		}
	}
}

// golden compares got (indented JSON) with testdata/name, rewriting it with
// -update.
func golden(t *testing.T, name string, got json.RawMessage) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, got, "", "  "); err != nil {
		t.Fatal(err)
	}
	buf.WriteByte('\n')
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, buf.Bytes()) {
		t.Fatalf("response differs from %s (run go test -update if the change is intended):\n%s", path, buf.Bytes())
	}
}
