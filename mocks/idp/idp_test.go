package idp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/mocks/idp"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)}
}

func getJSON(t *testing.T, h http.Handler, path string, out any) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	resp := rec.Result()
	require.Equal(t, http.StatusOK, resp.StatusCode, rec.Body.String())
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), out))
	return resp
}

type jwks struct {
	Keys []map[string]any `json:"keys"`
}

func (s jwks) kids() []string {
	var out []string
	for _, k := range s.Keys {
		out = append(out, k["kid"].(string))
	}
	return out
}

func TestDiscovery(t *testing.T) {
	p, err := idp.New(idp.Options{Issuer: "http://127.0.0.1:9100/"})
	require.NoError(t, err)
	var d map[string]any
	getJSON(t, p.Handler(), idp.DiscoveryPath, &d)
	assert.Equal(t, "http://127.0.0.1:9100", d["issuer"], "trailing slash trimmed: iss must match exactly")
	assert.Equal(t, "http://127.0.0.1:9100/.well-known/jwks.json", d["jwks_uri"])
	assert.Equal(t, []any{"RS256"}, d["id_token_signing_alg_values_supported"])
}

func TestNewRejectsBadOptions(t *testing.T) {
	_, err := idp.New(idp.Options{Algorithm: "HS256"})
	require.Error(t, err)
	_, err = idp.New(idp.Options{Issuer: "not a url"})
	require.Error(t, err)
	_, err = idp.New(idp.Options{DefaultTTL: 48 * time.Hour})
	require.Error(t, err)
}

func TestJWKSPublishesOnlyPublicKeys(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			p, err := idp.New(idp.Options{Algorithm: alg})
			require.NoError(t, err)
			var set jwks
			getJSON(t, p.Handler(), idp.JWKSPath, &set)
			require.Len(t, set.Keys, 1)
			k := set.Keys[0]
			assert.Equal(t, p.CurrentKID(), k["kid"])
			assert.Equal(t, alg, k["alg"])
			assert.Equal(t, "sig", k["use"])
			for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
				assert.NotContains(t, k, private, "private member %q published", private)
			}
		})
	}
}

func TestOmitKeyAlg(t *testing.T) {
	p, err := idp.New(idp.Options{OmitKeyAlg: true, Algorithm: "ES256"})
	require.NoError(t, err)
	var set jwks
	getJSON(t, p.Handler(), idp.JWKSPath, &set)
	require.Len(t, set.Keys, 1)
	assert.NotContains(t, set.Keys[0], "alg")
	assert.Equal(t, "EC", set.Keys[0]["kty"])
}

// verifyWith parses tok with keys fetched from the provider's JWKS over HTTP.
func verifyWith(t *testing.T, srv *httptest.Server, p *idp.Provider, tok string, now time.Time) (jwt.MapClaims, error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	kf, err := keyfunc.NewDefaultCtx(ctx, []string{srv.URL + idp.JWKSPath})
	require.NoError(t, err)
	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(tok, claims, kf.Keyfunc,
		jwt.WithValidMethods([]string{p.Algorithm()}),
		jwt.WithIssuer(p.Issuer()),
		jwt.WithAudience(p.Audience()),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(func() time.Time { return now }))
	return claims, err
}

func TestMintVerifiesAgainstJWKS(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			clock := newClock()
			p, err := idp.New(idp.Options{Algorithm: alg, Now: clock.Now})
			require.NoError(t, err)
			srv := httptest.NewServer(p.Handler())
			defer srv.Close()

			tok, err := p.Mint("usr_000042", []string{"orders:read", "cart:write"}, 10*time.Minute, map[string]any{"client_id": "web"})
			require.NoError(t, err)
			claims, err := verifyWith(t, srv, p, tok, clock.Now())
			require.NoError(t, err)
			assert.Equal(t, "usr_000042", claims["sub"])
			assert.Equal(t, "orders:read cart:write", claims["scope"])
			assert.Equal(t, "web", claims["client_id"])
			assert.Equal(t, float64(clock.Now().Add(10*time.Minute).Unix()), claims["exp"])

			_, err = verifyWith(t, srv, p, tok, clock.Now().Add(11*time.Minute))
			require.ErrorIs(t, err, jwt.ErrTokenExpired)
		})
	}
}

func TestMintDefaultsAndOverrides(t *testing.T) {
	clock := newClock()
	p, err := idp.New(idp.Options{Now: clock.Now, DefaultTTL: 5 * time.Minute})
	require.NoError(t, err)
	_, err = p.Mint("", nil, 0, nil)
	require.Error(t, err, "a subject is required")

	tok, err := p.Mint("usr_1", nil, 0, map[string]any{"aud": "someone-else"})
	require.NoError(t, err)
	claims := jwt.MapClaims{}
	_, _, err = jwt.NewParser().ParseUnverified(tok, claims)
	require.NoError(t, err)
	assert.Equal(t, "someone-else", claims["aud"], "extra overrides standard claims")
	assert.NotContains(t, claims, "scope", "no scopes, no scope claim")
	assert.Equal(t, float64(clock.Now().Add(5*time.Minute).Unix()), claims["exp"])

	tok, err = p.Mint("usr_1", nil, 7*24*time.Hour, nil)
	require.NoError(t, err)
	claims = jwt.MapClaims{}
	_, _, err = jwt.NewParser().ParseUnverified(tok, claims)
	require.NoError(t, err)
	assert.Equal(t, float64(clock.Now().Add(idp.MaxTTL).Unix()), claims["exp"], "ttl capped")
}

