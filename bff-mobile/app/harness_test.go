package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/idp"
	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/inventory"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/sources/recommendations"
	"github.com/tandemgw/tandem/shared/sources/reviews"
	"github.com/tandemgw/tandem/shared/upstream"
)

// registerAll mirrors the source list of cmd/bff-mobile (its own test checks
// that list against the resolvers' RequiredSources).
var registerAll = []func(*registry.Registry) error{
	accounts.Register, catalog.Register, orders.Register,
	reviews.Register, inventory.Register, pricing.Register,
	recommendations.Register,
}

var grpcServices = map[string]bool{inventory.ID: true, pricing.ID: true}

// env is one bff-mobile built through app.New against its own in-process
// mock backends and identity provider, served over real loopback HTTP.
type env struct {
	t      *testing.T
	mocks  *mocks.Cluster
	idp    *idp.Provider
	server *httptest.Server
}

// newEnv starts the mocks and an identity provider, builds the app from a
// configuration pointing at them (tweak may adjust it) and serves it.
func newEnv(t *testing.T, tweak func(*app.Config)) *env {
	t.Helper()
	ctx := context.Background()
	c, err := mocks.Start(ctx, mocks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	e := &env{t: t, mocks: c}
	e.idp = startIdP(t)

	cfg := app.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.Upstreams = upstreamsOf(c)
	cfg.Auth = auth.Config{Issuers: []auth.IssuerConfig{{
		Issuer:    e.idp.Issuer(),
		Audiences: []string{e.idp.Audience()},
		JWKSURL:   e.idp.JWKSURL(),
	}}}
	if tweak != nil {
		tweak(&cfg)
	}
	reg := registry.New(registry.WithApp(app.Name))
	for _, register := range registerAll {
		if err := register(reg); err != nil {
			t.Fatal(err)
		}
	}
	a, err := app.New(ctx, cfg, reg, app.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	e.server = httptest.NewServer(a.Handler())
	t.Cleanup(e.server.Close)
	return e
}

func upstreamsOf(c *mocks.Cluster) map[string]upstream.Config {
	out := map[string]upstream.Config{}
	for id := range app.DefaultUpstreams() {
		if grpcServices[id] {
			out[id] = upstream.Config{Address: c.Addr(id)}
		} else {
			out[id] = upstream.Config{Address: c.URL(id)}
		}
	}
	return out
}

// startIdP serves a mock identity provider on a free loopback port; its
// issuer URL is that port's URL, as discovery requires.
func startIdP(t *testing.T) *idp.Provider {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := idp.New(idp.Options{Issuer: "http://" + ln.Addr().String()})
	if err != nil {
		_ = ln.Close()
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 5 * time.Second}}
	srv.Start()
	t.Cleanup(srv.Close)
	return p
}

// token mints an access token for user with scopes.
func (e *env) token(user string, scopes ...string) string {
	e.t.Helper()
	tok, err := e.idp.Mint(user, scopes, time.Hour, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
	Raw    []byte          `json:"-"`
	Status int             `json:"-"`
}

// req is one GraphQL request.
type req struct {
	query          string
	vars           map[string]any
	token          string
	acceptLanguage string
}

// do POSTs r to /graphql and decodes the answer.
func (e *env) do(r req) response {
	e.t.Helper()
	body, err := json.Marshal(map[string]any{"query": r.query, "variables": r.vars})
	if err != nil {
		e.t.Fatal(err)
	}
	hr, err := http.NewRequest(http.MethodPost, e.server.URL+"/graphql", bytes.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	hr.Header.Set("Content-Type", "application/json")
	if r.token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.acceptLanguage != "" {
		hr.Header.Set("Accept-Language", r.acceptLanguage)
	}
	resp, err := e.server.Client().Do(hr)
	if err != nil {
		e.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	out := response{Raw: raw, Status: resp.StatusCode}
	if err := json.Unmarshal(raw, &out); err != nil {
		e.t.Fatalf("status %d, body not JSON: %s", resp.StatusCode, raw)
	}
	return out
}

// decode unmarshals the data of r into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("data: %v: %s", err, r.Data)
	}
}

// noErrors fails the test if r carries GraphQL errors.
func (r response) noErrors(t *testing.T) {
	t.Helper()
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("status %d, errors: %s", r.Status, r.Raw)
	}
}

// errorAt returns the error whose path is path (dot-joined), failing the
// test if there is none.
func (r response) errorAt(t *testing.T, path string) gqlError {
	t.Helper()
	for _, e := range r.Errors {
		var parts []string
		for _, p := range e.Path {
			b, _ := json.Marshal(p)
			parts = append(parts, strings.Trim(string(b), `"`))
		}
		if strings.Join(parts, ".") == path {
			return e
		}
	}
	t.Fatalf("no error at %s: %s", path, r.Raw)
	return gqlError{}
}

// assertNoInternals fails if a response leaks backend addresses or bodies.
func (e *env) assertNoInternals(r response) {
	e.t.Helper()
	s := string(r.Raw)
	for _, leak := range []string{"127.0.0.1", "localhost", "rpc error", "goroutine", ".go:", `"error":{`, "Internal Server Error", "Bearer"} {
		if strings.Contains(s, leak) {
			e.t.Fatalf("response leaks %q: %s", leak, s)
		}
	}
}

// calls returns the mocks' call counts of the given services.
func (e *env) calls(services ...string) map[string]int64 {
	out := map[string]int64{}
	for _, s := range services {
		out[s] = e.mocks.Counters().Total(s)
	}
	return out
}
