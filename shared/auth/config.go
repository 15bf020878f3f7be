package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"time"
)

// Defaults applied by Config.Normalize to zero fields.
const (
	DefaultIssuer                    = "http://127.0.0.1:9100"
	DefaultJWKSURL                   = "http://127.0.0.1:9100/.well-known/jwks.json"
	DefaultAudience                  = "tandem"
	DefaultMaxTokenBytes             = 8 << 10
	DefaultLeeway                    = 30 * time.Second
	DefaultRefreshInterval           = 10 * time.Minute
	DefaultUnknownKIDRefreshInterval = 30 * time.Second
	DefaultHTTPTimeout               = 5 * time.Second

	// MaxLeeway bounds the configurable clock skew allowance.
	MaxLeeway = 5 * time.Minute
	// maxTokenBytesLimit bounds MaxTokenBytes.
	maxTokenBytesLimit = 64 << 10
	// minDevSecretBytes is the shortest accepted development HS256 secret.
	minDevSecretBytes = 32
)

// Config is the auth section of a BFF's configuration file.
type Config struct {
	// Issuers whose tokens are accepted. At least one is required.
	Issuers []IssuerConfig `yaml:"issuers"`
	// MaxTokenBytes rejects longer bearer tokens before any parsing.
	// Default 8192; at most 65536.
	MaxTokenBytes int `yaml:"maxTokenBytes"`
}

// IssuerConfig describes one trusted token issuer.
type IssuerConfig struct {
	// Issuer must equal the token's "iss" claim exactly.
	Issuer string `yaml:"issuer"`
	// Audiences: the token's "aud" must contain at least one of them. Required.
	Audiences []string `yaml:"audiences"`
	// JWKSURL is where the issuer publishes its verification keys. Required
	// unless DevHS256Secret is set.
	JWKSURL string `yaml:"jwksUrl"`
	// Algorithms is the allow-list of "alg" values. Default ["RS256"], or
	// ["HS256"] with DevHS256Secret. JWKS issuers accept RS256/384/512,
	// PS256/384/512, ES256/384/512 and EdDSA; HS* only with DevHS256Secret.
	Algorithms []string `yaml:"algorithms"`
	// Leeway is the allowed clock skew for exp, nbf and iat. Default 30s,
	// at most 5m.
	Leeway time.Duration `yaml:"leeway"`
	// ScopeClaims name the claims that hold scopes: a space-separated string
	// ("scope") or a list of strings ("scp"). Default ["scope", "scp"].
	ScopeClaims []string `yaml:"scopeClaims"`
	// ClientIDClaims name the claims that may hold the client id; the first
	// present wins. Default ["azp", "client_id"].
	ClientIDClaims []string `yaml:"clientIdClaims"`
	// CopyClaims are copied verbatim into Principal.Claims. Default none.
	CopyClaims []string `yaml:"copyClaims"`
	// RefreshInterval is how often the JWKS is refetched in the background.
	// Default 10m.
	RefreshInterval time.Duration `yaml:"refreshInterval"`
	// UnknownKIDRefreshInterval is the minimum time between JWKS refetches
	// triggered by tokens naming an unknown key id. Default 30s.
	UnknownKIDRefreshInterval time.Duration `yaml:"unknownKidRefreshInterval"`
	// HTTPTimeout bounds one JWKS fetch, and how long a request may wait for
	// a rate-limited unknown-kid refetch. Default 5s.
	HTTPTimeout time.Duration `yaml:"httpTimeout"`
	// DevHS256Secret accepts HS256 tokens signed with this static secret
	// instead of JWKS keys. LOCAL DEVELOPMENT ONLY: anyone who knows it can
	// mint any identity. At least 32 bytes; New logs a warning when set.
	DevHS256Secret Secret `yaml:"devHS256Secret"`
}

// DefaultConfig trusts the mock identity provider of `make run`
// (mocks/idp on 127.0.0.1:9100, audience "tandem", RS256 keys from its JWKS).
func DefaultConfig() Config {
	return Config{Issuers: []IssuerConfig{{
		Issuer:    DefaultIssuer,
		Audiences: []string{DefaultAudience},
		JWKSURL:   DefaultJWKSURL,
	}}}
}

// Secret is a string that never shows itself: formatting, logging and
// marshalling it print "[REDACTED]".
type Secret string

const redacted = "[REDACTED]"

// String implements fmt.Stringer.
func (Secret) String() string { return redacted }

// GoString implements fmt.GoStringer.
func (Secret) GoString() string { return redacted }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue(redacted) }

// MarshalJSON implements json.Marshaler.
func (Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + redacted + `"`), nil }

// MarshalYAML implements yaml.Marshaler.
func (Secret) MarshalYAML() (any, error) { return redacted, nil }

