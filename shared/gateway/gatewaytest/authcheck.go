package gatewaytest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tandemgw/tandem/mocks/idp"
	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/gateway"
)

// NoneToken is an unsigned ("alg": "none") token with otherwise valid
// claims (issuer, audience, key id, an hour's validity, orders:read) for p.
func NoneToken(p *idp.Provider, sub string) string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	now := time.Now().Unix()
	return enc(map[string]any{"alg": "none", "typ": "JWT", "kid": p.CurrentKID()}) + "." +
		enc(map[string]any{"iss": p.Issuer(), "aud": p.Audience(), "sub": sub, "iat": now, "nbf": now, "exp": now + 3600, "scope": "orders:read"}) + "."
}

// CheckInvalidTokenRejects proves that a present but invalid credential
// (expired, wrong audience, alg none, malformed, another scheme, two
// Authorization headers) refuses the whole request: 401 with
// WWW-Authenticate: Bearer error="invalid_token", a body of one
// UNAUTHENTICATED error naming the reason and no data, the credential not
// echoed, and no backend called. query must be one anonymous callers may
// partly run: its anonymous control must reach the backends, or the check
// proves nothing.
func CheckInvalidTokenRejects(t *testing.T, e *Env, query string) {
	t.Helper()
	control := e.Do(Request{Query: query})
	if control.Status != http.StatusOK || e.TotalCalls() == 0 {
		t.Fatalf("anonymous control: status %d, %d backend calls: %s", control.Status, e.TotalCalls(), control.Raw)
	}

	mint := func(extra map[string]any) string {
		tok, err := e.IdP.Mint("usr_000042", []string{"orders:read"}, time.Hour, extra)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	past := time.Now().Add(-2 * time.Hour).Unix()
	valid := e.Token("usr_000042", "orders:read")
	cases := []struct {
		name   string
		auth   []string
		reason string
	}{
		{"expired", []string{"Bearer " + mint(map[string]any{"iat": past, "nbf": past, "exp": past + 60})}, "expired"},
		{"wrong audience", []string{"Bearer " + mint(map[string]any{"aud": "another-api"})}, "wrong_audience"},
		{"alg none", []string{"Bearer " + NoneToken(e.IdP, "usr_000042")}, "algorithm_not_allowed"},
		{"garbage bearer", []string{"Bearer not a jwt at all"}, "malformed"},
		{"garbage token", []string{"Bearer AAAA.BBBB.CCCC"}, "malformed"},
		{"other scheme", []string{"Basic dXNlcjpwYXNz"}, "unsupported_scheme"},
		{"two Authorization headers", []string{"Bearer " + valid, "Bearer " + valid}, "multiple_authorization_headers"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e.Mocks.Counters().Reset()
			r := e.Do(Request{Query: query, Header: http.Header{"Authorization": c.auth}})
			if r.Status != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401: %s", r.Status, r.Raw)
			}
			if got := r.Header.Get("WWW-Authenticate"); got != `Bearer error="invalid_token"` {
				t.Fatalf("WWW-Authenticate %q", got)
			}
			var body map[string]json.RawMessage
			if err := json.Unmarshal(r.Raw, &body); err != nil {
				t.Fatal(err)
			}
			if _, ok := body["data"]; ok || len(r.Errors) != 1 {
				t.Fatalf("want one error and no data: %s", r.Raw)
			}
			if code, _ := r.Errors[0].Code(); code != errcode.Unauthenticated || r.Errors[0].Extensions["reason"] != c.reason {
				t.Fatalf("error %+v, want UNAUTHENTICATED/%s", r.Errors[0], c.reason)
			}
			for _, a := range c.auth {
				tok := strings.TrimPrefix(a, "Bearer ")
				if len(tok) > 8 && bytes.Contains(r.Raw, []byte(tok)) {
					t.Fatalf("the 401 body echoes the credential: %s", r.Raw)
				}
			}
			if n := e.TotalCalls(); n != 0 {
				t.Fatalf("rejected request made %d backend calls: %v", n, e.Mocks.Counters().Snapshot())
			}
		})
	}
}

// CountingIdP is a mock identity provider that counts JWKS fetches.
type CountingIdP struct {
	*idp.Provider
	jwksFetches atomic.Int64
}

// JWKSFetches is the number of JWKS fetches p has served.
func (p *CountingIdP) JWKSFetches() int64 { return p.jwksFetches.Load() }

// StartCountingIdP serves a CountingIdP on a free loopback port (its issuer
// URL is that port's URL) until the test ends.
func StartCountingIdP(t testing.TB) *CountingIdP {
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
	c := &CountingIdP{Provider: p}
	inner := p.Handler()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == idp.JWKSPath {
			c.jwksFetches.Add(1)
		}
		inner.ServeHTTP(w, r)
	})
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}}
	srv.Start()
	t.Cleanup(srv.Close)
	return c
}

// CheckKeyRotation rotates the identity provider's signing key while the
// BFF runs (an Env from start, trusting a CountingIdP). The JWKS is fetched
// once at startup; a token signed with the new key names a key id the
// verifier has not seen: it refetches the JWKS exactly once and accepts the
// token, with no restart. Tokens signed with the retired key keep working
// during the overlap, before and after that refetch, without further
// fetches. viewerQuery asks for the caller's id, which the answer holds at
// viewerPath (dot-joined, "home.viewer.id").
func CheckKeyRotation(t *testing.T, start StartFunc, viewerQuery, viewerPath string) {
	t.Helper()
	p := StartCountingIdP(t)
	e := start(t, func(c *gateway.Config) {
		c.Auth.Issuers = []auth.IssuerConfig{{Issuer: p.Issuer(), Audiences: []string{p.Audience()}, JWKSURL: p.JWKSURL()}}
	})
	mint := func(sub string) string {
		tok, err := p.Mint(sub, nil, time.Hour, nil)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	viewer := func(tok, want string) {
		t.Helper()
		r := e.Do(Request{Query: viewerQuery, Token: tok})
		r.NoErrors(t)
		var d any
		r.Decode(t, &d)
		for _, k := range strings.Split(viewerPath, ".") {
			m, _ := d.(map[string]any)
			d = m[k]
		}
		if d != want {
			t.Fatalf("viewer %v, want %q", d, want)
		}
	}
	fetches := func(want int64) {
		t.Helper()
		if n := p.JWKSFetches(); n != want {
			t.Fatalf("%d JWKS fetches, want %d", n, want)
		}
	}

	fetches(1) // at startup
	oldKID := p.CurrentKID()
	oldTok := mint("usr_000001")
	viewer(oldTok, "usr_000001")
	fetches(1)

	if err := p.Rotate(); err != nil {
		t.Fatal(err)
	}
	if p.CurrentKID() == oldKID {
		t.Fatal("rotation kept the key id")
	}
	// The old key is still cached: no fetch needed.
	viewer(oldTok, "usr_000001")
	fetches(1)

	newTok := mint("usr_000002")
	viewer(newTok, "usr_000002")
	fetches(2) // the unknown-kid refetch

	// The refetched set still publishes the retired key (overlap).
	viewer(oldTok, "usr_000001")
	viewer(newTok, "usr_000002")
	fetches(2)
}
