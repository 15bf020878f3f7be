package upstream

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	fastjson "github.com/segmentio/encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tandemgw/tandem/shared/errcode"
)

// REST is a JSON-over-HTTP client for one upstream service. It is safe for
// concurrent use; build one per upstream and share it.
type REST struct {
	service string
	client  *http.Client
	ownTr   *http.Transport // closed by Close when REST built it
	policy  *policy
	opts    *options
	forward bool
}

// NewTransport returns the tuned transport REST clients use by default:
// keep-alives on, a generous idle pool per host (the gateway talks to few
// hosts, many times), bounded dial and TLS handshake times, and no proxy
// from the environment (upstreams are internal).
func NewTransport() *http.Transport {
	d := &net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		DialContext:           d.DialContext,
		MaxIdleConns:          512,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   3 * time.Second,
		ExpectContinueTimeout: time.Second,
		ForceAttemptHTTP2:     true,
	}
}

// NewREST builds the client of one REST upstream. cfg.Address (or each of
// cfg.Endpoints) is a base URL ("http://127.0.0.1:9102"); zero fields of
// cfg take the defaults. With cfg.TLS every address must be https.
func NewREST(service string, cfg Config, opts ...Option) (*REST, error) {
	if service == "" {
		return nil, errors.New("upstream: service name is empty")
	}
	cfg = cfg.WithDefaults()
	if err := cfg.Validate("upstream " + service); err != nil {
		return nil, err
	}
	o := newOptions(opts)
	if cfg.ForwardToken && o.tokenFunc == nil {
		return nil, fmt.Errorf("upstream %s: forwardToken is set but no token source is configured (WithTokenFunc)", service)
	}
	p, err := newPolicy(service, cfg, o)
	if err != nil {
		return nil, err
	}
	for _, ep := range p.endpoints.eps {
		u, err := url.Parse(ep.address)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("upstream %s: address %q is not an http(s) base URL", service, ep.address)
		}
		if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
			return nil, fmt.Errorf("upstream %s: address must be a plain base URL without query, fragment or credentials", service)
		}
		if p.tls != nil && u.Scheme != "https" {
			return nil, fmt.Errorf("upstream %s: tls is configured but address %q is not https", service, ep.address)
		}
		ep.base = strings.TrimRight(u.String(), "/")
	}
	c := &REST{
		service: service,
		policy:  p,
		opts:    o,
		forward: cfg.ForwardToken,
	}
	if o.httpClient != nil {
		if p.tls != nil {
			return nil, fmt.Errorf("upstream %s: tls is configured, which a custom HTTP client (WithHTTPClient) would ignore", service)
		}
		c.client = o.httpClient
	} else {
		c.ownTr = NewTransport()
		// Every connection of the source stays within its bulkhead, so one
		// slow upstream cannot hold an unbounded number of sockets.
		c.ownTr.MaxConnsPerHost = cfg.MaxConcurrent
		if p.tls != nil {
			c.ownTr.TLSClientConfig = p.tls.config()
		}
		c.client = &http.Client{Transport: c.ownTr}
	}
	// Never follow redirects: an internal service that redirects is
	// misbehaving, and following could leak identity headers elsewhere.
	cl := *c.client
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	// Every attempt is a client span of the caller's trace (a no-op unless
	// tracing is set up), and the trace context travels with it.
	cl.Transport = o.traceTransport(service, cl.Transport)
	c.client = &cl
	return c, nil
}

// Service returns the upstream's service name.
func (c *REST) Service() string { return c.service }

// BreakerState reports the circuit breaker state: "closed", "half-open",
// "open" or "disabled".
func (c *REST) BreakerState() string { return c.policy.breakerState() }

// State reports the breaker, bulkhead and endpoints of the upstream.
func (c *REST) State() State { return c.policy.state() }

// Close releases idle connections of the transport NewREST built.
func (c *REST) Close() error {
	if c.ownTr != nil {
		c.ownTr.CloseIdleConnections()
	}
	return nil
}

// GetJSON GETs base+path?query and decodes the JSON answer into out. path
// starts with "/" and its variable segments are escaped with PathSegment.
// GET is idempotent, so retryable failures are retried.
func (c *REST) GetJSON(ctx context.Context, path string, query url.Values, out any) error {
	return c.do(ctx, http.MethodGet, path, query, nil, nil, true, out)
}

// PostJSON POSTs body as JSON and decodes the answer into out (nil to
// discard). The call is retried only when hdr carries an Idempotency-Key,
// which makes the POST idempotent by the services' contract.
func (c *REST) PostJSON(ctx context.Context, path string, hdr http.Header, body, out any) error {
	var payload []byte
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return &Error{Service: c.service, Code: errcode.InternalServerError, Err: fmt.Errorf("encode request: %w", err)}
		}
		payload = b
	}
	idempotent := hdr.Get("Idempotency-Key") != ""
	return c.do(ctx, http.MethodPost, path, nil, hdr, payload, idempotent, out)
}

// PathSegment escapes one variable path segment (an id). Unlike
// url.PathEscape it also escapes "." so that ids like ".." cannot move the
// request to another path.
func PathSegment(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), ".", "%2E")
}

// DeadlineHeader carries, on every REST attempt, how many milliseconds the
// gateway will wait for the answer: the smaller of the attempt's timeout
// and what is left of the client request's budget. A service can stop
// working on a request nobody will read. gRPC calls carry the same as
// their deadline (grpc-timeout).
const DeadlineHeader = "X-Tandem-Deadline-Ms"

