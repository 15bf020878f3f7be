package throttle

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/errcode"
)

// Policy names, as they appear in the RateLimit and RateLimit-Policy headers
// and in extensions.policy of RATE_LIMITED errors.
const (
	PolicyRequests    = "requests"
	PolicyPoints      = "points"
	PolicyAppRequests = "app-requests"
	PolicyAppPoints   = "app-points"
	PolicyConcurrency = "concurrency"
)

// KeyFunc returns the rate limit key of a request's principal or client
// application.
type KeyFunc func(r *http.Request) string

// Limiter enforces RateConfig: request budgets and the concurrency cap in
// its HTTP Middleware, cost-point budgets through the cost extension (see
// NewCostExtension and WithPointsLimiter), since an operation's cost is only
// known once it is parsed. It writes the IETF RateLimit-Policy and RateLimit
// headers on every response it sees.
type Limiter struct {
	store     Store
	policies  []policy // request policies first, then point policies
	conc      *concurrency
	concAnon  *concurrency // signed-out callers' cap, when it differs
	trusted   []netip.Prefix
	principal KeyFunc
	app       KeyFunc
	subject   func(ctx context.Context) string
	logger    *slog.Logger
	policyHdr [2]string // RateLimit-Policy for signed-in [0] and signed-out [1] callers
	decided   DecisionObserver
}

type scope int

const (
	scopePrincipal scope = iota
	scopeApp
)

type policy struct {
	name   string
	scope  scope
	points bool
	limit  Limit
	window Window
	who    audience
}

// audience says which callers a policy applies to.
type audience int

const (
	everyone audience = iota
	signedInOnly
	signedOutOnly
)

func (p *policy) appliesTo(anonymous bool) bool {
	switch p.who {
	case signedInOnly:
		return !anonymous
	case signedOutOnly:
		return anonymous
	}
	return true
}

// split is the audience of a principal policy: everyone, unless signed-out
// callers have a budget of their own (anon).
func split(anon Window) audience {
	if anon.Limit > 0 {
		return signedInOnly
	}
	return everyone
}

// Option configures a Limiter.
type Option func(*Limiter)

// WithSubject keys principal budgets by the subject that f reads from the
// request context (the verified JWT subject), falling back to the client IP
// when f returns "". Default: no subject, every principal is its client IP.
func WithSubject(f func(ctx context.Context) string) Option {
	return func(l *Limiter) { l.subject = f }
}

// WithPrincipalKey replaces the principal key function entirely. Default:
// "sub:<subject>" when WithSubject yields one, else "ip:<client IP>".
func WithPrincipalKey(f KeyFunc) Option {
	return func(l *Limiter) { l.principal = f }
}

// WithClientApp sets how the client application is named. Default: the
// apollographql-client-name header, else "unknown".
func WithClientApp(f KeyFunc) Option {
	return func(l *Limiter) { l.app = f }
}

// Outcomes of a rate limit decision, as a DecisionObserver hears them.
const (
	DecisionAllowed     = "allowed"
	DecisionLimited     = "limited"
	DecisionUnavailable = "unavailable" // the store failed
)

// DecisionObserver hears every decision of a Limiter: the policy (one of
// the Policy* names) and its outcome (DecisionAllowed, DecisionLimited,
// DecisionUnavailable), for metrics.
type DecisionObserver func(ctx context.Context, policy, decision string)

// WithDecisionObserver reports every decision to f. Default: none.
func WithDecisionObserver(f DecisionObserver) Option {
	return func(l *Limiter) { l.decided = f }
}

func (l *Limiter) decide(ctx context.Context, policy string, allowed bool, err error) {
	if l.decided == nil {
		return
	}
	switch {
	case err != nil:
		l.decided(ctx, policy, DecisionUnavailable)
	case allowed:
		l.decided(ctx, policy, DecisionAllowed)
	default:
		l.decided(ctx, policy, DecisionLimited)
	}
}

// WithLogger sets the logger. Default: slog.Default().
func WithLogger(lg *slog.Logger) Option {
	return func(l *Limiter) { l.logger = lg }
}

