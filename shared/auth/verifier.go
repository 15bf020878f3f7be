package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/time/rate"
)

// maxJWKSBytes bounds a JWKS response body.
const maxJWKSBytes = 1 << 20

// minRSABits is the smallest accepted RSA modulus.
const minRSABits = 2048

// Verifier checks bearer tokens against the configured issuers. It is safe for
// concurrent use. Close stops its background JWKS refreshes.
type Verifier struct {
	byIssuer      map[string]*issuer
	single        *issuer // set when exactly one issuer is configured
	maxTokenBytes int
	logger        *slog.Logger
	onReject      func(ctx context.Context, r Reason)
	stop          context.CancelFunc
	transport     *http.Transport // the verifier's own, closed by Close; nil with WithHTTPClient's
	verified      *verifiedTokens // tokens accepted lately (verified.go)
}

type issuer struct {
	cfg    IssuerConfig
	parser *jwt.Parser
	algs   map[string]bool
	keys   jwkset.Storage // JWKS issuers
	secret []byte         // development HS256 issuer
}

// Option configures a Verifier.
type Option func(*options)

type options struct {
	logger     *slog.Logger
	httpClient *http.Client
	now        func() time.Time
	onReject   func(ctx context.Context, r Reason)
}

// WithLogger sets the logger for startup warnings, JWKS refresh failures and
// (at debug level) rejected tokens. Default slog.Default().
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithHTTPClient sets the client that fetches JWKS documents; its transport is
// wrapped to cap response bodies at 1 MiB. Default: a client with the
// default transport.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithClock sets the clock exp, nbf and iat are checked against. Default time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithRejectHook calls f for every rejected request or token with the reason,
// e.g. to count rejections in metrics. Default none.
func WithRejectHook(f func(ctx context.Context, r Reason)) Option {
	return func(o *options) { o.onReject = f }
}

// New builds a Verifier from cfg. For each JWKS issuer it fetches the key set
// once (bounded by httpTimeout; a failure is logged, not fatal, so the gateway
// can start before its identity provider) and starts a background refresh
// that runs until Close.
func New(cfg Config, opts ...Option) (*Verifier, error) {
	cfg, err := cfg.Normalize()
	if err != nil {
		return nil, err
	}
	o := options{logger: slog.Default(), now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.logger == nil {
		o.logger = slog.Default()
	}
	base := o.httpClient
	if base == nil {
		base = &http.Client{}
	}
	client := *base
	// Without a transport of the caller's, the verifier has its own, so
	// that Close can close its connections to the identity providers
	// without touching anyone else's (http.DefaultTransport is shared).
	next := base.Transport
	var own *http.Transport
	if next == nil {
		own = http.DefaultTransport.(*http.Transport).Clone()
		next = own
	}
	client.Transport = limitBodyTransport{next: next, max: maxJWKSBytes}

	ctx, stop := context.WithCancel(context.Background())
	v := &Verifier{
		byIssuer:      make(map[string]*issuer, len(cfg.Issuers)),
		maxTokenBytes: cfg.MaxTokenBytes,
		logger:        o.logger,
		onReject:      o.onReject,
		stop:          stop,
		transport:     own,
		verified:      newVerifiedTokens(o.now),
	}
	for _, ic := range cfg.Issuers {
		is := &issuer{
			cfg:  ic,
			algs: make(map[string]bool, len(ic.Algorithms)),
			parser: jwt.NewParser(
				jwt.WithValidMethods(ic.Algorithms),
				jwt.WithIssuer(ic.Issuer),
				jwt.WithAudience(ic.Audiences...),
				jwt.WithExpirationRequired(),
				jwt.WithIssuedAt(),
				jwt.WithLeeway(ic.Leeway),
				jwt.WithTimeFunc(o.now),
			),
		}
		for _, a := range ic.Algorithms {
			is.algs[a] = true
		}
		if ic.DevHS256Secret != "" {
			is.secret = []byte(ic.DevHS256Secret)
			o.logger.Warn("INSECURE: auth accepts HS256 tokens signed with a static development secret; "+
				"anyone who knows it can impersonate any user. Never use devHS256Secret outside local development.",
				"issuer", ic.Issuer)
		} else {
			kf, err := keyfunc.NewDefaultOverrideCtx(ctx, []string{ic.JWKSURL}, keyfunc.Override{
				Client:                    &client,
				HTTPTimeout:               ic.HTTPTimeout,
				NoErrorReturnFirstHTTPReq: new(true),
				RefreshInterval:           ic.RefreshInterval,
				RefreshUnknownKID:         rate.NewLimiter(rate.Every(ic.UnknownKIDRefreshInterval), 1),
				// Bounds both the wait for the limiter and the refetch itself;
				// a request waits at most this long for an unknown kid.
				RateLimitWaitMax:        ic.HTTPTimeout,
				RefreshErrorHandlerFunc: v.refreshErrorHandler(ic.Issuer),
			})
			if err != nil {
				stop()
				// The library's error text embeds the URL; keep it out.
				return nil, fmt.Errorf("auth: issuer %q: cannot create the JWKS client", ic.Issuer)
			}
			is.keys = kf.Storage()
		}
		v.byIssuer[ic.Issuer] = is
	}
	if len(cfg.Issuers) == 1 {
		v.single = v.byIssuer[cfg.Issuers[0].Issuer]
	}
	return v, nil
}

// Close stops the background JWKS refreshes and closes the idle
// connections to the identity providers (those of the verifier's own
// transport; a client passed with WithHTTPClient stays its owner's).
// Verification keeps working with the cached keys.
func (v *Verifier) Close() error {
	v.stop()
	if v.transport != nil {
		v.transport.CloseIdleConnections()
	}
	return nil
}

// Ready reports an error when a JWKS issuer has no cached keys yet (its
// identity provider has not answered). Suitable for a readiness probe.
func (v *Verifier) Ready(ctx context.Context) error {
	for iss, is := range v.byIssuer {
		if is.keys == nil {
			continue
		}
		keys, err := is.keys.KeyReadAll(ctx)
		if err != nil || len(keys) == 0 {
			return fmt.Errorf("auth: no verification keys cached yet for issuer %q", iss)
		}
	}
	return nil
}

// refreshErrorHandler logs a failed JWKS fetch with the issuer and the kind of
// failure only: the underlying error would carry the URL.
func (v *Verifier) refreshErrorHandler(iss string) func(string) func(context.Context, error) {
	return func(string) func(context.Context, error) {
		return func(ctx context.Context, err error) {
			v.logger.WarnContext(ctx, "auth: JWKS refresh failed", "issuer", iss, "kind", fetchErrorKind(err))
		}
	}
}

func fetchErrorKind(err error) string {
	var netErr net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, jwkset.ErrInvalidHTTPStatusCode):
		return "http_status"
	case errors.Is(err, errBodyTooLarge):
		return "too_large"
	case errors.As(err, &netErr):
		return "network"
	default:
		return "invalid_jwks"
	}
}

