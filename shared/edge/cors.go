package edge

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/rs/cors"
)

// originPattern is one allowed origin: exact, or with a wildcard for the
// leftmost host labels or for the port.
type originPattern struct {
	scheme    string
	host      string // without the wildcard label when anySubdomain
	port      string // "" for the scheme's default port
	anySubdom bool   // "*.example.com": one or more labels before host
	anyPort   bool   // "host:*": any explicit port, or none
}

// parseOriginPattern reads "https://shop.example.com",
// "https://*.example.com" or "http://localhost:*". Paths, user info,
// queries and any other use of "*" are refused: an origin is scheme, host
// and port only.
func parseOriginPattern(s string) (originPattern, error) {
	var p originPattern
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || (scheme != "http" && scheme != "https") || rest == "" {
		return p, fmt.Errorf("%q is not an origin (scheme://host[:port])", s)
	}
	p.scheme = scheme
	host := rest
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.Contains(rest[i:], "]") {
		host, p.port = rest[:i], rest[i+1:]
		if p.port == "*" {
			p.anyPort, p.port = true, ""
		} else if n, err := strconv.Atoi(p.port); err != nil || n <= 0 || n > 65535 {
			return p, fmt.Errorf("%q has an invalid port", s)
		}
	}
	if strings.HasPrefix(host, "*.") {
		p.anySubdom, host = true, host[2:]
	}
	if host == "" || strings.ContainsAny(host, "*/?#@ ") {
		return p, fmt.Errorf("%q is not an origin: use an exact host, *.domain or host:*", s)
	}
	p.host = strings.ToLower(strings.TrimSuffix(strings.TrimPrefix(host, "["), "]"))
	p.port = defaultPortless(p.scheme, p.port)
	return p, nil
}

func defaultPortless(scheme, port string) string {
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		return ""
	}
	return port
}

func (p originPattern) matches(scheme, host, port string) bool {
	if scheme != p.scheme {
		return false
	}
	if !p.anyPort && port != p.port {
		return false
	}
	if p.anySubdom {
		return strings.HasSuffix(host, "."+p.host) && len(host) > len(p.host)+1
	}
	return host == p.host
}

// originMatcher reports whether an Origin header value is allowed.
type originMatcher []originPattern

func newOriginMatcher(patterns []string) (originMatcher, error) {
	m := make(originMatcher, 0, len(patterns))
	for _, s := range patterns {
		p, err := parseOriginPattern(s)
		if err != nil {
			return nil, err
		}
		m = append(m, p)
	}
	return m, nil
}

func (m originMatcher) allowed(origin string) bool {
	u, err := url.Parse(origin)
	if err != nil || u.Path != "" || u.RawQuery != "" || u.User != nil || u.Host == "" {
		return false // "null", or not a serialized origin
	}
	port := u.Port()
	if port != "" {
		if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
			return false
		}
	}
	scheme, host := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname())
	port = defaultPortless(scheme, port)
	for _, p := range m {
		if p.matches(scheme, host, port) {
			return true
		}
	}
	return false
}

// newCORS returns the CORS layer for cfg, or nil when no origin is allowed
// (then no Access-Control-* header is ever written and a browser on another
// origin is refused by its own rules).
func newCORS(cfg CORSConfig, csrfHeaders []string) (func(http.Handler) http.Handler, error) {
	if len(cfg.AllowedOrigins) == 0 {
		return nil, nil
	}
	m, err := newOriginMatcher(cfg.AllowedOrigins)
	if err != nil {
		return nil, err
	}
	c := cors.New(cors.Options{
		AllowOriginFunc:      m.allowed,
		AllowedMethods:       []string{http.MethodGet, http.MethodPost},
		AllowedHeaders:       canonical(DefaultAllowedHeaders, csrfHeaders, cfg.AllowedHeaders),
		ExposedHeaders:       canonical(DefaultExposedHeaders, cfg.ExposedHeaders),
		AllowCredentials:     cfg.AllowCredentials,
		MaxAge:               int(cfg.MaxAge.Seconds()),
		OptionsSuccessStatus: http.StatusNoContent,
	})
	return c.Handler, nil
}