func TestRotationOverlap(t *testing.T) {
	clock := newClock()
	p, err := idp.New(idp.Options{Now: clock.Now, Overlap: 30 * time.Minute, Algorithm: "ES256"})
	require.NoError(t, err)
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()

	first := p.CurrentKID()
	oldTok, err := p.Mint("usr_1", nil, time.Hour, nil)
	require.NoError(t, err)

	require.NoError(t, p.Rotate())
	second := p.CurrentKID()
	require.NotEqual(t, first, second)
	newTok, err := p.Mint("usr_1", nil, time.Hour, nil)
	require.NoError(t, err)
	hdr := jwt.MapClaims{}
	parsed, _, err := jwt.NewParser().ParseUnverified(newTok, hdr)
	require.NoError(t, err)
	assert.Equal(t, second, parsed.Header["kid"], "new tokens are signed with the new key")

	var set jwks
	getJSON(t, p.Handler(), idp.JWKSPath, &set)
	assert.Equal(t, []string{second, first}, set.kids(), "old key published during the overlap")
	_, err = verifyWith(t, srv, p, oldTok, clock.Now())
	require.NoError(t, err, "old token valid during overlap")
	_, err = verifyWith(t, srv, p, newTok, clock.Now())
	require.NoError(t, err)

	clock.Advance(30*time.Minute - time.Second)
	getJSON(t, p.Handler(), idp.JWKSPath, &set)
	assert.Equal(t, []string{second, first}, set.kids())

	clock.Advance(time.Second)
	set = jwks{}
	getJSON(t, p.Handler(), idp.JWKSPath, &set)
	assert.Equal(t, []string{second}, set.kids(), "old key dropped when the overlap ends")
	_, err = verifyWith(t, srv, p, oldTok, clock.Now())
	require.Error(t, err, "old token no longer verifies")
}

func TestAdminMintAndRotate(t *testing.T) {
	clock := newClock()
	p, err := idp.New(idp.Options{Now: clock.Now})
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/idp/", http.StripPrefix("/idp", p.AdminHandler()))
	admin := httptest.NewServer(mux)
	defer admin.Close()
	srv := httptest.NewServer(p.Handler())
	defer srv.Close()

	post := func(path, body string) (*http.Response, []byte) {
		t.Helper()
		resp, err := http.Post(admin.URL+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		var buf bytes.Buffer
		_, err = buf.ReadFrom(resp.Body)
		require.NoError(t, err)
		return resp, buf.Bytes()
	}

	resp, body := post("/idp/tokens", `{"sub":"usr_000007","scopes":["orders:read"],"ttlSeconds":120,"clientId":"mobile"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	assert.Equal(t, "no-store", resp.Header.Get("Cache-Control"))
	var tr idp.TokenResponse
	require.NoError(t, json.Unmarshal(body, &tr))
	assert.True(t, tr.ExpiresAt.Equal(clock.Now().Add(2*time.Minute)))
	claims, err := verifyWith(t, srv, p, tr.Token, clock.Now())
	require.NoError(t, err)
	assert.Equal(t, "usr_000007", claims["sub"])
	assert.Equal(t, "orders:read", claims["scope"])
	assert.Equal(t, "mobile", claims["client_id"])

	for _, bad := range []string{`{}`, `not json`, `{"sub":"u","ttlSeconds":-1}`, `{"sub":"u","ttlSeconds":999999}`, `{"sub":"u","extra":1}`} {
		resp, body := post("/idp/tokens", bad)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, bad)
		assert.Contains(t, string(body), `"code":"BAD_REQUEST"`)
	}

	before := p.CurrentKID()
	resp, body = post("/idp/rotate", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var rr idp.RotateResponse
	require.NoError(t, json.Unmarshal(body, &rr))
	assert.Equal(t, p.CurrentKID(), rr.KID)
	assert.NotEqual(t, before, rr.KID)

	getResp, err := http.Get(admin.URL + "/idp/tokens")
	require.NoError(t, err)
	getResp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, getResp.StatusCode)
}

func TestConcurrentMintAndRotate(t *testing.T) {
	p, err := idp.New(idp.Options{Algorithm: "EdDSA"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 20 {
				_, err := p.Mint("usr_1", []string{"a"}, time.Minute, nil)
				assert.NoError(t, err)
			}
		})
	}
	wg.Go(func() {
		for range 5 {
			assert.NoError(t, p.Rotate())
			_, err := p.JWKS()
			assert.NoError(t, err)
		}
	})
	wg.Wait()
}
