package auth_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/mocks/idp"
	"github.com/tandemgw/tandem/shared/auth"
)

func TestRotationWithoutRestart(t *testing.T) {
	clock := newClock()
	const overlap = 30 * time.Minute
	ti := newTestIdP(t, idp.Options{Issuer: "https://idp.test", Now: clock.Now, Overlap: overlap, DefaultTTL: 24 * time.Hour})
	ic := ti.issuerConfig()
	// Let every unknown kid refetch: this test is about rotation, the flood
	// test about the rate limit.
	ic.UnknownKIDRefreshInterval = time.Nanosecond
	v := newVerifier(t, auth.Config{Issuers: []auth.IssuerConfig{ic}}, auth.WithClock(clock.Now))
	verify := func(tok string) error {
		_, err := v.Verify(t.Context(), tok)
		return err
	}
	attacker, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	// forceRefetch presents a token with a never-seen kid, which makes the
	// verifier refetch the JWKS (as a background refresh would).
	forceRefetch := func() {
		now := clock.Now()
		var kid [8]byte
		_, _ = rand.Read(kid[:])
		tok := sign(t, jwt.SigningMethodRS256, attacker, base64.RawURLEncoding.EncodeToString(kid[:]), jwt.MapClaims{
			"iss": ti.Issuer(), "aud": ti.Audience(), "sub": "u", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		})
		before := ti.jwksFetch.Load()
		require.Equal(t, auth.ReasonUnknownKey, auth.ReasonOf(verify(tok)))
		require.Equal(t, before+1, ti.jwksFetch.Load())
	}

	tokA := ti.mint(t, "usr_1", nil, nil)
	require.NoError(t, verify(tokA))
	require.EqualValues(t, 1, ti.jwksFetch.Load())

	require.NoError(t, ti.Rotate())
	tokB := ti.mint(t, "usr_1", nil, nil)
	require.NoError(t, verify(tokB), "a token signed with the new key verifies without restart")
	require.EqualValues(t, 2, ti.jwksFetch.Load(), "the new kid triggered one refetch")
	require.NoError(t, verify(tokA), "old token still valid during the overlap")

	clock.Advance(overlap - time.Second)
	forceRefetch()
	require.NoError(t, verify(tokA), "old key still published one second before the overlap ends")

	clock.Advance(time.Second)
	forceRefetch()
	assert.Equal(t, auth.ReasonUnknownKey, auth.ReasonOf(verify(tokA)), "old token rejected once the overlap ended")
	require.NoError(t, verify(tokB))

	require.NoError(t, ti.Rotate())
	tokC := ti.mint(t, "usr_1", nil, nil)
	require.NoError(t, verify(tokC))
	require.NoError(t, verify(tokB), "the previous key overlaps again")
}

