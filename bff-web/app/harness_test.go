package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tandemgw/tandem/bff-web/app"
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

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// registerAll mirrors the source list of cmd/bff-web (whose own test checks
// it against graph.RequiredSources).
var registerAll = []func(*registry.Registry) error{
	accounts.Register, catalog.Register, orders.Register,
	reviews.Register, inventory.Register, pricing.Register,
	recommendations.Register,
}

var grpcServices = map[string]bool{inventory.ID: true, pricing.ID: true}

// env is one bff-web built through app.New (the real handler) against its
// own in-process mock backends and identity provider, over loopback HTTP.
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
	e := &env{t: t, mocks: c, idp: startIdP(t)}

	cfg := testConfig(c, e.idp)
	if tweak != nil {
		tweak(&cfg)
	}
	a, err := app.New(ctx, cfg, newRegistry(t), app.WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = a.Close() })
	e.server = httptest.NewServer(a.Handler())
	t.Cleanup(e.server.Close)
	return e
}

func testConfig(c *mocks.Cluster, p *idp.Provider) app.Config {
	cfg := app.Default()
	cfg.Addr = "127.0.0.1:0"
	cfg.Upstreams = upstreamsOf(c)
	cfg.Auth = auth.Config{Issuers: []auth.IssuerConfig{{
		Issuer:    p.Issuer(),
		Audiences: []string{p.Audience()},
		JWKSURL:   p.JWKSURL(),
	}}}
	// The tests send many requests from one address and one user; the
	// rate limits have tests of their own in shared/throttle.
	cfg.Throttle.Rate.Requests.Limit = 1 << 20
	cfg.Throttle.Rate.Requests.Burst = 1 << 20
	cfg.Throttle.Rate.Points.Limit = 1 << 30
	cfg.Throttle.Rate.Points.Burst = 1 << 30
	return cfg
}

func newRegistry(t *testing.T) *registry.Registry {
	t.Helper()
	reg := registry.New(registry.WithApp(app.Name))
	for _, register := range registerAll {
		if err := register(reg); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

func upstreamsOf(c *mocks.Cluster) map[string]upstream.Config {
	out := map[string]upstream.Config{}
	for _, id := range []string{accounts.ID, catalog.ID, orders.ID, reviews.ID, inventory.ID, pricing.ID, recommendations.ID} {
		if grpcServices[id] {
			out[id] = upstream.Config{Address: c.Addr(id)}
		} else {
			out[id] = upstream.Config{Address: c.URL(id)}
		}
	}
	return out
}

// startIdP serves a mock identity provider on a free loopback port; its
// issuer URL is that port's URL.
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

// gql is one GraphQL request.
type gql struct {
	query          string
	vars           map[string]any
	token          string
	acceptLanguage string
}

// do POSTs r to /graphql and decodes the answer.
func (e *env) do(r gql) response {
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

// code returns the extensions.code and extensions.service of e.
func (e gqlError) code() (code, service string) {
	c, _ := e.Extensions["code"].(string)
	s, _ := e.Extensions["service"].(string)
	return c, s
}

// assertNoInternals fails if a response's errors leak backend addresses,
// bodies or Go internals (the data legitimately holds image URLs).
func (e *env) assertNoInternals(r response) {
	e.t.Helper()
	errs, err := json.Marshal(r.Errors)
	if err != nil {
		e.t.Fatal(err)
	}
	s := string(errs)
	for _, leak := range []string{"127.0.0.1", "http://", "/products", "/orders", "/summaries", "rpc error", "goroutine", ".go:", "tandem.pricing", "tandem.inventory"} {
		if strings.Contains(s, leak) {
			e.t.Fatalf("response leaks %q: %s", leak, s)
		}
	}
}

// backendJSON GETs path from a REST mock directly (test set-up, not the
// path under test) and decodes the answer into out.
func (e *env) backendJSON(service, path string, query url.Values, out any) {
	e.t.Helper()
	u := e.mocks.URL(service) + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	resp, err := http.Get(u)
	if err != nil {
		e.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		e.t.Fatalf("GET %s %s: %d %s", service, path, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		e.t.Fatal(err)
	}
}

// backendPost POSTs body to a REST mock directly (test set-up).
func (e *env) backendPost(service, path string, hdr http.Header, body any) {
	e.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		e.t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.mocks.URL(service)+path, bytes.NewReader(b))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode/100 != 2 {
		rb, _ := io.ReadAll(resp.Body)
		e.t.Fatalf("POST %s %s: %d %s", service, path, resp.StatusCode, rb)
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