var (
	jwksAlgorithms = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
	hmacAlgorithms = []string{"HS256", "HS384", "HS512"}
)

// Normalize returns a copy of c with defaults filled in and reports the first
// invalid setting, naming its config key (e.g. "auth.issuers[0].jwksUrl").
func (c Config) Normalize() (Config, error) {
	out := c
	if out.MaxTokenBytes == 0 {
		out.MaxTokenBytes = DefaultMaxTokenBytes
	}
	if out.MaxTokenBytes < 0 || out.MaxTokenBytes > maxTokenBytesLimit {
		return Config{}, fmt.Errorf("auth.maxTokenBytes: %d is outside 1..%d", out.MaxTokenBytes, maxTokenBytesLimit)
	}
	if len(out.Issuers) == 0 {
		return Config{}, errors.New("auth.issuers: at least one issuer is required")
	}
	out.Issuers = make([]IssuerConfig, len(c.Issuers))
	seen := make(map[string]bool, len(c.Issuers))
	for i, ic := range c.Issuers {
		n, err := ic.normalize(fmt.Sprintf("auth.issuers[%d]", i))
		if err != nil {
			return Config{}, err
		}
		if seen[n.Issuer] {
			return Config{}, fmt.Errorf("auth.issuers[%d].issuer: %q is configured twice", i, n.Issuer)
		}
		seen[n.Issuer] = true
		out.Issuers[i] = n
	}
	return out, nil
}

func (ic IssuerConfig) normalize(key string) (IssuerConfig, error) {
	n := ic
	if n.Issuer == "" {
		return n, fmt.Errorf("%s.issuer: required", key)
	}
	if len(n.Audiences) == 0 || slices.Contains(n.Audiences, "") {
		return n, fmt.Errorf("%s.audiences: at least one non-empty audience is required", key)
	}
	dev := n.DevHS256Secret != ""
	switch {
	case dev && n.JWKSURL != "":
		return n, fmt.Errorf("%s: set either jwksUrl or devHS256Secret, not both", key)
	case dev && len(n.DevHS256Secret) < minDevSecretBytes:
		return n, fmt.Errorf("%s.devHS256Secret: must be at least %d bytes", key, minDevSecretBytes)
	case !dev:
		u, err := url.Parse(n.JWKSURL)
		if n.JWKSURL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return n, fmt.Errorf("%s.jwksUrl: an absolute http(s) URL is required", key)
		}
	}
	if len(n.Algorithms) == 0 {
		n.Algorithms = []string{"RS256"}
		if dev {
			n.Algorithms = []string{"HS256"}
		}
	}
	n.Algorithms = slices.Clone(n.Algorithms)
	for _, a := range n.Algorithms {
		switch {
		case dev && a != "HS256":
			return n, fmt.Errorf("%s.algorithms: %q not allowed; an issuer with devHS256Secret accepts only HS256", key, a)
		case !dev && slices.Contains(hmacAlgorithms, a):
			return n, fmt.Errorf("%s.algorithms: %q needs a shared secret and is never accepted with JWKS keys", key, a)
		case !dev && !slices.Contains(jwksAlgorithms, a):
			return n, fmt.Errorf("%s.algorithms: %q is not supported (use one of %v)", key, a, jwksAlgorithms)
		}
	}
	if n.Leeway == 0 {
		n.Leeway = DefaultLeeway
	}
	if n.Leeway < 0 || n.Leeway > MaxLeeway {
		return n, fmt.Errorf("%s.leeway: %s is outside 0..%s", key, n.Leeway, MaxLeeway)
	}
	if len(n.ScopeClaims) == 0 {
		n.ScopeClaims = []string{"scope", "scp"}
	}
	if len(n.ClientIDClaims) == 0 {
		n.ClientIDClaims = []string{"azp", "client_id"}
	}
	if n.RefreshInterval == 0 {
		n.RefreshInterval = DefaultRefreshInterval
	}
	if n.UnknownKIDRefreshInterval == 0 {
		n.UnknownKIDRefreshInterval = DefaultUnknownKIDRefreshInterval
	}
	if n.HTTPTimeout == 0 {
		n.HTTPTimeout = DefaultHTTPTimeout
	}
	for name, d := range map[string]time.Duration{
		"refreshInterval":           n.RefreshInterval,
		"unknownKidRefreshInterval": n.UnknownKIDRefreshInterval,
		"httpTimeout":               n.HTTPTimeout,
	} {
		if d < 0 {
			return n, fmt.Errorf("%s.%s: must be positive", key, name)
		}
	}
	return n, nil
}

var (
	_ fmt.Stringer   = Secret("")
	_ fmt.GoStringer = Secret("")
	_ slog.LogValuer = Secret("")
)