// NewLimiter returns a limiter for cfg on store.
func NewLimiter(cfg RateConfig, store Store, opts ...Option) (*Limiter, error) {
	trusted, err := parsePrefixes(cfg.TrustedProxies)
	if err != nil {
		return nil, err
	}
	if store == nil {
		return nil, errors.New("throttle: NewLimiter needs a store")
	}
	l := &Limiter{store: store, trusted: trusted, logger: slog.Default()}
	for _, p := range []policy{
		{name: PolicyRequests, scope: scopePrincipal, window: cfg.Requests, who: split(cfg.Anonymous.Requests)},
		{name: PolicyRequests, scope: scopePrincipal, window: cfg.Anonymous.Requests, who: signedOutOnly},
		{name: PolicyAppRequests, scope: scopeApp, window: cfg.AppRequests},
		{name: PolicyPoints, scope: scopePrincipal, points: true, window: cfg.Points, who: split(cfg.Anonymous.Points)},
		{name: PolicyPoints, scope: scopePrincipal, points: true, window: cfg.Anonymous.Points, who: signedOutOnly},
		{name: PolicyAppPoints, scope: scopeApp, points: true, window: cfg.AppPoints},
	} {
		if p.window.Limit <= 0 {
			continue
		}
		if p.window.Period <= 0 {
			return nil, errors.New("throttle: rate." + p.name + " needs a positive period")
		}
		p.limit = p.window.limit().normalized()
		l.policies = append(l.policies, p)
	}
	if cfg.Concurrency > 0 {
		l.conc = &concurrency{max: cfg.Concurrency, inFlight: map[string]int{}}
	}
	if cfg.Anonymous.Concurrency > 0 {
		l.concAnon = &concurrency{max: cfg.Anonymous.Concurrency, inFlight: map[string]int{}}
	}
	for _, o := range opts {
		o(l)
	}
	if l.principal == nil {
		l.principal = l.defaultPrincipal
	}
	if l.app == nil {
		l.app = func(r *http.Request) string { return r.Header.Get("apollographql-client-name") }
	}
	l.policyHdr = [2]string{l.buildPolicyHeader(false), l.buildPolicyHeader(true)}
	return l, nil
}

// HasPointPolicies reports whether cost-point budgets are configured.
func (l *Limiter) HasPointPolicies() bool {
	for _, p := range l.policies {
		if p.points {
			return true
		}
	}
	return false
}

func (l *Limiter) defaultPrincipal(r *http.Request) string {
	if l.subject != nil {
		if s := l.subject(r.Context()); s != "" {
			return "sub:" + s
		}
	}
	return "ip:" + AddressKey(l.ClientIP(r))
}

// signedOut reports whether the request has no verified subject: its
// principal is its address, shared with everyone behind it.
func (l *Limiter) signedOut(r *http.Request) bool {
	return l.subject == nil || l.subject(r.Context()) == ""
}

// concFor is the concurrency cap of a caller (nil: none).
func (l *Limiter) concFor(anonymous bool) *concurrency {
	if anonymous && l.concAnon != nil {
		return l.concAnon
	}
	return l.conc
}

// AddressKey is the rate limit key of a client address: an IPv4 address
// as it is, an IPv6 address as its /64, the block one host or one home
// usually holds whole (keying single IPv6 addresses would let a caller
// rotate through 2^64 of them). Anything else is returned unchanged.
func AddressKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	p, err := a.Prefix(64)
	if err != nil {
		return ip
	}
	return p.String()
}

// ClientIP returns the client's address: the peer address, or, when the
// peer is a trusted proxy, the rightmost X-Forwarded-For entry that is not a
// trusted proxy (entries left of it are client-supplied and can be forged).
func (l *Limiter) ClientIP(r *http.Request) string {
	return ClientIP(r, l.trusted)
}

