package auth_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/mocks/idp"
	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/errcode"
)

// attackEnv is one mock IdP (RS256, JWKs published without "alg" so the
// verifier's own alg/key-type check is what stands) and a verifier that
// allows RS256, ES256 and EdDSA from it.
type attackEnv struct {
	clock *fakeClock
	idp   *testIdP
	v     *auth.Verifier
	logs  *syncBuffer
}

func newAttackEnv(t *testing.T) *attackEnv {
	t.Helper()
	clock := newClock()
	ti := newTestIdP(t, idp.Options{Issuer: "https://idp.test", Now: clock.Now, OmitKeyAlg: true})
	logs := &syncBuffer{}
	v := newVerifier(t, auth.Config{Issuers: []auth.IssuerConfig{ti.issuerConfig("RS256", "ES256", "EdDSA")}},
		auth.WithClock(clock.Now), auth.WithLogger(debugLogger(logs)))
	return &attackEnv{clock: clock, idp: ti, v: v, logs: logs}
}

// claims are valid claims for the env's issuer, audience and clock.
func (e *attackEnv) claims() jwt.MapClaims {
	now := e.clock.Now()
	return jwt.MapClaims{
		"iss": e.idp.Issuer(), "aud": e.idp.Audience(), "sub": "usr_000001",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"scope": "orders:read",
	}
}

func sign(t *testing.T, m jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	require.NoError(t, err)
	return s
}

