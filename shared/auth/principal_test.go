package auth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/shared/auth"
)

const fakeToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1c3JfMSJ9.c2lnbmF0dXJlLXRoYXQtbXVzdC1uZXZlci1sZWFr"

func TestContextRoundTrip(t *testing.T) {
	_, ok := auth.FromContext(context.Background())
	assert.False(t, ok)
	_, ok = auth.FromContext(auth.NewContext(context.Background(), nil))
	assert.False(t, ok, "a nil principal is anonymous")
	p := &auth.Principal{Subject: "usr_1"}
	got, ok := auth.FromContext(auth.NewContext(context.Background(), p))
	require.True(t, ok)
	assert.Same(t, p, got)
}

func TestPrincipalNeverShowsItsToken(t *testing.T) {
	p := &auth.Principal{Subject: "usr_1", ClientID: "web", Scopes: []string{"a"}, Token: fakeToken, Claims: map[string]any{"tier": "plus"}}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%d", "%x", "%T %v"} {
		for _, arg := range []any{p, *p, []any{p}, map[string]*auth.Principal{"p": p}} {
			out := fmt.Sprintf(verb, arg)
			assert.NotContains(t, out, "c2lnbmF0dXJl", "%s on %T", verb, arg)
		}
	}
	assert.Contains(t, fmt.Sprint(p), `Subject:"usr_1"`)
	assert.Contains(t, fmt.Sprint(p), "Token:[REDACTED]")

	var buf bytes.Buffer
	for _, h := range []slog.Handler{slog.NewJSONHandler(&buf, nil), slog.NewTextHandler(&buf, nil)} {
		slog.New(h).Info("request", "principal", p, "value", *p)
	}
	assert.NotContains(t, buf.String(), "c2lnbmF0dXJl")
	assert.Contains(t, buf.String(), "usr_1")

	js, err := json.Marshal(p)
	require.NoError(t, err)
	assert.NotContains(t, string(js), "c2lnbmF0dXJl")
	assert.Contains(t, string(js), "usr_1")
}

func TestScopeMatching(t *testing.T) {
	p := &auth.Principal{Scopes: []string{"orders:read", "cart:write"}}
	assert.True(t, p.HasScopes())
	assert.True(t, p.HasScopes("orders:read", "cart:write"))
	assert.False(t, p.HasScopes("orders:read", "orders:write"))
	assert.True(t, p.SatisfiesAny([][]string{{"admin"}, {"orders:read", "cart:write"}}))
	assert.False(t, p.SatisfiesAny([][]string{{"admin"}, {"orders:read", "orders:write"}}))
	assert.False(t, p.SatisfiesAny(nil), "empty OR: nobody")
	assert.True(t, p.SatisfiesAny([][]string{{}}), "empty AND: everybody authenticated")
}
