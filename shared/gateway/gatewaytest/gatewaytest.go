package gatewaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/idp"
	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/telemetry"
	"github.com/tandemgw/tandem/shared/upstream"
)

// StartMocks starts every mock backend on loopback ports and closes them
// when the test ends.
func StartMocks(t testing.TB) *mocks.Cluster { return StartMocksWith(t, mocks.Options{}) }

// StartMocksWith is StartMocks with options (TLS, for instance).
func StartMocksWith(t testing.TB, o mocks.Options) *mocks.Cluster {
	t.Helper()
	c, err := mocks.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// StartIdP serves a mock identity provider on a free loopback port (its
// issuer URL is that port's URL, as discovery requires) until the test
// ends.
func StartIdP(t testing.TB) *idp.Provider {
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

// Upstreams points every service the mocks serve at its mock (a base URL
// for REST, host:port for gRPC), with the production defaults for
// everything else: call-count tests hold with the batch window
// production runs with.
func Upstreams(c *mocks.Cluster) map[string]upstream.Config {
	out := map[string]upstream.Config{}
	for id, addr := range c.Addrs() {
		if u := c.URL(id); u != "" {
			addr = u
		}
		out[id] = upstream.Config{Address: addr}
	}
	return out
}

// AuthConfig trusts the tokens p mints.
func AuthConfig(p *idp.Provider) auth.Config {
	return auth.Config{Issuers: []auth.IssuerConfig{{
		Issuer:    p.Issuer(),
		Audiences: []string{p.Audience()},
		JWKSURL:   p.JWKSURL(),
	}}}
}

// Config is spec's default configuration pointed at c and p, listening on a
// free loopback port.
func Config(spec gateway.Spec, c *mocks.Cluster, p *idp.Provider) gateway.Config {
	cfg := gateway.Default(spec)
	cfg.Addr = "127.0.0.1:0"
	cfg.Upstreams = Upstreams(c)
	cfg.Auth = AuthConfig(p)
	return cfg
}

// Registry is a registry for the BFF name with every source of register,
// as the BFF's main builds it.
func Registry(t testing.TB, name string, register []func(*registry.Registry) error) *registry.Registry {
	t.Helper()
	reg := registry.New(registry.WithApp(name))
	for _, r := range register {
		if err := r(reg); err != nil {
			t.Fatal(err)
		}
	}
	return reg
}

// NewFunc is a BFF's constructor: its app.New, which is gateway.New with the
// BFF's Spec.
type NewFunc func(ctx context.Context, cfg gateway.Config, reg *registry.Registry, opts ...gateway.Option) (*gateway.App, error)

// Options describe the BFF under test.
type Options struct {
	Spec gateway.Spec // the BFF's Spec (name, defaults)
	New  NewFunc      // the BFF's constructor, the one its main uses
	// Register lists the sources to register, as the BFF's main does.
	Register []func(*registry.Registry) error
	// Tweak adjusts the configuration before the app is built. Optional.
	Tweak func(*gateway.Config)
	// AppOptions are passed to New after a logger writing to Env.Logs.
	AppOptions []gateway.Option
	// MockOptions start the mocks (TLS, for instance). Optional.
	MockOptions mocks.Options
}

// Env is one BFF built through its own constructor against its own mocks
// and identity provider, served over loopback HTTP. T is the test that
// reports failures; a subtest may set it to its own t.
//
// Everything the app logs goes to Logs (JSON, every level). When the test
// ends, every line must be strict JSON (no key twice) and hold none of the
// tokens, query texts and variable values its requests carried (Do,
// Token).
type Env struct {
	T      testing.TB
	Mocks  *mocks.Cluster
	IdP    *idp.Provider
	Server *httptest.Server
	App    *gateway.App
	Logs   *Logs

	secrets secrets
}

// Start starts the mocks and an identity provider, builds the app from a
// configuration pointing at them (Config, then o.Tweak) and serves it until
// the test ends.
func Start(t testing.TB, o Options) *Env {
	t.Helper()
	e := &Env{T: t, Mocks: StartMocksWith(t, o.MockOptions), IdP: StartIdP(t), Logs: &Logs{}}
	// Registered first, so it runs last: after the server has closed and
	// every request's access log line is written.
	t.Cleanup(func() { e.secrets.check(t, e.Logs) })
	cfg := Config(o.Spec, e.Mocks, e.IdP)
	if o.Tweak != nil {
		o.Tweak(&cfg)
	}
	logger, err := telemetry.NewLogger(e.Logs, o.Spec.Name, "debug", "json")
	if err != nil {
		t.Fatal(err)
	}
	opts := append([]gateway.Option{gateway.WithLogger(logger)}, o.AppOptions...)
	a, err := o.New(context.Background(), cfg, Registry(t, o.Spec.Name, o.Register), opts...)
	if err != nil {
		t.Fatal(err)
	}
	e.App = a
	t.Cleanup(func() { _ = a.Close() })
	e.Server = httptest.NewServer(a.Handler())
	t.Cleanup(e.Server.Close)
	return e
}

// Token mints an access token for user with scopes, valid for an hour.
func (e *Env) Token(user string, scopes ...string) string {
	e.T.Helper()
	tok, err := e.IdP.Mint(user, scopes, time.Hour, nil)
	if err != nil {
		e.T.Fatal(err)
	}
	e.secrets.add("a token", tok)
	return tok
}

// TotalCalls is the number of calls the mock backends received, every
// service and route (and unmatched calls) included.
func (e *Env) TotalCalls() int64 {
	var n int64
	for _, routes := range e.Mocks.Counters().Snapshot() {
		for _, c := range routes {
			n += c
		}
	}
	return n
}

// Calls returns the mocks' call counts of the given services.
func (e *Env) Calls(services ...string) map[string]int64 {
	out := map[string]int64{}
	for _, s := range services {
		out[s] = e.Mocks.Counters().Total(s)
	}
	return out
}

// Request is one GraphQL request.
type Request struct {
	Query          string
	Vars           map[string]any
	Token          string // bearer token; none when empty
	AcceptLanguage string // header; none when empty
	// Header holds further headers, every value of a key added (several
	// Authorization headers, X-Forwarded-For, spoofed identity headers).
	// Optional.
	Header http.Header
	// Body, when set, is sent as it is instead of the JSON of Query and
	// Vars (a batch, a body of an exact size). Optional.
	Body []byte
	// Chunked hides the body's length (no Content-Length: sent chunked),
	// as a streaming client would. Default false.
	Chunked bool
}

// Error is one GraphQL error of a response.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code returns extensions.code and extensions.service of e.
func (e Error) Code() (code errcode.Code, service string) {
	c, _ := e.Extensions["code"].(string)
	s, _ := e.Extensions["service"].(string)
	return errcode.Code(c), s
}

// Response is a decoded answer of /graphql.
type Response struct {
	Data       json.RawMessage `json:"data"`
	Errors     []Error         `json:"errors"`
	Extensions map[string]any  `json:"extensions"`
	Raw        []byte          `json:"-"`
	Status     int             `json:"-"`
	Header     http.Header     `json:"-"`
}

// Do POSTs r to /graphql and decodes the answer; a body that is not JSON
// fails the test.
func (e *Env) Do(r Request) Response {
	e.T.Helper()
	e.noteSecrets(r)
	body := r.Body
	if body == nil {
		var err error
		body, err = json.Marshal(map[string]any{"query": r.Query, "variables": r.Vars})
		if err != nil {
			e.T.Fatal(err)
		}
	}
	var rd io.Reader = bytes.NewReader(body)
	if r.Chunked {
		rd = io.MultiReader(rd) // unknown length: sent chunked
	}
	hr, err := http.NewRequest(http.MethodPost, e.Server.URL+"/graphql", rd)
	if err != nil {
		e.T.Fatal(err)
	}
	hr.Header.Set("Content-Type", "application/json")
	// What Apollo Client 4 sends: a request error is then 400 (GraphQL
	// over HTTP); shared/edge's tests cover application/json's 200.
	hr.Header.Set("Accept", "application/graphql-response+json, application/json;q=0.9")
	if r.Token != "" {
		hr.Header.Set("Authorization", "Bearer "+r.Token)
	}
	if r.AcceptLanguage != "" {
		hr.Header.Set("Accept-Language", r.AcceptLanguage)
	}
	for k, vs := range r.Header {
		for _, v := range vs {
			hr.Header.Add(k, v)
		}
	}
	resp, err := e.Server.Client().Do(hr)
	if err != nil {
		e.T.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	out := Response{Raw: raw, Status: resp.StatusCode, Header: resp.Header}
	if err := json.Unmarshal(raw, &out); err != nil {
		e.T.Fatalf("status %d, body not JSON: %s", resp.StatusCode, raw)
	}
	return out
}

// noteSecrets remembers what r carries that no log line may hold.
func (e *Env) noteSecrets(r Request) {
	e.secrets.add("a token", r.Token)
	for _, h := range r.Header.Values("Authorization") {
		e.secrets.addAuthorization(h)
	}
	queries := []string{r.Query}
	vars := []any{r.Vars}
	if r.Body != nil {
		var one map[string]any
		var many []map[string]any
		if json.Unmarshal(r.Body, &one) == nil {
			many = append(many, one)
		} else {
			_ = json.Unmarshal(r.Body, &many)
		}
		for _, op := range many {
			q, _ := op["query"].(string)
			queries = append(queries, q)
			vars = append(vars, op["variables"])
		}
	}
	for _, q := range queries {
		e.secrets.add("a query text", q)
		if len(q) > 32 {
			e.secrets.add("the start of a query text", q[:32])
		}
	}
	for _, v := range vars {
		if m, ok := v.(map[string]any); ok {
			e.secrets.addVars(m)
		}
	}
}

// Decode unmarshals the data of r into v.
func (r Response) Decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Data, v); err != nil {
		t.Fatalf("data: %v: %s", err, r.Data)
	}
}

// NoErrors fails the test if r is not a 200 without GraphQL errors.
func (r Response) NoErrors(t testing.TB) {
	t.Helper()
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("status %d, errors: %s", r.Status, r.Raw)
	}
}

// ErrorAt returns the error whose path is path (dot-joined, "a.0.b"),
// failing the test if there is none.
func (r Response) ErrorAt(t testing.TB, path string) Error {
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
	return Error{}
}

// BackendJSON GETs path from a REST mock directly (test set-up, not the
// path under test) and decodes the answer into out.
func (e *Env) BackendJSON(service, path string, query url.Values, out any) {
	e.T.Helper()
	u := e.Mocks.URL(service) + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	resp, err := http.Get(u)
	if err != nil {
		e.T.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		e.T.Fatalf("GET %s %s: %d %s", service, path, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		e.T.Fatal(err)
	}
}

// BackendPost POSTs body to a REST mock directly (test set-up).
func (e *Env) BackendPost(service, path string, hdr http.Header, body any) {
	e.T.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		e.T.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, e.Mocks.URL(service)+path, bytes.NewReader(b))
	if err != nil {
		e.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode/100 != 2 {
		rb, _ := io.ReadAll(resp.Body)
		e.T.Fatalf("POST %s %s: %d %s", service, path, resp.StatusCode, rb)
	}
}
