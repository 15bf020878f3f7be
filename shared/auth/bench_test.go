package auth_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/tandemgw/tandem/mocks/idp"
	"github.com/tandemgw/tandem/shared/auth"
)

// BenchmarkVerify measures verification of a valid token with a warm JWKS
// cache: no network, only parse, key lookup, signature and claim checks
// (alg/first), and of a token verified before (alg/repeat: the verified
// tokens cache, with its key check).
func BenchmarkVerify(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		b.Run(alg+"/first", func(b *testing.B) { benchmarkVerify(b, alg, true) })
		b.Run(alg+"/repeat", func(b *testing.B) { benchmarkVerify(b, alg, false) })
	}
}

func benchmarkVerify(b *testing.B, alg string, first bool) {
	ti := newTestIdP(b, idp.Options{Issuer: "https://idp.test", Algorithm: alg})
	v := newVerifier(b, auth.Config{Issuers: []auth.IssuerConfig{ti.issuerConfig()}})
	if first {
		auth.ForgetVerifiedTokens(v)
	}
	tok := ti.mint(b, "usr_000001", []string{"orders:read", "cart:write"}, nil)
	if _, err := v.Verify(b.Context(), tok); err != nil {
		b.Fatal(err)
	}
	fetches := ti.jwksFetch.Load()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(b.Context(), tok); err != nil {
			b.Fatal(err)
		}
	}
	if ti.jwksFetch.Load() != fetches {
		b.Fatal("the JWKS was refetched: the cache was not warm")
	}
}

// BenchmarkMiddleware adds header parsing and the context to BenchmarkVerify (RS256).
func BenchmarkMiddleware(b *testing.B) {
	ti := newTestIdP(b, idp.Options{Issuer: "https://idp.test"})
	v := newVerifier(b, auth.Config{Issuers: []auth.IssuerConfig{ti.issuerConfig()}})
	h := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	r.Header.Set("Authorization", "Bearer "+ti.mint(b, "usr_000001", []string{"orders:read"}, nil))
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusNoContent {
			b.Fatal(w.Code)
		}
	}
}
