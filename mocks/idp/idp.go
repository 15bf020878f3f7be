package idp

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// Defaults used when the corresponding Options field is zero.
const (
	DefaultIssuer    = "http://127.0.0.1:9100"
	DefaultAudience  = "tandem"
	DefaultAlgorithm = "RS256"
	DefaultOverlap   = time.Hour
	DefaultTTL       = time.Hour
	// MaxTTL caps the lifetime of a minted token.
	MaxTTL = 24 * time.Hour
)

// Paths served by Handler.
const (
	DiscoveryPath = "/.well-known/openid-configuration"
	JWKSPath      = "/.well-known/jwks.json"
)

// Options configure a Provider. Every zero field takes the default its comment
// names.
type Options struct {
	// Issuer is the "iss" of minted tokens and the base URL of discovery and
	// JWKS. Default DefaultIssuer ("http://127.0.0.1:9100").
	Issuer string
	// Audience is the "aud" of minted tokens. Default DefaultAudience ("tandem").
	Audience string
	// Algorithm signs tokens: "RS256" (RSA 2048), "ES256" (P-256) or "EdDSA"
	// (Ed25519). Default "RS256".
	Algorithm string
	// Overlap is how long a key retired by Rotate stays published in the JWKS,
	// so tokens it signed keep verifying. Default one hour.
	Overlap time.Duration
	// DefaultTTL is the lifetime of a token minted with ttl <= 0. Default one hour.
	DefaultTTL time.Duration
	// Now is the clock; tests inject a fake one. Default time.Now.
	Now func() time.Time
	// OmitKeyAlg publishes JWKs without their "alg" member, as some identity
	// providers do; verifiers must then match algorithm and key type
	// themselves. Default false.
	OmitKeyAlg bool
}

// Provider is a mock identity provider. It is safe for concurrent use.
type Provider struct {
	opts   Options
	method jwt.SigningMethod

	mu      sync.Mutex
	current *signingKey
	retired []*signingKey // oldest first
}

type signingKey struct {
	kid       string
	private   crypto.Signer
	retiredAt time.Time
}

// New creates a Provider with a fresh signing key.
func New(opts Options) (*Provider, error) {
	if opts.Issuer == "" {
		opts.Issuer = DefaultIssuer
	}
	if u, err := url.Parse(opts.Issuer); err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("idp: issuer %q is not an absolute URL", opts.Issuer)
	}
	opts.Issuer = strings.TrimRight(opts.Issuer, "/")
	if opts.Audience == "" {
		opts.Audience = DefaultAudience
	}
	if opts.Algorithm == "" {
		opts.Algorithm = DefaultAlgorithm
	}
	if opts.Overlap <= 0 {
		opts.Overlap = DefaultOverlap
	}
	if opts.DefaultTTL <= 0 {
		opts.DefaultTTL = DefaultTTL
	}
	if opts.DefaultTTL > MaxTTL {
		return nil, fmt.Errorf("idp: default TTL %s exceeds the maximum %s", opts.DefaultTTL, MaxTTL)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	var method jwt.SigningMethod
	switch opts.Algorithm {
	case "RS256":
		method = jwt.SigningMethodRS256
	case "ES256":
		method = jwt.SigningMethodES256
	case "EdDSA":
		method = jwt.SigningMethodEdDSA
	default:
		return nil, fmt.Errorf("idp: unsupported algorithm %q (want RS256, ES256 or EdDSA)", opts.Algorithm)
	}
	p := &Provider{opts: opts, method: method}
	k, err := p.newKey()
	if err != nil {
		return nil, err
	}
	p.current = k
	return p, nil
}

// Issuer returns the issuer URL.
func (p *Provider) Issuer() string { return p.opts.Issuer }

// Audience returns the audience of minted tokens.
func (p *Provider) Audience() string { return p.opts.Audience }

// Algorithm returns the signing algorithm ("RS256", "ES256" or "EdDSA").
func (p *Provider) Algorithm() string { return p.opts.Algorithm }

// JWKSURL returns the absolute URL of the JWKS.
func (p *Provider) JWKSURL() string { return p.opts.Issuer + JWKSPath }

// CurrentKID returns the key id that signs newly minted tokens.
func (p *Provider) CurrentKID() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current.kid
}

func (p *Provider) newKey() (*signingKey, error) {
	var (
		priv crypto.Signer
		err  error
	)
	switch p.opts.Algorithm {
	case "RS256":
		priv, err = rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "EdDSA":
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	}
	if err != nil {
		return nil, fmt.Errorf("idp: generate %s key: %w", p.opts.Algorithm, err)
	}
	var id [8]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("idp: key id: %w", err)
	}
	return &signingKey{kid: hex.EncodeToString(id[:]), private: priv}, nil
}

// Rotate makes a new key the signing key. The previous key stays in the JWKS
// for Options.Overlap (measured on the Provider's clock) and is then dropped.
func (p *Provider) Rotate() error {
	_, err := p.rotate()
	return err
}

