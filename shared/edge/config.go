package edge

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/tandemgw/tandem/shared/persisted"
)

// Config is the `edge:` section of a BFF's configuration. Start from
// Defaults; Resolve fills what depends on dev mode and the BFF.
type Config struct {
	CORS             CORSConfig             `yaml:"cors"`
	CSRF             CSRFConfig             `yaml:"csrf"`
	Compression      CompressionConfig      `yaml:"compression"`
	Cache            CacheConfig            `yaml:"cache"`
	APQ              APQConfig              `yaml:"apq"`
	TrustedDocuments TrustedDocumentsConfig `yaml:"trustedDocuments"`
}

// CORSConfig lets browser apps on other origins call the BFF.
type CORSConfig struct {
	// AllowedOrigins are the origins allowed to call, each exact
	// ("https://shop.example.com") or a pattern with one "*" for the
	// leftmost host labels ("https://*.example.com", which does not match
	// example.com itself) or for the port ("http://localhost:*"). Unset:
	// none outside dev mode, and http://localhost:* and http://127.0.0.1:*
	// in dev mode. An empty list means none, in dev mode too.
	AllowedOrigins []string `yaml:"allowedOrigins"`
	// AllowCredentials lets browsers send cookies and HTTP authentication
	// (Access-Control-Allow-Credentials). Bearer tokens in Authorization do
	// not need it. Default false.
	AllowCredentials bool `yaml:"allowCredentials"`
	// MaxAge is how long a browser may cache a preflight answer; 0 leaves
	// it to the browser (5 seconds in Chromium). Default 10m.
	MaxAge time.Duration `yaml:"maxAge"`
	// AllowedHeaders are request headers allowed besides the defaults
	// (DefaultAllowedHeaders and the CSRF headers).
	AllowedHeaders []string `yaml:"allowedHeaders"`
	// ExposedHeaders are response headers a page may read besides the
	// defaults (DefaultExposedHeaders: the rate limit headers).
	ExposedHeaders []string `yaml:"exposedHeaders"`
}

// DefaultAllowedHeaders are the request headers every CORS configuration
// allows: what Apollo Client, urql and the W3C trace context send.
var DefaultAllowedHeaders = []string{
	"Accept", "Accept-Language", "Authorization", "Content-Type",
	"Apollo-Require-Preflight", "X-Apollo-Operation-Name",
	"Apollographql-Client-Name", "Apollographql-Client-Version",
	"Traceparent", "Tracestate",
}

// DefaultExposedHeaders are the response headers every CORS configuration
// lets a page read: the rate limit state and when to retry.
var DefaultExposedHeaders = []string{"RateLimit", "RateLimit-Policy", "Retry-After"}

// DevAllowedOrigins are the allowed origins in dev mode unless configured.
var DevAllowedOrigins = []string{"http://localhost:*", "http://127.0.0.1:*"}

// CSRFConfig is the CSRF prevention of Apollo Server: a request that a
// browser would send cross-site without a preflight (any GET, or a POST
// whose Content-Type is text/plain, application/x-www-form-urlencoded or
// multipart/form-data, or has none) is refused unless it carries a
// non-empty header that forces a preflight: apollo-require-preflight,
// x-apollo-operation-name or one of RequiredHeaders. A POST with
// Content-Type: application/json always passes.
type CSRFConfig struct {
	// Disabled turns the check off (default false). Only for APIs no
	// browser reaches with cookies or ambient credentials.
	Disabled bool `yaml:"disabled"`
	// RequiredHeaders are headers that pass the check besides
	// DefaultCSRFHeaders (e.g. an app's own X-Client-Name).
	RequiredHeaders []string `yaml:"requiredHeaders"`
}

// DefaultCSRFHeaders pass CSRF prevention; Apollo's clients (web, iOS,
// Kotlin) send one of them on GET requests.
var DefaultCSRFHeaders = []string{"Apollo-Require-Preflight", "X-Apollo-Operation-Name"}

// CompressionConfig negotiates response compression from Accept-Encoding.
type CompressionConfig struct {
	// Disabled turns compression off (default false).
	Disabled bool `yaml:"disabled"`
	// MinSize is the size floor in bytes: smaller answers go uncompressed.
	// 0 means DefaultCompressionMinSize.
	MinSize int `yaml:"minSize"`
	// DisableZstd offers gzip only (default false: zstd when the client
	// accepts it, else gzip).
	DisableZstd bool `yaml:"disableZstd"`
}

// DefaultCompressionMinSize is the default size floor: below about a kilobyte
// compression saves less than it costs.
const DefaultCompressionMinSize = 1024

// CacheConfig sets Cache-Control on GET answers.
type CacheConfig struct {
	// MaxAge is the max-age of `Cache-Control: public` on answers that a
	// shared cache may keep: a GET of a persisted query (by documentId or
	// hash, without its text), anonymous (no Authorization), answered
	// without errors. 0 means never public. Everything else is no-store
	// (private, no-store when authenticated). Default 60s.
	MaxAge time.Duration `yaml:"maxAge"`
}