func TestSeveralIssuers(t *testing.T) {
	clock := newClock()
	web := newTestIdP(t, idp.Options{Issuer: "https://web.idp.test", Audience: "tandem-web", Now: clock.Now})
	partner := newTestIdP(t, idp.Options{Issuer: "https://partner.idp.test", Audience: "tandem-partner", Algorithm: "EdDSA", Now: clock.Now})
	partnerCfg := partner.issuerConfig()
	partnerCfg.ScopeClaims = []string{"scp"}
	partnerCfg.ClientIDClaims = []string{"azp"}
	partnerCfg.CopyClaims = []string{"tier", "tenant"}
	v := newVerifier(t, auth.Config{Issuers: []auth.IssuerConfig{web.issuerConfig(), partnerCfg}}, auth.WithClock(clock.Now))

	p, err := v.Verify(t.Context(), web.mint(t, "usr_1", []string{"orders:read", "cart:write", "orders:read"}, map[string]any{"azp": "web-app"}))
	require.NoError(t, err)
	assert.Equal(t, "usr_1", p.Subject)
	assert.Equal(t, "https://web.idp.test", p.Issuer)
	assert.Equal(t, []string{"orders:read", "cart:write"}, p.Scopes, "deduplicated, in order")
	assert.Equal(t, "web-app", p.ClientID)
	assert.Nil(t, p.Claims)
	assert.Equal(t, clock.Now().Add(time.Hour), p.ExpiresAt)

	p, err = v.Verify(t.Context(), partner.mint(t, "svc_9", nil, map[string]any{
		"scp":   []any{"catalog:read", "bad scope", 7, "x\"y", "catalog:write"},
		"scope": "ignored",
		"azp":   "partner-1",
		"tier":  "plus",
	}))
	require.NoError(t, err)
	assert.Equal(t, []string{"catalog:read", "catalog:write"}, p.Scopes, "only the configured claim; invalid scope tokens dropped")
	assert.Equal(t, "partner-1", p.ClientID)
	assert.Equal(t, map[string]any{"tier": "plus"}, p.Claims)

	// A token from one issuer claiming to be the other is checked with the
	// other's keys and fails.
	forged := web.mint(t, "usr_1", nil, map[string]any{"iss": partner.Issuer(), "aud": partner.Audience()})
	_, err = v.Verify(t.Context(), forged)
	assert.Equal(t, auth.ReasonAlgorithm, auth.ReasonOf(err), "partner only allows EdDSA")

	// The audience of one issuer is not valid for the other.
	_, err = v.Verify(t.Context(), web.mint(t, "usr_1", nil, map[string]any{"aud": partner.Audience()}))
	assert.Equal(t, auth.ReasonAudience, auth.ReasonOf(err))

	_, err = v.Verify(t.Context(), web.mint(t, "usr_1", nil, map[string]any{"iss": "https://unknown.test"}))
	assert.Equal(t, auth.ReasonIssuer, auth.ReasonOf(err))
	_, err = v.Verify(t.Context(), "a.b.c")
	assert.Equal(t, auth.ReasonMalformed, auth.ReasonOf(err))
	_, err = v.Verify(t.Context(), "abc")
	assert.Equal(t, auth.ReasonMalformed, auth.ReasonOf(err))
}

func TestForgedIssuerSameAlgorithm(t *testing.T) {
	clock := newClock()
	a := newTestIdP(t, idp.Options{Issuer: "https://a.test", Now: clock.Now})
	b := newTestIdP(t, idp.Options{Issuer: "https://b.test", Now: clock.Now})
	v := newVerifier(t, auth.Config{Issuers: []auth.IssuerConfig{a.issuerConfig(), b.issuerConfig()}}, auth.WithClock(clock.Now))
	_, err := v.Verify(t.Context(), a.mint(t, "u", nil, map[string]any{"iss": b.Issuer()}))
	assert.Equal(t, auth.ReasonUnknownKey, auth.ReasonOf(err), "a's key is not among b's")
}

func TestDevHS256Secret(t *testing.T) {
	clock := newClock()
	logs := &syncBuffer{}
	const secret = "local-development-secret-0123456789"
	v := newVerifier(t, auth.Config{Issuers: []auth.IssuerConfig{{
		Issuer:         "tandem-dev",
		Audiences:      []string{"tandem"},
		DevHS256Secret: secret,
	}}}, auth.WithClock(clock.Now), auth.WithLogger(debugLogger(logs)))
	assert.Contains(t, logs.String(), "INSECURE")
	assert.Contains(t, logs.String(), `"level":"WARN"`)
	assert.NotContains(t, logs.String(), secret)
	require.NoError(t, v.Ready(t.Context()))

	now := clock.Now()
	claims := jwt.MapClaims{"iss": "tandem-dev", "aud": "tandem", "sub": "usr_1", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	p, err := v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, []byte(secret), "", claims))
	require.NoError(t, err)
	assert.Equal(t, "usr_1", p.Subject)

	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodHS256, []byte("another-secret-that-is-long-enough!!"), "", claims))
	assert.Equal(t, auth.ReasonSignature, auth.ReasonOf(err))
	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodHS512, []byte(secret), "", claims))
	assert.Equal(t, auth.ReasonAlgorithm, auth.ReasonOf(err))
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	_, err = v.Verify(t.Context(), sign(t, jwt.SigningMethodRS256, key, "k", claims))
	assert.Equal(t, auth.ReasonAlgorithm, auth.ReasonOf(err))
}

