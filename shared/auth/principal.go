package auth

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"
)

// Principal is the verified caller of a request.
//
// Token holds the raw bearer token so a source configured to forward it can
// (see ForwardToken). It is never marshalled to JSON, and formatting or
// logging a Principal (fmt with any verb, slog) redacts it.
type Principal struct {
	Subject  string
	ClientID string
	Scopes   []string
	// Claims holds the claims the issuer's config names in copyClaims.
	Claims map[string]any
	// Token is the raw bearer token. Never log it.
	Token string `json:"-"`

	// Issuer is the verified "iss" of the token.
	Issuer string
	// ExpiresAt is the verified "exp" of the token.
	ExpiresAt time.Time
}

type principalKey struct{}

// NewContext returns a copy of ctx carrying p.
func NewContext(ctx context.Context, p *Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the principal of the request, if it carried a valid
// token. Anonymous requests answer (nil, false).
func FromContext(ctx context.Context) (*Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(*Principal)
	return p, ok && p != nil
}

// HasScopes reports whether p holds every scope in all.
func (p *Principal) HasScopes(all ...string) bool {
	for _, s := range all {
		if !slices.Contains(p.Scopes, s) {
			return false
		}
	}
	return true
}

// SatisfiesAny reports whether p holds every scope of at least one inner list
// (outer list OR, inner list AND, as @requiresScopes in Apollo Federation).
// An empty outer list is satisfied by nobody; an empty inner list by anyone.
func (p *Principal) SatisfiesAny(anyOf [][]string) bool {
	for _, all := range anyOf {
		if p.HasScopes(all...) {
			return true
		}
	}
	return false
}

// String describes p without its token.
func (p Principal) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Principal{Subject:%q ClientID:%q Scopes:%q Issuer:%q", p.Subject, p.ClientID, p.Scopes, p.Issuer)
	if p.Token != "" {
		b.WriteString(" Token:" + redacted)
	}
	b.WriteString("}")
	return b.String()
}

// GoString implements fmt.GoStringer without the token.
func (p Principal) GoString() string { return p.String() }

// Format implements fmt.Formatter so every verb (%v, %+v, %#v, %s, %d, ...)
// prints the redacted form.
func (p Principal) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(p.String())) }

// LogValue implements slog.LogValuer without the token.
func (p Principal) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("subject", p.Subject),
		slog.String("clientId", p.ClientID),
		slog.Any("scopes", p.Scopes),
		slog.String("issuer", p.Issuer),
	)
}

var (
	_ fmt.Stringer   = Principal{}
	_ fmt.GoStringer = Principal{}
	_ fmt.Formatter  = Principal{}
	_ slog.LogValuer = Principal{}
)