// ClientIP is Limiter.ClientIP with an explicit trusted proxy list.
func ClientIP(r *http.Request, trusted []netip.Prefix) string {
	peer := parseHostAddr(r.RemoteAddr)
	if !peer.IsValid() {
		return r.RemoteAddr
	}
	if !isTrusted(peer, trusted) {
		return peer.String()
	}
	hops := r.Header.Values("X-Forwarded-For")
	var addrs []string
	for _, h := range hops {
		for _, a := range strings.Split(h, ",") {
			if a = strings.TrimSpace(a); a != "" {
				addrs = append(addrs, a)
			}
		}
	}
	client := peer
	for i := len(addrs) - 1; i >= 0; i-- {
		a := parseHostAddr(addrs[i])
		if !a.IsValid() {
			break // garbage: stop at the last address we could trust
		}
		client = a
		if !isTrusted(a, trusted) {
			break
		}
	}
	return client.String()
}

func parseHostAddr(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	if h, _, err := net.SplitHostPort(s); err == nil {
		s = h
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}

func isTrusted(a netip.Addr, trusted []netip.Prefix) bool {
	for _, p := range trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// requestState is what the middleware knows about one request; the cost
// extension adds the point decisions to it.
type requestState struct {
	l         *Limiter
	principal string
	app       string

	anonymous bool // signed out: keyed by address, signed-out budgets

	mu          sync.Mutex
	results     []result // one per policy evaluated, in policy order
	concLeft    int      // -1: no concurrency policy
	denied      *result  // a point policy that refused the operation
	unavailable bool
}

type result struct {
	p *policy
	d Decision
}

type stateKey struct{}

func stateFrom(ctx context.Context) *requestState {
	s, _ := ctx.Value(stateKey{}).(*requestState)
	return s
}

// Middleware enforces the request budgets and the concurrency cap, and
// writes the rate limit headers on the response. Put it after
// authentication (so the subject is known) and before the GraphQL handler.
func (l *Limiter) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		st := &requestState{l: l, principal: l.principal(r), anonymous: l.signedOut(r), concLeft: -1}
		if st.app = l.app(r); st.app == "" {
			st.app = "unknown"
		}
		hw := &headerWriter{ResponseWriter: w, st: st}

		if conc := l.concFor(st.anonymous); conc != nil {
			left, ok := conc.acquire(st.principal)
			st.concLeft = left
			l.decide(ctx, PolicyConcurrency, ok, nil)
			if !ok {
				hw.reject(http.StatusTooManyRequests, st.concurrencyError(conc.max), 1)
				return
			}
			defer conc.release(st.principal)
		}
		for i := range l.policies {
			p := &l.policies[i]
			if p.points || !p.appliesTo(st.anonymous) {
				continue
			}
			d, err := l.store.Allow(ctx, st.key(p), p.limit, 1)
			l.decide(ctx, p.name, d.Allowed, err)
			if err != nil {
				hw.unavailable(ctx, err)
				return
			}
			st.results = append(st.results, result{p: p, d: d})
			if !d.Allowed {
				secs := retrySeconds(d.RetryAfter)
				hw.reject(http.StatusTooManyRequests, st.rateLimitedError(p, secs), secs)
				return
			}
		}
		next.ServeHTTP(hw, r.WithContext(context.WithValue(ctx, stateKey{}, st)))
	})
}

func (st *requestState) key(p *policy) string {
	if p.scope == scopeApp {
		return p.name + ":" + st.app
	}
	return p.name + ":" + st.principal
}

// chargePoints spends cost points on every point policy. It returns a
// RATE_LIMITED (or RATE_LIMIT_UNAVAILABLE) error when the operation must
// not run.
func (st *requestState) chargePoints(ctx context.Context, cost int) *gqlerror.Error {
	cost = max(cost, 1) // every operation spends something
	for i := range st.l.policies {
		p := &st.l.policies[i]
		if !p.points || !p.appliesTo(st.anonymous) {
			continue
		}
		d, err := st.l.store.Allow(ctx, st.key(p), p.limit, cost)
		st.l.decide(ctx, p.name, d.Allowed, err)
		st.mu.Lock()
		if err != nil {
			st.unavailable = true
			st.mu.Unlock()
			st.l.logStoreError(ctx, err)
			return unavailableError()
		}
		st.results = append(st.results, result{p: p, d: d})
		if !d.Allowed {
			st.denied = &st.results[len(st.results)-1]
			st.mu.Unlock()
			return st.rateLimitedError(p, retrySeconds(d.RetryAfter))
		}
		st.mu.Unlock()
	}
	return nil
}