// rotate is Rotate returning the new key id.
func (p *Provider) rotate() (string, error) {
	k, err := p.newKey()
	if err != nil {
		return "", err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.current.retiredAt = p.opts.Now()
	p.retired = append(p.retired, p.current)
	p.current = k
	return k.kid, nil
}

// publishedLocked prunes retired keys whose overlap has ended and returns the
// keys to publish, current first.
func (p *Provider) publishedLocked() []*signingKey {
	now := p.opts.Now()
	kept := p.retired[:0]
	for _, k := range p.retired {
		if now.Before(k.retiredAt.Add(p.opts.Overlap)) {
			kept = append(kept, k)
		}
	}
	clear(p.retired[len(kept):])
	p.retired = kept
	out := make([]*signingKey, 0, 1+len(kept))
	out = append(out, p.current)
	for i := len(kept) - 1; i >= 0; i-- {
		out = append(out, kept[i])
	}
	return out
}

// JWKS returns the published key set: the signing key and every retired key
// still inside its overlap. Only public key material is included.
func (p *Provider) JWKS() (jwkset.JWKSMarshal, error) {
	p.mu.Lock()
	keys := p.publishedLocked()
	p.mu.Unlock()
	set := jwkset.JWKSMarshal{Keys: make([]jwkset.JWKMarshal, 0, len(keys))}
	for _, k := range keys {
		meta := jwkset.JWKMetadataOptions{KID: k.kid, USE: jwkset.UseSig}
		if !p.opts.OmitKeyAlg {
			meta.ALG = jwkset.ALG(p.opts.Algorithm)
		}
		j, err := jwkset.NewJWKFromKey(k.private.Public(), jwkset.JWKOptions{Metadata: meta})
		if err != nil {
			return jwkset.JWKSMarshal{}, fmt.Errorf("idp: marshal key %s: %w", k.kid, err)
		}
		m := j.Marshal()
		if p.opts.OmitKeyAlg {
			m.ALG = ""
		}
		set.Keys = append(set.Keys, m)
	}
	return set, nil
}

// Mint signs an access token for sub with the given scopes (joined into the
// space-separated "scope" claim). ttl <= 0 means Options.DefaultTTL; ttl is
// capped at MaxTTL. Claims in extra are added last and may override any
// standard claim (iss, aud, exp, nbf, ...), which is how tests mint tokens
// that a verifier must reject.
func (p *Provider) Mint(sub string, scopes []string, ttl time.Duration, extra map[string]any) (string, error) {
	tok, _, err := p.mint(sub, scopes, ttl, extra)
	return tok, err
}

func (p *Provider) mint(sub string, scopes []string, ttl time.Duration, extra map[string]any) (string, time.Time, error) {
	if sub == "" {
		return "", time.Time{}, errors.New("idp: subject is required")
	}
	if ttl <= 0 {
		ttl = p.opts.DefaultTTL
	}
	if ttl > MaxTTL {
		ttl = MaxTTL
	}
	var jti [12]byte
	if _, err := rand.Read(jti[:]); err != nil {
		return "", time.Time{}, fmt.Errorf("idp: token id: %w", err)
	}
	now := p.opts.Now().Truncate(time.Second)
	exp := now.Add(ttl)
	claims := jwt.MapClaims{
		"iss": p.opts.Issuer,
		"aud": p.opts.Audience,
		"sub": sub,
		"iat": now.Unix(),
		"nbf": now.Unix(),
		"exp": exp.Unix(),
		"jti": hex.EncodeToString(jti[:]),
	}
	if len(scopes) > 0 {
		claims["scope"] = strings.Join(scopes, " ")
	}
	for k, v := range extra {
		claims[k] = v
	}
	p.mu.Lock()
	key := p.current
	p.mu.Unlock()
	t := jwt.NewWithClaims(p.method, claims)
	t.Header["kid"] = key.kid
	signed, err := t.SignedString(key.private)
	if err != nil {
		// The jwt error names the failing step only; it never contains the token.
		return "", time.Time{}, fmt.Errorf("idp: sign token: %w", err)
	}
	return signed, exp, nil
}

// Handler serves OIDC discovery and the JWKS. Mount it at the root of the
// issuer's address (127.0.0.1:9100 by default).
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+DiscoveryPath, p.serveDiscovery)
	mux.HandleFunc("GET "+JWKSPath, p.serveJWKS)
	return mux
}

type discovery struct {
	Issuer                           string   `json:"issuer"`
	JWKSURI                          string   `json:"jwks_uri"`
	ResponseTypesSupported           []string `json:"response_types_supported"`
	SubjectTypesSupported            []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported []string `json:"id_token_signing_alg_values_supported"`
	ScopesSupported                  []string `json:"scopes_supported,omitempty"`
	ClaimsSupported                  []string `json:"claims_supported"`
}

func (p *Provider) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, discovery{
		Issuer:                           p.opts.Issuer,
		JWKSURI:                          p.JWKSURL(),
		ResponseTypesSupported:           []string{"token"},
		SubjectTypesSupported:            []string{"public"},
		IDTokenSigningAlgValuesSupported: []string{p.opts.Algorithm},
		ClaimsSupported:                  []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope", "client_id"},
	})
}

func (p *Provider) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	set, err := p.JWKS()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "INTERNAL", "key set unavailable")
		return
	}
	w.Header().Set("Cache-Control", "max-age=60")
	writeJSON(w, http.StatusOK, set)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	type body struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	}
	writeJSON(w, status, map[string]body{"error": {Code: code, Message: msg}})
}