// idpPublicKey returns the IdP's current RSA public key as read from its JWKS.
func idpPublicKey(t *testing.T, p *idp.Provider) *rsa.PublicKey {
	t.Helper()
	set, err := p.JWKS()
	require.NoError(t, err)
	j, err := jwkset.NewJWKFromMarshal(set.Keys[0], jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
	require.NoError(t, err)
	pub, ok := j.Key().(*rsa.PublicKey)
	require.True(t, ok)
	return pub
}

func b64(v any) string {
	raw, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(raw)
}

func serve(h http.Handler, authorization ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ me { id } }"}`))
	for _, a := range authorization {
		r.Header.Add("Authorization", a)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

type errorBody struct {
	Errors []struct {
		Message    string         `json:"message"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

// assertRejected checks the 401 shape and that nothing was forwarded.
func assertRejected(t *testing.T, w *httptest.ResponseRecorder, rec *recorder, want auth.Reason) {
	t.Helper()
	assert.Equal(t, http.StatusUnauthorized, w.Code)
	assert.Equal(t, `Bearer error="invalid_token"`, w.Header().Get("WWW-Authenticate"))
	assert.Equal(t, "application/json", w.Header().Get("Content-Type"))
	var body errorBody
	require.NoError(t, json.Unmarshal(w.Body.Bytes(), &body), w.Body.String())
	require.Len(t, body.Errors, 1)
	assert.Equal(t, string(errcode.Unauthenticated), body.Errors[0].Extensions["code"])
	assert.Equal(t, string(want), body.Errors[0].Extensions["reason"])
	assert.Zero(t, rec.calls(), "the request must not reach the next handler")
}

func TestMiddlewareRejectsAttacks(t *testing.T) {
	e := newAttackEnv(t)
	kid := e.idp.CurrentKID()
	attackerRSA, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	attackerEC, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	_, attackerEd, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	pubDER, err := x509.MarshalPKIXPublicKey(idpPublicKey(t, e.idp.Provider))
	require.NoError(t, err)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	valid := e.idp.mint(t, "usr_000001", []string{"orders:read"}, nil)
	parts := strings.Split(valid, ".")
	require.Len(t, parts, 3)

	tamperedPayload := func() string {
		c := e.claims()
		c["sub"] = "usr_000002"
		c["scope"] = "admin"
		return parts[0] + "." + b64(c) + "." + parts[2]
	}
	tamperedSignature := func() string {
		sig := []byte(parts[2])
		i := len(sig) / 2
		if sig[i] == 'A' {
			sig[i] = 'B'
		} else {
			sig[i] = 'A'
		}
		return parts[0] + "." + parts[1] + "." + string(sig)
	}
	withClaims := func(mut func(jwt.MapClaims)) string {
		c := e.claims()
		mut(c)
		return e.idp.mint(t, "usr_000001", nil, c)
	}

	bearer := func(tok string) []string { return []string{"Bearer " + tok} }
	cases := []struct {
		name   string
		header []string
		want   auth.Reason
	}{
		{"alg none", bearer(sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, kid, e.claims())), auth.ReasonAlgorithm},
		{"alg none, hand-made", bearer(b64(map[string]string{"alg": "none", "typ": "JWT", "kid": kid}) + "." + b64(e.claims()) + "."), auth.ReasonAlgorithm},
		{"alg NONE uppercase", bearer(b64(map[string]string{"alg": "NONE", "kid": kid}) + "." + b64(e.claims()) + "."), auth.ReasonAlgorithm},
		{"HS256 signed with the RSA public key (PEM) as secret", bearer(sign(t, jwt.SigningMethodHS256, pubPEM, kid, e.claims())), auth.ReasonAlgorithm},
		{"HS256 signed with the RSA public key (DER) as secret", bearer(sign(t, jwt.SigningMethodHS256, pubDER, kid, e.claims())), auth.ReasonAlgorithm},
		{"algorithm not listed (RS512)", bearer(sign(t, jwt.SigningMethodRS512, attackerRSA, kid, e.claims())), auth.ReasonAlgorithm},
		{"algorithm not listed (PS256)", bearer(sign(t, jwt.SigningMethodPS256, attackerRSA, kid, e.claims())), auth.ReasonAlgorithm},
		{"unknown kid", bearer(sign(t, jwt.SigningMethodRS256, attackerRSA, "attacker-kid", e.claims())), auth.ReasonUnknownKey},
		{"no kid", bearer(sign(t, jwt.SigningMethodRS256, attackerRSA, "", e.claims())), auth.ReasonUnknownKey},
		{"expired", bearer(withClaims(func(c jwt.MapClaims) { c["exp"] = e.clock.Now().Add(-time.Minute).Unix() })), auth.ReasonExpired},
		{"not yet valid", bearer(withClaims(func(c jwt.MapClaims) { c["nbf"] = e.clock.Now().Add(time.Minute).Unix() })), auth.ReasonNotYetValid},
		{"issued in the future", bearer(withClaims(func(c jwt.MapClaims) { c["iat"] = e.clock.Now().Add(time.Minute).Unix() })), auth.ReasonIssuedInFuture},
		{"no exp", bearer(withClaims(func(c jwt.MapClaims) { c["exp"] = nil })), auth.ReasonClaims},
		{"no sub", bearer(withClaims(func(c jwt.MapClaims) { c["sub"] = nil })), auth.ReasonClaims},
		{"wrong iss", bearer(withClaims(func(c jwt.MapClaims) { c["iss"] = "https://evil.test" })), auth.ReasonIssuer},
		{"wrong aud", bearer(withClaims(func(c jwt.MapClaims) { c["aud"] = "someone-else" })), auth.ReasonAudience},
		{"no aud", bearer(withClaims(func(c jwt.MapClaims) { c["aud"] = nil })), auth.ReasonClaims},
		{"tampered payload", bearer(tamperedPayload()), auth.ReasonSignature},
		{"tampered signature", bearer(tamperedSignature()), auth.ReasonSignature},
		{"64 KiB token, validly signed", bearer(withClaims(func(c jwt.MapClaims) { c["pad"] = strings.Repeat("x", 64<<10) })), auth.ReasonTooLarge},
		{"64 KiB of junk", bearer(strings.Repeat("a", 64<<10)), auth.ReasonTooLarge},
		{"ES256 header on the RSA key", bearer(sign(t, jwt.SigningMethodES256, attackerEC, kid, e.claims())), auth.ReasonKeyMismatch},
		{"EdDSA header on the RSA key", bearer(sign(t, jwt.SigningMethodEdDSA, attackerEd, kid, e.claims())), auth.ReasonKeyMismatch},
		{"garbage", []string{"garbage"}, auth.ReasonScheme},
		{"Basic scheme", []string{"Basic dXNlcjpwYXNz"}, auth.ReasonScheme},
		{"Bearer without token", []string{"Bearer"}, auth.ReasonScheme},
		{"Bearer with empty token", []string{"Bearer "}, auth.ReasonMalformed},
		{"two tokens in one header", []string{"Bearer " + valid + ", Bearer " + valid}, auth.ReasonMalformed},
		{"token with spaces", []string{"Bearer a b"}, auth.ReasonMalformed},
		{"non-ASCII token", []string{"Bearer ☃.☃.☃"}, auth.ReasonMalformed},
		{"not a JWT", []string{"Bearer not-a-jwt"}, auth.ReasonMalformed},
		{"bad base64 segments", []string{"Bearer a.b.c"}, auth.ReasonMalformed},
		{"two Authorization headers", []string{"Bearer " + valid, "Bearer " + valid}, auth.ReasonMultipleHeaders},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			w := serve(e.v.Middleware(rec), tc.header...)
			assertRejected(t, w, rec, tc.want)
			for _, h := range tc.header {
				if tok := strings.TrimPrefix(h, "Bearer "); len(tok) > 16 {
					assert.NotContains(t, w.Body.String(), tok, "token echoed in the response")
				}
			}
		})
	}

	t.Run("valid token still passes", func(t *testing.T) {
		rec := &recorder{}
		w := serve(e.v.Middleware(rec), "Bearer "+valid)
		require.Equal(t, http.StatusNoContent, w.Code, w.Body.String())
		require.Equal(t, 1, rec.calls())
		assert.Equal(t, "usr_000001", rec.principal.Subject)
		assert.Equal(t, []string{"orders:read"}, rec.principal.Scopes)
	})

	// Every token above was logged about at debug level; none may appear.
	logs := e.logs.String()
	assert.Contains(t, logs, `"reason":"bad_signature"`)
	for _, tc := range cases {
		for _, h := range tc.header {
			if tok := strings.TrimPrefix(h, "Bearer "); len(tok) > 16 {
				assert.NotContains(t, logs, tok)
			}
		}
	}
	assert.NotContains(t, logs, parts[2], "signature of the valid token logged")
}

// A JWKS that does publish "alg": the key's alg must match the token's.
func TestKeyAlgMustMatchPublishedAlg(t *testing.T) {
	clock := newClock()
	ti := newTestIdP(t, idp.Options{Issuer: "https://idp.test", Now: clock.Now, Algorithm: "ES256"})
	v := newVerifier(t, auth.Config{Issuers: []auth.IssuerConfig{ti.issuerConfig("RS256", "ES256")}}, auth.WithClock(clock.Now))
	attacker, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	now := clock.Now()
	tok := sign(t, jwt.SigningMethodRS256, attacker, ti.CurrentKID(), jwt.MapClaims{
		"iss": ti.Issuer(), "aud": ti.Audience(), "sub": "u", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	_, err = v.Verify(t.Context(), tok)
	require.ErrorIs(t, err, auth.ErrInvalidToken)
	assert.Equal(t, auth.ReasonKeyMismatch, auth.ReasonOf(err))

	good := ti.mint(t, "u", nil, nil)
	p, err := v.Verify(t.Context(), good)
	require.NoError(t, err)
	assert.Equal(t, "u", p.Subject)
}

func TestLeewayAndTimeClaims(t *testing.T) {
	e := newAttackEnv(t)
	now := e.clock.Now()
	for name, tc := range map[string]struct {
		claim string
		at    time.Time
		ok    bool
	}{
		"exp 20s ago, within 30s leeway":  {"exp", now.Add(-20 * time.Second), true},
		"exp 40s ago, beyond leeway":      {"exp", now.Add(-40 * time.Second), false},
		"nbf in 20s, within leeway":       {"nbf", now.Add(20 * time.Second), true},
		"nbf in 40s, beyond leeway":       {"nbf", now.Add(40 * time.Second), false},
		"iat in 20s, within leeway":       {"iat", now.Add(20 * time.Second), true},
		"iat in 40s, beyond leeway":       {"iat", now.Add(40 * time.Second), false},
		"exp as a string is not a number": {"exp", time.Time{}, false},
	} {
		t.Run(name, func(t *testing.T) {
			c := e.claims()
			if tc.at.IsZero() {
				c[tc.claim] = "tomorrow"
			} else {
				c[tc.claim] = tc.at.Unix()
			}
			_, err := e.v.Verify(t.Context(), e.idp.mint(t, "usr_1", nil, c))
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, auth.ErrInvalidToken)
			}
		})
	}
}

func TestUnknownKIDFloodIsRateLimited(t *testing.T) {
	clock := newClock()
	ti := newTestIdP(t, idp.Options{Issuer: "https://idp.test", Now: clock.Now})
	ic := ti.issuerConfig()
	ic.UnknownKIDRefreshInterval = time.Hour
	v := newVerifier(t, auth.Config{Issuers: []auth.IssuerConfig{ic}}, auth.WithClock(clock.Now))
	require.EqualValues(t, 1, ti.jwksFetch.Load(), "initial fetch")
	require.NoError(t, v.Ready(t.Context()))

	attacker, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	now := clock.Now()
	for i := range 50 {
		var kid [8]byte
		_, _ = rand.Read(kid[:])
		tok := sign(t, jwt.SigningMethodRS256, attacker, base64.RawURLEncoding.EncodeToString(kid[:]), jwt.MapClaims{
			"iss": ti.Issuer(), "aud": ti.Audience(), "sub": "u", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		})
		rec := &recorder{}
		assertRejected(t, serve(v.Middleware(rec), "Bearer "+tok), rec, auth.ReasonUnknownKey)
		if i == 0 {
			require.EqualValues(t, 2, ti.jwksFetch.Load(), "the first unknown kid triggers one refetch")
		}
	}
	assert.EqualValues(t, 2, ti.jwksFetch.Load(), "50 random kids caused a single refetch")

	// Known keys keep working from the cache meanwhile.
	_, err = v.Verify(t.Context(), ti.mint(t, "u", nil, nil))
	require.NoError(t, err)
	assert.EqualValues(t, 2, ti.jwksFetch.Load())
}

func TestAnonymousPassesAndSpoofedIdentityIsStripped(t *testing.T) {
	e := newAttackEnv(t)
	rec := &recorder{}
	h := e.v.Middleware(rec)

	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	r.Header.Set("X-Tandem-Subject", "usr_admin")
	r.Header.Set("X-Tandem-Scopes", "admin")
	r.Header.Set("X-Tandem-Client-Id", "internal")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusNoContent, w.Code)
	require.Equal(t, 1, rec.calls())
	assert.Nil(t, rec.principal, "anonymous")
	for _, k := range []string{"X-Tandem-Subject", "X-Tandem-Scopes", "X-Tandem-Client-Id"} {
		assert.Empty(t, rec.header.Values(k), k)
	}

	r = httptest.NewRequest(http.MethodPost, "/graphql", nil)
	r.Header.Set("Authorization", "bearer "+e.idp.mint(t, "usr_000009", []string{"a", "b"}, map[string]any{"client_id": "web"}))
	r.Header.Set("X-Tandem-Subject", "usr_admin")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	require.Equal(t, http.StatusNoContent, w.Code, "scheme is case-insensitive")
	assert.Equal(t, "usr_000009", rec.principal.Subject)
	assert.Equal(t, "web", rec.principal.ClientID)
	assert.Empty(t, rec.header.Values("X-Tandem-Subject"))
}

func TestRejectHookSeesReasons(t *testing.T) {
	clock := newClock()
	ti := newTestIdP(t, idp.Options{Issuer: "https://idp.test", Now: clock.Now})
	var got []auth.Reason
	v := newVerifier(t, auth.Config{Issuers: []auth.IssuerConfig{ti.issuerConfig()}}, auth.WithClock(clock.Now),
		auth.WithRejectHook(func(_ context.Context, r auth.Reason) { got = append(got, r) }))
	h := v.Middleware(&recorder{})
	serve(h, "Basic x")
	serve(h, "Bearer a", "Bearer b")
	serve(h, "Bearer "+ti.mint(t, "u", nil, nil)) // valid: no call
	assert.Equal(t, []auth.Reason{auth.ReasonScheme, auth.ReasonMultipleHeaders}, got)
}
