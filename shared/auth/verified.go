package auth

import (
	"context"
	"crypto"
	"time"

	"github.com/golang-jwt/jwt/v5"

	lru "github.com/hashicorp/golang-lru/v2"
)

// A signature check is most of the cost of a signed-in request's entry
// control (RS256 40-60 µs, ES256 about 100 µs, see make microbench),
// and a client sends the same token with every request until it expires.
// So the verifier remembers the tokens it has accepted, as Envoy's
// jwt_authn does: a repeat of the exact token string is accepted again
// without the signature check, as long as it has not expired.
//
// Only successes are kept, keyed by the whole token, so a token differing
// in one byte is verified afresh. A hit is honoured only while the token
// has not expired and the issuer's key set still holds the very key that
// verified it (a map lookup, not a signature check): a key the identity
// provider withdraws or replaces stops its tokens at the next JWKS
// refresh, as without the cache. An entry lives at most verifiedTTL.
const (
	verifiedEntries = 10_000 // about 1 KiB a token: 10 MiB at most
	verifiedTTL     = time.Minute
)

// verifiedTokens is the cache of accepted tokens.
type verifiedTokens struct {
	lru *lru.Cache[string, *verifiedToken]
	now func() time.Time
}

// verifiedToken is an accepted token: its principal (shared by the
// requests that present the token, and never modified) and what verified
// it.
type verifiedToken struct {
	principal *Principal
	issuer    *issuer
	alg, kid  string
	key       any       // the public key the signature was checked with
	until     time.Time // verifiedTTL after it was verified
}

func newVerifiedTokens(now func() time.Time) *verifiedTokens {
	c, err := lru.New[string, *verifiedToken](verifiedEntries)
	if err != nil {
		panic(err) // only for a size below 1
	}
	return &verifiedTokens{lru: c, now: now}
}

// get returns raw's principal if it was accepted, has not expired, and
// its key is still its issuer's.
func (c *verifiedTokens) get(ctx context.Context, raw string) (*Principal, bool) {
	if c == nil {
		return nil, false
	}
	e, ok := c.lru.Get(raw)
	if !ok {
		return nil, false
	}
	now := c.now()
	if !now.Before(e.principal.ExpiresAt) || !now.Before(e.until) || !e.issuer.stillHolds(ctx, e.alg, e.kid, e.key) {
		c.lru.Remove(raw)
		return nil, false
	}
	return e.principal, true
}

func (c *verifiedTokens) add(raw string, e *verifiedToken) {
	if c != nil && !e.principal.ExpiresAt.IsZero() && e.key != nil {
		e.until = c.now().Add(verifiedTTL)
		c.lru.Add(raw, e)
	}
}

// stillHolds reports whether the issuer's keys would verify a token of alg
// and kid with key today: the same lookup and checks as a full
// verification, without the signature.
func (is *issuer) stillHolds(ctx context.Context, alg, kid string, key any) bool {
	if is.secret != nil {
		return true // the development secret never changes
	}
	method := jwt.GetSigningMethod(alg)
	if method == nil {
		return false
	}
	now, err := is.key(ctx, &jwt.Token{Method: method, Header: map[string]any{"alg": alg, "kid": kid}})
	if err != nil {
		return false
	}
	k, ok := now.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(key)
}