// Verify checks raw (the token without "Bearer ") and returns its principal.
// Every failure is a *TokenError.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Principal, error) {
	if len(raw) > v.maxTokenBytes {
		return nil, reject(ReasonTooLarge)
	}
	if p, ok := v.verified.get(ctx, raw); ok {
		return p, nil
	}
	is := v.single
	if is == nil {
		iss, ok := peekIssuer(raw)
		if !ok {
			return nil, reject(ReasonMalformed)
		}
		if is = v.byIssuer[iss]; is == nil {
			return nil, reject(ReasonIssuer)
		}
	}
	claims := jwt.MapClaims{}
	var key any
	tok, err := is.parser.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		k, err := is.key(ctx, t)
		key = k
		return k, err
	})
	if err != nil {
		return nil, reject(is.classify(tok, err))
	}
	p, err := is.principal(raw, claims)
	if err == nil {
		kid, _ := tok.Header["kid"].(string)
		v.verified.add(raw, &verifiedToken{principal: p, issuer: is, alg: tok.Method.Alg(), kid: kid, key: key})
	}
	return p, err
}

// peekIssuer reads the unverified "iss" claim to choose the issuer whose keys
// and rules then verify the whole token.
func peekIssuer(raw string) (string, bool) {
	first := strings.IndexByte(raw, '.')
	if first < 0 {
		return "", false
	}
	rest := raw[first+1:]
	second := strings.IndexByte(rest, '.')
	if second < 0 {
		return "", false
	}
	payload, err := base64.RawURLEncoding.DecodeString(rest[:second])
	if err != nil {
		return "", false
	}
	var c struct {
		Iss string `json:"iss"`
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.Iss == "" {
		return "", false
	}
	return c.Iss, true
}

type publicKeyer interface{ Public() crypto.PublicKey }

// key is the jwt.Keyfunc. jwt has already checked alg against the allow-list.
func (is *issuer) key(ctx context.Context, t *jwt.Token) (any, error) {
	alg := t.Method.Alg()
	if is.secret != nil {
		if alg != "HS256" {
			return nil, reject(ReasonKeyMismatch)
		}
		return is.secret, nil
	}
	kid, ok := t.Header["kid"].(string)
	if !ok || kid == "" {
		return nil, reject(ReasonUnknownKey)
	}
	// KeyRead refetches the JWKS (rate limited) when kid is unknown.
	jwk, err := is.keys.KeyRead(ctx, kid)
	if err != nil {
		return nil, reject(ReasonUnknownKey)
	}
	m := jwk.Marshal()
	if m.ALG != "" && string(m.ALG) != alg {
		return nil, reject(ReasonKeyMismatch)
	}
	if m.USE != "" && m.USE != jwkset.UseSig {
		return nil, reject(ReasonKeyMismatch)
	}
	key := jwk.Key()
	if pk, ok := key.(publicKeyer); ok {
		key = pk.Public()
	}
	if !keyFitsAlg(alg, key) {
		return nil, reject(ReasonKeyMismatch)
	}
	return key, nil
}

// keyFitsAlg reports whether key is the kind of public key alg verifies with.
// jwt's own checks would also fail on most mismatches; this makes the rule
// explicit and covers curve and size.
func keyFitsAlg(alg string, key any) bool {
	switch alg {
	case "RS256", "RS384", "RS512", "PS256", "PS384", "PS512":
		k, ok := key.(*rsa.PublicKey)
		return ok && k.N != nil && k.N.BitLen() >= minRSABits
	case "ES256":
		k, ok := key.(*ecdsa.PublicKey)
		return ok && k.Curve == elliptic.P256()
	case "ES384":
		k, ok := key.(*ecdsa.PublicKey)
		return ok && k.Curve == elliptic.P384()
	case "ES512":
		k, ok := key.(*ecdsa.PublicKey)
		return ok && k.Curve == elliptic.P521()
	case "EdDSA":
		k, ok := key.(ed25519.PublicKey)
		return ok && len(k) == ed25519.PublicKeySize
	default:
		return false
	}
}

// classify maps a jwt error to a reason; the jwt error text is dropped.
func (is *issuer) classify(tok *jwt.Token, err error) Reason {
	if r := ReasonOf(err); r != "" {
		return r
	}
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return ReasonMalformed
	case errors.Is(err, jwt.ErrTokenExpired):
		return ReasonExpired
	case errors.Is(err, jwt.ErrTokenNotValidYet):
		return ReasonNotYetValid
	case errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return ReasonIssuedInFuture
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return ReasonIssuer
	case errors.Is(err, jwt.ErrTokenInvalidAudience):
		return ReasonAudience
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing), errors.Is(err, jwt.ErrTokenInvalidClaims):
		return ReasonClaims
	case errors.Is(err, jwt.ErrTokenUnverifiable):
		// ParseUnverified found no implementation for the header's alg.
		return ReasonAlgorithm
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		if tok == nil || tok.Method == nil || !is.algs[tok.Method.Alg()] {
			return ReasonAlgorithm
		}
		return ReasonSignature
	default:
		return ReasonMalformed
	}
}