// APQConfig configures automatic persisted queries.
type APQConfig struct {
	// Disabled turns APQ off (default false): a hash without text is then
	// PERSISTED_QUERY_NOT_FOUND forever, and Apollo's link falls back to
	// sending the text.
	Disabled bool `yaml:"disabled"`
	// Store is "memory" (default: a bounded LRU per replica) or "redis"
	// (shared by every replica, through the rate limiter's Redis client:
	// needs throttle.store.kind redis).
	Store string `yaml:"store"`
	// CacheSize is the number of texts kept in memory (the local cache in
	// front of Redis, too). 0 means persisted.DefaultCacheSize.
	CacheSize int `yaml:"cacheSize"`
	// TTL is how long Redis keeps a text. 0 means persisted.DefaultRedisTTL.
	TTL time.Duration `yaml:"ttl"`
}

// TrustedDocumentsConfig configures the safelist.
type TrustedDocumentsConfig struct {
	// Mode is enforce, log or off for operations in no manifest. Unset:
	// the BFF's own default (bff-mobile enforce, bff-web log) outside dev
	// mode, and log in dev mode when the BFF's default is enforce, so
	// GraphiQL works.
	Mode persisted.Mode `yaml:"mode"`
	// Manifests are manifest files loaded at startup besides the ones
	// built into the binary (Apollo persisted query manifest or Codegen's
	// persisted-documents.json).
	Manifests []string `yaml:"manifests"`
}

// Defaults returns the settings every BFF starts from.
func Defaults() Config {
	return Config{
		CORS:        CORSConfig{MaxAge: 10 * time.Minute},
		Compression: CompressionConfig{MinSize: DefaultCompressionMinSize},
		Cache:       CacheConfig{MaxAge: time.Minute},
		APQ:         APQConfig{Store: "memory", CacheSize: persisted.DefaultCacheSize, TTL: persisted.DefaultRedisTTL},
	}
}

// Resolve fills the settings that depend on dev mode and on the BFF's
// default trusted documents mode (used outside dev mode when Mode is
// unset).
func (c Config) Resolve(dev bool, bffMode persisted.Mode) Config {
	if c.CORS.AllowedOrigins == nil && dev {
		c.CORS.AllowedOrigins = append([]string(nil), DevAllowedOrigins...)
	}
	if c.TrustedDocuments.Mode == "" {
		c.TrustedDocuments.Mode = bffMode
		if c.TrustedDocuments.Mode == "" {
			c.TrustedDocuments.Mode = persisted.ModeLog
		}
		if dev && c.TrustedDocuments.Mode == persisted.ModeEnforce {
			c.TrustedDocuments.Mode = persisted.ModeLog
		}
	}
	if c.APQ.Store == "" {
		c.APQ.Store = "memory"
	}
	return c
}

// Validate reports settings that cannot work, naming the key.
func (c Config) Validate() error {
	var errs []error
	for _, o := range c.CORS.AllowedOrigins {
		if _, err := parseOriginPattern(o); err != nil {
			errs = append(errs, fmt.Errorf("edge.cors.allowedOrigins: %w", err))
		}
	}
	if c.CORS.MaxAge < 0 {
		errs = append(errs, errors.New("edge.cors.maxAge must not be negative"))
	}
	for _, h := range append(append(append([]string(nil), c.CORS.AllowedHeaders...), c.CORS.ExposedHeaders...), c.CSRF.RequiredHeaders...) {
		if !validHeaderName(h) {
			errs = append(errs, fmt.Errorf("edge: %q is not a header name", h))
		}
	}
	if c.Compression.MinSize < 0 {
		errs = append(errs, errors.New("edge.compression.minSize must not be negative"))
	}
	if c.Cache.MaxAge < 0 {
		errs = append(errs, errors.New("edge.cache.maxAge must not be negative"))
	}
	switch c.APQ.Store {
	case "", "memory", "redis":
	default:
		errs = append(errs, fmt.Errorf("edge.apq.store %q is not memory or redis", c.APQ.Store))
	}
	if c.APQ.CacheSize < 0 || c.APQ.TTL < 0 {
		errs = append(errs, errors.New("edge.apq.cacheSize and edge.apq.ttl must not be negative"))
	}
	if m := c.TrustedDocuments.Mode; m != "" && !m.Valid() {
		errs = append(errs, fmt.Errorf("edge.trustedDocuments.mode %q is not enforce, log or off", m))
	}
	return errors.Join(errs...)
}

func validHeaderName(h string) bool {
	if h == "" {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return false
		}
	}
	return true
}

// canonical returns the canonical form of header names, deduplicated.
func canonical(lists ...[]string) []string {
	seen := map[string]bool{}
	var out []string
	for _, l := range lists {
		for _, h := range l {
			c := http.CanonicalHeaderKey(strings.TrimSpace(h))
			if c != "" && !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	return out
}