func (c *REST) do(ctx context.Context, method, path string, query url.Values, hdr http.Header, body []byte, idempotent bool, out any) error {
	if !strings.HasPrefix(path, "/") {
		return c.policy.reject(&Error{Service: c.service, Code: errcode.InternalServerError, Err: errors.New("request path must start with /")})
	}
	// Caller-supplied header values are input: refuse what net/http would
	// refuse before anything is counted or retried.
	if err := checkHeader(hdr); err != nil {
		return c.policy.reject(c.policy.localFailure(err).err)
	}
	target := path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	return c.policy.observed(ctx, method+" "+Route(path), idempotent, func(actx context.Context, ep *endpoint) *failure {
		return c.attempt(ctx, withRoute(actx, path), method, ep.base+target, hdr, body, out)
	})
}

func (c *REST) attempt(ctx, actx context.Context, method, target string, hdr http.Header, body []byte, out any) *failure {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(actx, method, target, rd)
	if err != nil {
		return c.policy.localFailure(err)
	}
	for k, vs := range hdr {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.opts.headerFunc != nil {
		c.opts.headerFunc(ctx, req.Header)
	}
	if c.forward {
		if tok, ok := c.opts.tokenFunc(ctx); ok && tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
	}
	if dl, ok := actx.Deadline(); ok {
		req.Header.Set(DeadlineHeader, strconv.FormatInt(max(time.Until(dl).Milliseconds(), 1), 10))
	}
	// What the identity hooks added is checked too: a value net/http
	// refuses is the gateway's bug, not the upstream's failure.
	if err := checkHeader(req.Header); err != nil {
		return &failure{err: &Error{Service: c.service, Code: errcode.InternalServerError, Err: err}, local: true}
	}
	resp, err := c.client.Do(req)
	if err != nil {
		if f, ok := c.policy.classifyCtx(ctx, actx, err); ok {
			return f
		}
		// Connection refused/reset and friends: the request may not have
		// reached the upstream, and the upstream is likely unhealthy.
		return &failure{err: &Error{Service: c.service, Code: errcode.UpstreamUnavailable, Err: scrub(err)}, retryable: true, unhealthy: true}
	}
	defer resp.Body.Close()
	buf := getBuffer()
	defer putBuffer(buf)
	data, err := readCapped(buf, resp.Body, resp.ContentLength, c.opts.maxBody)
	if err != nil {
		if f, ok := c.policy.classifyCtx(ctx, actx, err); ok {
			return f
		}
		if errors.Is(err, errBodyTooLarge) {
			return &failure{err: &Error{Service: c.service, Code: errcode.UpstreamError, Status: resp.StatusCode, Err: err}}
		}
		return &failure{err: &Error{Service: c.service, Code: errcode.UpstreamUnavailable, Status: resp.StatusCode, Err: scrub(err)}, retryable: true, unhealthy: true}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &failure{
			err:       &Error{Service: c.service, Code: codeForStatus(resp.StatusCode), Status: resp.StatusCode, Err: errorFromBody(resp.StatusCode, data)},
			retryable: retryableStatus(resp.StatusCode),
			unhealthy: resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests,
		}
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		return nil
	}
	if err := decodeJSON(data, out, c.opts.strict); err != nil {
		return &failure{err: &Error{Service: c.service, Code: errcode.UpstreamError, Status: resp.StatusCode, Err: fmt.Errorf("decode response: %w", err)}}
	}
	return nil
}

var errBodyTooLarge = errors.New("response body exceeds the size cap")

// bodyBuffers recycles response read buffers: an answer is decoded into
// fresh values (encoding/json copies every string), so its bytes are
// garbage as soon as decodeJSON returns, and a listing page is ~100 KB.
var bodyBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledBuffer keeps an unusually large answer's buffer out of the pool.
const maxPooledBuffer = 1 << 20

func getBuffer() *bytes.Buffer { return bodyBuffers.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() > maxPooledBuffer {
		return
	}
	b.Reset()
	bodyBuffers.Put(b)
}

// readCapped reads r into buf, at most max bytes, and fails if there is
// more. size is the announced length (-1 if unknown), used to size buf once.
// The bytes returned belong to buf.
func readCapped(buf *bytes.Buffer, r io.Reader, size, max int64) ([]byte, error) {
	if size > 0 && size <= max {
		buf.Grow(int(size) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(r, max+1)); err != nil {
		return nil, err
	}
	if int64(buf.Len()) > max {
		return nil, fmt.Errorf("%w (%d bytes)", errBodyTooLarge, max)
	}
	return buf.Bytes(), nil
}

// decodeJSON decodes exactly one JSON value; strict also rejects unknown fields.
func decodeJSON(data []byte, out any, strict bool) error {
	if !strict {
		// The answers' hot path: segmentio's decoder is a drop-in for
		// encoding/json's Unmarshal (same struct tags, Unmarshaler, unknown
		// fields ignored, trailing data refused) at about a third of its CPU
		// and fewer allocations on a 50-product catalog page (see
		// BenchmarkDecodeAnswer). It decodes in place; a Decoder would copy.
		return fastjson.Unmarshal(data, out)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if strict {
		dec.DisallowUnknownFields()
	}
	if err := dec.Decode(out); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// errorFromBody summarises an error answer for server-side logs: the
// upstream's error code only, never the body or message text, which may
// echo request data.
func errorFromBody(status int, data []byte) error {
	var env struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(data, &env) == nil && env.Error.Code != "" {
		return fmt.Errorf("upstream answered HTTP %d with code %s", status, env.Error.Code)
	}
	return fmt.Errorf("upstream answered HTTP %d", status)
}

// scrub removes the URL that net/http puts into transport errors, keeping
// the operation and the underlying cause.
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("%s request: %w", ue.Op, ue.Err)
	}
	return err
}