func TestIdPDownAtStartup(t *testing.T) {
	clock := newClock()
	ti := newTestIdP(t, idp.Options{Issuer: "https://idp.test", Now: clock.Now})
	url := ti.jwksURL()
	ti.srv.Close() // nothing listens: the gateway starts before its identity provider
	logs := &syncBuffer{}
	ic := ti.issuerConfig()
	v := newVerifier(t, auth.Config{Issuers: []auth.IssuerConfig{ic}}, auth.WithClock(clock.Now), auth.WithLogger(debugLogger(logs)))
	require.Error(t, v.Ready(t.Context()), "not ready without keys")
	assert.Contains(t, logs.String(), "JWKS refresh failed")
	assert.Contains(t, logs.String(), `"kind":"network"`)
	assert.NotContains(t, logs.String(), strings.TrimPrefix(url, "http://"), "URLs stay out of log lines")
	_, err := v.Verify(t.Context(), ti.mint(t, "u", nil, nil))
	assert.Equal(t, auth.ReasonUnknownKey, auth.ReasonOf(err))
}

func TestIdPUnavailableThenUp(t *testing.T) {
	clock := newClock()
	p, err := idp.New(idp.Options{Issuer: "https://idp.test", Now: clock.Now})
	require.NoError(t, err)
	var up atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !up.Load() {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		p.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	logs := &syncBuffer{}
	v := newVerifier(t, auth.Config{Issuers: []auth.IssuerConfig{{
		Issuer: p.Issuer(), Audiences: []string{p.Audience()}, JWKSURL: srv.URL + idp.JWKSPath,
	}}}, auth.WithClock(clock.Now), auth.WithLogger(debugLogger(logs)))
	require.Error(t, v.Ready(t.Context()))
	assert.Contains(t, logs.String(), `"kind":"http_status"`)

	up.Store(true)
	tok, err := p.Mint("usr_1", nil, time.Hour, nil)
	require.NoError(t, err)
	_, err = v.Verify(t.Context(), tok)
	require.NoError(t, err, "the unknown kid refetches the now available JWKS")
	require.NoError(t, v.Ready(t.Context()))
}

func TestOversizedJWKSIsRefused(t *testing.T) {
	clock := newClock()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"keys":[],"pad":"`))
		_, _ = w.Write([]byte(strings.Repeat("x", 2<<20)))
		_, _ = w.Write([]byte(`"}`))
	}))
	t.Cleanup(srv.Close)
	logs := &syncBuffer{}
	v := newVerifier(t, auth.Config{Issuers: []auth.IssuerConfig{{
		Issuer: "https://idp.test", Audiences: []string{"tandem"}, JWKSURL: srv.URL,
	}}}, auth.WithClock(clock.Now), auth.WithLogger(debugLogger(logs)))
	assert.Contains(t, logs.String(), `"kind":"too_large"`)
	require.Error(t, v.Ready(t.Context()))
}

func TestErrorsNeverContainTheToken(t *testing.T) {
	e := newAttackEnv(t)
	tok := e.idp.mint(t, "usr_1", nil, map[string]any{"aud": "nope"})
	_, err := e.v.Verify(t.Context(), tok)
	require.Error(t, err)
	assert.Equal(t, "auth: token rejected: wrong_audience", err.Error())
	assert.NotContains(t, err.Error(), tok[:20])
}

// A token verified before is accepted again only while it would pass a
// full verification: not past its expiry, not once its key is withdrawn,
// and a copy differing in one byte is checked afresh.
func TestVerifiedTokensAreHonouredOnlyWhileValid(t *testing.T) {
	ti := newTestIdP(t, idp.Options{Issuer: "https://idp.test"})
	var mu sync.Mutex
	now := time.Now()
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	v := newVerifier(t, auth.Config{Issuers: []auth.IssuerConfig{ti.issuerConfig()}}, auth.WithClock(clock))
	tok := ti.mint(t, "usr_000001", nil, nil)

	p, err := v.Verify(t.Context(), tok)
	require.NoError(t, err)
	again, err := v.Verify(t.Context(), tok)
	require.NoError(t, err)
	assert.Same(t, p, again, "a repeat is served from the verified tokens")

	// One byte of the signature changed: not the cached token.
	sig := strings.LastIndexByte(tok, '.') + 1
	flipped := byte('A')
	if tok[sig] == 'A' {
		flipped = 'B'
	}
	forged := tok[:sig] + string(flipped) + tok[sig+1:]
	_, err = v.Verify(t.Context(), forged)
	require.Error(t, err)

	// Past its expiry (the parser's leeway included), a cached token is
	// rejected as expired.
	mu.Lock()
	now = now.Add(2 * time.Hour)
	mu.Unlock()
	_, err = v.Verify(t.Context(), tok)
	assert.Equal(t, auth.ReasonExpired, auth.ReasonOf(err))
}