func (l *Limiter) logStoreError(ctx context.Context, err error) {
	l.logger.LogAttrs(ctx, slog.LevelWarn, "rate limit refused: store unavailable", slog.Bool("failClosed", errors.Is(err, ErrStoreUnavailable)))
}

// Scopes of a budget, in extensions.scope of RATE_LIMITED errors.
const (
	ScopeUser    = "user"    // a signed-in caller's own budget
	ScopeAddress = "address" // shared by every signed-out caller behind one address
	ScopeApp     = "app"     // shared by every caller of one client application
)

func (st *requestState) scope(p *policy) string {
	switch {
	case p != nil && p.scope == scopeApp:
		return ScopeApp
	case st.anonymous:
		return ScopeAddress
	}
	return ScopeUser
}

var scopeWords = map[string]string{
	ScopeUser:    "for this user",
	ScopeAddress: "for signed-out callers from this address",
	ScopeApp:     "for this client application",
}

// rateLimitedError says which budget is spent, whose it is and its size,
// so a client (and the person reading its logs) can tell a burst of its
// own from a shared address or application running dry.
func (st *requestState) rateLimitedError(p *policy, retryAfter int) *gqlerror.Error {
	scope := st.scope(p)
	unit := "requests"
	if p.points {
		unit = "cost points"
	}
	window := max(int(p.window.Period.Seconds()), 1)
	return &gqlerror.Error{
		Message: "rate limit exceeded: the " + p.name + " budget " + scopeWords[scope] + " (" + strconv.Itoa(p.window.Limit) +
			" " + unit + " per " + p.window.Period.String() + ") is spent; retry after " + strconv.Itoa(retryAfter) + "s",
		Extensions: map[string]any{
			"code":       string(errcode.RateLimited),
			"policy":     p.name,
			"scope":      scope,
			"limit":      p.window.Limit,
			"window":     window,
			"retryAfter": retryAfter,
		},
	}
}

// concurrencyError refuses a request over the in-flight cap.
func (st *requestState) concurrencyError(maxInFlight int) *gqlerror.Error {
	scope := st.scope(nil)
	return &gqlerror.Error{
		Message: "rate limit exceeded: at most " + strconv.Itoa(maxInFlight) + " requests at a time " + scopeWords[scope] +
			"; retry after 1s",
		Extensions: map[string]any{
			"code":       string(errcode.RateLimited),
			"policy":     PolicyConcurrency,
			"scope":      scope,
			"limit":      maxInFlight,
			"retryAfter": 1,
		},
	}
}

func unavailableError() *gqlerror.Error {
	return &gqlerror.Error{
		Message:    "rate limiting is temporarily unavailable; retry shortly",
		Extensions: map[string]any{"code": string(errcode.RateLimitUnavailable)},
	}
}

func (l *Limiter) buildPolicyHeader(anonymous bool) string {
	var parts []string
	for i := range l.policies {
		p := &l.policies[i]
		if !p.appliesTo(anonymous) {
			continue
		}
		v := `"` + p.name + `";q=` + strconv.Itoa(p.window.Limit) + ";w=" + strconv.Itoa(max(int(p.window.Period.Seconds()), 1))
		if p.points {
			v += `;qu="points"`
		}
		parts = append(parts, v)
	}
	if conc := l.concFor(anonymous); conc != nil {
		parts = append(parts, `"`+PolicyConcurrency+`";q=`+strconv.Itoa(conc.max)+`;qu="concurrent-requests"`)
	}
	return strings.Join(parts, ", ")
}

// headerWriter adds the rate limit headers before the first byte of the
// response, and turns a response into 429 when the cost extension refused
// the operation.
type headerWriter struct {
	http.ResponseWriter
	st    *requestState
	wrote bool
}