// principal builds the Principal from verified claims.
func (is *issuer) principal(raw string, claims jwt.MapClaims) (*Principal, error) {
	sub, _ := claims["sub"].(string)
	if !isVisibleASCII(sub) || len(sub) > 255 {
		return nil, reject(ReasonClaims)
	}
	p := &Principal{Subject: sub, Token: raw, Issuer: is.cfg.Issuer}
	if exp, err := claims.GetExpirationTime(); err == nil && exp != nil {
		p.ExpiresAt = exp.UTC()
	}
	for _, name := range is.cfg.ScopeClaims {
		switch val := claims[name].(type) {
		case string:
			for s := range strings.FieldsSeq(val) {
				p.Scopes = appendScope(p.Scopes, s)
			}
		case []any:
			for _, e := range val {
				if s, ok := e.(string); ok {
					p.Scopes = appendScope(p.Scopes, s)
				}
			}
		}
	}
	for _, name := range is.cfg.ClientIDClaims {
		if s, ok := claims[name].(string); ok && isVisibleASCII(s) && len(s) <= 255 {
			p.ClientID = s
			break
		}
	}
	for _, name := range is.cfg.CopyClaims {
		if val, ok := claims[name]; ok {
			if p.Claims == nil {
				p.Claims = make(map[string]any, len(is.cfg.CopyClaims))
			}
			p.Claims[name] = val
		}
	}
	return p, nil
}

// appendScope adds s if it is a valid RFC 6749 scope token not yet present.
// Invalid ones are dropped: they could not travel in X-Tandem-Scopes.
func appendScope(scopes []string, s string) []string {
	if !isScopeToken(s) || slices.Contains(scopes, s) {
		return scopes
	}
	return append(scopes, s)
}

// isScopeToken: 1*( %x21 / %x23-5B / %x5D-7E ) (RFC 6749 section 3.3).
func isScopeToken(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// isVisibleASCII: non-empty, printable ASCII without spaces, so the value is
// a safe header and metadata value.
func isVisibleASCII(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

var errBodyTooLarge = errors.New("auth: JWKS response too large")

// limitBodyTransport caps response bodies so a misbehaving JWKS endpoint
// cannot make the gateway read without bound.
type limitBodyTransport struct {
	next http.RoundTripper
	max  int64
}

func (t limitBodyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	next := t.next
	if next == nil {
		next = http.DefaultTransport
	}
	resp, err := next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	resp.Body = &limitedBody{rc: resp.Body, left: t.max}
	return resp, nil
}

type limitedBody struct {
	rc   io.ReadCloser
	left int64
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errBodyTooLarge
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	return n, err
}

func (b *limitedBody) Close() error { return b.rc.Close() }

var (
	_ http.RoundTripper = limitBodyTransport{}
	_ io.ReadCloser     = (*limitedBody)(nil)
)
