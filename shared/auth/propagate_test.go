package auth_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/tandemgw/tandem/mocks/idp"
	"github.com/tandemgw/tandem/shared/auth"
)

func spoofed() http.Header {
	h := http.Header{}
	h.Add("X-Tandem-Subject", "usr_admin")
	h.Add("X-Tandem-Subject", "usr_root")
	h.Set("X-Tandem-Scopes", "admin")
	h.Set("X-Tandem-Client-Id", "internal")
	h.Set("Authorization", "Bearer client-supplied")
	return h
}

func TestPropagateHeaders(t *testing.T) {
	p := &auth.Principal{Subject: "usr_1", Scopes: []string{"orders:read", "cart:write"}, ClientID: "web", Token: fakeToken}
	ctx := auth.NewContext(context.Background(), p)

	h := spoofed()
	auth.PropagateHeaders(ctx, h)
	assert.Equal(t, []string{"usr_1"}, h.Values("X-Tandem-Subject"))
	assert.Equal(t, []string{"orders:read cart:write"}, h.Values("X-Tandem-Scopes"))
	assert.Equal(t, []string{"web"}, h.Values("X-Tandem-Client-Id"))

	h = spoofed()
	auth.PropagateHeaders(context.Background(), h)
	for _, k := range []string{"X-Tandem-Subject", "X-Tandem-Scopes", "X-Tandem-Client-Id"} {
		assert.Empty(t, h.Values(k), "anonymous: %s removed", k)
	}

	h = spoofed()
	auth.PropagateHeaders(auth.NewContext(context.Background(), &auth.Principal{Subject: "usr_2"}), h)
	assert.Equal(t, "usr_2", h.Get("X-Tandem-Subject"))
	assert.Empty(t, h.Values("X-Tandem-Scopes"), "no scopes: no header")
	assert.Empty(t, h.Values("X-Tandem-Client-Id"))
}

func TestHeaderFuncAndForwardToken(t *testing.T) {
	p := &auth.Principal{Subject: "usr_1", Token: fakeToken}
	ctx := auth.NewContext(context.Background(), p)

	h := spoofed()
	auth.HeaderFunc(false)(ctx, h)
	assert.Empty(t, h.Values("Authorization"), "token not forwarded by default")
	assert.Equal(t, "usr_1", h.Get("X-Tandem-Subject"))

	h = spoofed()
	auth.HeaderFunc(true)(ctx, h)
	assert.Equal(t, []string{"Bearer " + fakeToken}, h.Values("Authorization"), "the verified token, never the client's copy")

	tok, ok := auth.TokenFromContext(ctx)
	assert.True(t, ok)
	assert.Equal(t, fakeToken, tok)
	_, ok = auth.TokenFromContext(context.Background())
	assert.False(t, ok)

	h = spoofed()
	auth.HeaderFunc(true)(context.Background(), h)
	assert.Empty(t, h.Values("Authorization"), "anonymous: nothing to forward")
	assert.Empty(t, h.Values("X-Tandem-Subject"))
}

// Through the real middleware: a backend called with PropagateHeaders sees
// the verified identity only, never the client's spoofed headers.
func TestEdgeToBackendPropagation(t *testing.T) {
	clock := newClock()
	ti := newTestIdP(t, idp.Options{Issuer: "https://idp.test", Now: clock.Now})
	v := newVerifier(t, auth.Config{Issuers: []auth.IssuerConfig{ti.issuerConfig()}}, auth.WithClock(clock.Now))

	var seen http.Header
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.Header.Clone()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(backend.Close)
	gateway := v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, backend.URL, nil)
		require.NoError(t, err)
		auth.HeaderFunc(false)(r.Context(), req.Header)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		w.WriteHeader(resp.StatusCode)
	}))

	r := httptest.NewRequest(http.MethodPost, "/graphql", nil)
	r.Header = spoofed()
	r.Header.Set("Authorization", "Bearer "+ti.mint(t, "usr_000005", []string{"orders:read"}, map[string]any{"azp": "mobile"}))
	w := httptest.NewRecorder()
	gateway.ServeHTTP(w, r)
	require.Equal(t, http.StatusNoContent, w.Code)
	assert.Equal(t, []string{"usr_000005"}, seen.Values("X-Tandem-Subject"))
	assert.Equal(t, []string{"orders:read"}, seen.Values("X-Tandem-Scopes"))
	assert.Equal(t, []string{"mobile"}, seen.Values("X-Tandem-Client-Id"))
	assert.Empty(t, seen.Values("Authorization"))

	r = httptest.NewRequest(http.MethodPost, "/graphql", nil)
	r.Header = spoofed()
	r.Header.Del("Authorization")
	w = httptest.NewRecorder()
	gateway.ServeHTTP(w, r)
	require.Equal(t, http.StatusNoContent, w.Code)
	for _, k := range []string{"X-Tandem-Subject", "X-Tandem-Scopes", "X-Tandem-Client-Id"} {
		assert.Empty(t, seen.Values(k), "anonymous caller's spoofed %s never reaches a backend", k)
	}
}

func TestGRPCInterceptorsSetIdentityMetadata(t *testing.T) {
	p := &auth.Principal{Subject: "usr_1", Scopes: []string{"a", "b"}, ClientID: "web", Token: fakeToken}
	spoofedCtx := func(ctx context.Context) context.Context {
		return metadata.AppendToOutgoingContext(ctx,
			"x-tandem-subject", "usr_admin", "x-tandem-scopes", "admin", "x-tandem-client-id", "internal", "x-request-id", "r1")
	}
	var got metadata.MD
	invoker := func(ctx context.Context, _ string, _, _ any, _ *grpc.ClientConn, _ ...grpc.CallOption) error {
		got, _ = metadata.FromOutgoingContext(ctx)
		return nil
	}

	ctx := spoofedCtx(auth.NewContext(context.Background(), p))
	require.NoError(t, auth.UnaryClientInterceptor()(ctx, "/pricing.v1.PricingService/GetPrice", nil, nil, nil, invoker))
	assert.Equal(t, []string{"usr_1"}, got.Get("x-tandem-subject"))
	assert.Equal(t, []string{"a b"}, got.Get("x-tandem-scopes"))
	assert.Equal(t, []string{"web"}, got.Get("x-tandem-client-id"))
	assert.Equal(t, []string{"r1"}, got.Get("x-request-id"), "other metadata kept")
	assert.Empty(t, got.Get("authorization"), "the token is not sent over gRPC")
	original, _ := metadata.FromOutgoingContext(ctx)
	assert.Equal(t, []string{"usr_admin"}, original.Get("x-tandem-subject"), "caller's metadata not mutated")

	require.NoError(t, auth.UnaryClientInterceptor()(spoofedCtx(context.Background()), "/m", nil, nil, nil, invoker))
	assert.Empty(t, got.Get("x-tandem-subject"), "anonymous: spoofed identity removed")
	assert.Empty(t, got.Get("x-tandem-scopes"))
	assert.Empty(t, got.Get("x-tandem-client-id"))

	streamer := func(ctx context.Context, _ *grpc.StreamDesc, _ *grpc.ClientConn, _ string, _ ...grpc.CallOption) (grpc.ClientStream, error) {
		got, _ = metadata.FromOutgoingContext(ctx)
		return nil, nil
	}
	_, err := auth.StreamClientInterceptor()(spoofedCtx(auth.NewContext(context.Background(), p)), &grpc.StreamDesc{}, nil, "/m", streamer)
	require.NoError(t, err)
	assert.Equal(t, []string{"usr_1"}, got.Get("x-tandem-subject"))
}