func (h *headerWriter) Unwrap() http.ResponseWriter { return h.ResponseWriter }

func (h *headerWriter) WriteHeader(code int) {
	if h.wrote {
		h.ResponseWriter.WriteHeader(code)
		return
	}
	h.wrote = true
	st := h.st
	st.mu.Lock()
	hdr := h.Header()
	h.setHeaders(hdr)
	switch {
	case st.denied != nil:
		code = http.StatusTooManyRequests
		hdr.Set("Retry-After", strconv.Itoa(retrySeconds(st.denied.d.RetryAfter)))
	case st.unavailable:
		code = http.StatusServiceUnavailable
		hdr.Set("Retry-After", "1")
	}
	st.mu.Unlock()
	h.ResponseWriter.WriteHeader(code)
}

func (h *headerWriter) Write(b []byte) (int, error) {
	if !h.wrote {
		h.WriteHeader(http.StatusOK)
	}
	return h.ResponseWriter.Write(b)
}

// Flush implements http.Flusher when the underlying writer does.
func (h *headerWriter) Flush() {
	if !h.wrote {
		h.WriteHeader(http.StatusOK)
	}
	if f, ok := h.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// setHeaders writes RateLimit-Policy and RateLimit (draft-ietf-httpapi-
// ratelimit-headers: `"name";r=<remaining>;t=<seconds to full quota>`).
// Caller holds st.mu.
func (h *headerWriter) setHeaders(hdr http.Header) {
	policyHdr := h.st.l.policyHdr[0]
	if h.st.anonymous {
		policyHdr = h.st.l.policyHdr[1]
	}
	if policyHdr == "" {
		return
	}
	hdr.Set("RateLimit-Policy", policyHdr)
	var buf [256]byte // every response writes one: built in place, one string at the end
	b := buf[:0]
	item := func(name string, remaining int) {
		if len(b) > 0 {
			b = append(b, ", "...)
		}
		b = append(append(append(b, '"'), name...), `";r=`...)
		b = strconv.AppendInt(b, int64(remaining), 10)
	}
	for _, r := range h.st.results {
		item(r.p.name, max(r.d.Remaining, 0))
		b = strconv.AppendInt(append(b, ";t="...), int64(ceilSeconds(r.d.ResetAfter)), 10)
	}
	if h.st.concLeft >= 0 {
		item(PolicyConcurrency, h.st.concLeft)
	}
	if len(b) > 0 {
		hdr.Set("RateLimit", string(b))
	}
}

func ceilSeconds(d interface{ Seconds() float64 }) float64 {
	s := d.Seconds()
	if s <= 0 {
		return 0
	}
	n := float64(int64(s))
	if n < s {
		n++
	}
	return n
}

func (h *headerWriter) reject(status int, err *gqlerror.Error, retryAfter int) {
	h.st.mu.Lock()
	h.setHeaders(h.Header())
	h.st.mu.Unlock()
	h.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	h.wrote = true
	writeError(h.ResponseWriter, status, err)
}

func (h *headerWriter) unavailable(ctx context.Context, err error) {
	if ctx.Err() != nil {
		return // the client is gone; nothing to answer
	}
	h.st.l.logStoreError(ctx, err)
	h.Header().Set("Retry-After", "1")
	h.wrote = true
	writeError(h.ResponseWriter, http.StatusServiceUnavailable, unavailableError())
}

// concurrency counts in-flight requests per principal on this replica.
type concurrency struct {
	max      int
	mu       sync.Mutex
	inFlight map[string]int
}

// acquire takes a slot; it returns the slots left and whether it got one.
func (c *concurrency) acquire(key string) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.inFlight[key]
	if n >= c.max {
		return 0, false
	}
	c.inFlight[key] = n + 1
	return c.max - n - 1, true
}

func (c *concurrency) release(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := c.inFlight[key]; n <= 1 {
		delete(c.inFlight, key)
	} else {
		c.inFlight[key] = n - 1
	}
}
