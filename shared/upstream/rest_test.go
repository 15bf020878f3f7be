package upstream

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/shared/errcode"
)

type item struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// fastRetry keeps retry waits tiny so tests stay quick.
var fastRetry = WithBackoff(time.Microsecond, time.Microsecond)

func newClient(t *testing.T, srv *httptest.Server, cfg Config, opts ...Option) *REST {
	t.Helper()
	cfg.Address = srv.URL
	c, err := NewREST("catalog", cfg, append([]Option{fastRetry}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestGetJSONDecodesAndSendsIdentity(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/products/prd_1", r.URL.Path)
		assert.Equal(t, "a,b", r.URL.Query().Get("ids"))
		assert.Equal(t, "usr_1", r.Header.Get("X-Tandem-Subject"))
		assert.Empty(t, r.Header.Get("Authorization"), "token is not forwarded by default")
		fmt.Fprint(w, `{"id":"prd_1","name":"Lamp"}`)
	}))
	defer srv.Close()
	c := newClient(t, srv, Config{}, WithHeaderFunc(func(_ context.Context, h http.Header) { h.Set("X-Tandem-Subject", "usr_1") }),
		WithTokenFunc(func(context.Context) (string, bool) { return "secret", true }))
	var out item
	require.NoError(t, c.GetJSON(context.Background(), "/products/prd_1", url.Values{"ids": {"a,b"}}, &out))
	assert.Equal(t, item{"prd_1", "Lamp"}, out)
}

func TestForwardToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "Bearer tok", r.Header.Get("Authorization"))
		fmt.Fprint(w, `{}`)
	}))
	defer srv.Close()
	_, err := NewREST("catalog", Config{Address: srv.URL, ForwardToken: true})
	require.ErrorContains(t, err, "forwardToken")
	c := newClient(t, srv, Config{ForwardToken: true}, WithTokenFunc(func(context.Context) (string, bool) { return "tok", true }))
	require.NoError(t, c.GetJSON(context.Background(), "/x", nil, &struct{}{}))
}

func TestStatusCodes(t *testing.T) {
	cases := []struct {
		status int
		code   errcode.Code
	}{
		{400, errcode.BadRequest}, {404, errcode.NotFound}, {409, errcode.Conflict}, {401, errcode.UpstreamError},
		{500, errcode.UpstreamError}, {502, errcode.UpstreamUnavailable}, {503, errcode.UpstreamUnavailable}, {504, errcode.UpstreamTimeout},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				fmt.Fprint(w, `{"error":{"code":"X","message":"token=abc at http://internal/secret"}}`)
			}))
			defer srv.Close()
			c := newClient(t, srv, Config{Retries: -1}, WithoutBreaker())
			err := c.GetJSON(context.Background(), "/products/p", nil, &item{})
			var ue *Error
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, tc.code, ue.Code)
			assert.Equal(t, "catalog", ue.Service)
			assert.Equal(t, tc.status, ue.Status)
			assertClean(t, err, srv.URL)
		})
	}
}

// assertClean checks that neither Error() nor the logged cause leaks the
// URL, the body or a token.
func assertClean(t *testing.T, err error, base string) {
	t.Helper()
	host := strings.TrimPrefix(base, "http://")
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", errors.Unwrap(err))} {
		assert.NotContains(t, s, "http://")
		assert.NotContains(t, s, "/products")
		assert.NotContains(t, s, "token")
		assert.NotContains(t, s, "secret")
		if s == err.Error() {
			assert.NotContains(t, s, host)
		}
	}
}

func TestRetriesIdempotentOnly(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		if n < 3 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"id":"ok"}`)
	}))
	defer srv.Close()
	c := newClient(t, srv, Config{Retries: 2}, WithoutBreaker())

	var out item
	require.NoError(t, c.GetJSON(context.Background(), "/x", nil, &out), "GET is retried twice")
	assert.EqualValues(t, 3, calls.Load())

	calls.Store(0)
	err := c.PostJSON(context.Background(), "/carts/u/lines", nil, map[string]int{"q": 1}, &out)
	assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(err))
	assert.EqualValues(t, 1, calls.Load(), "POST without Idempotency-Key is never retried")

	calls.Store(0)
	require.NoError(t, c.PostJSON(context.Background(), "/orders", http.Header{"Idempotency-Key": {"k1"}}, map[string]int{}, &out))
	assert.EqualValues(t, 3, calls.Load(), "POST with Idempotency-Key is retried")
}

func TestNoRetryOnClientErrorsOrExhausted(t *testing.T) {
	var calls atomic.Int32
	status := atomic.Int32{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(int(status.Load()))
	}))
	defer srv.Close()
	c := newClient(t, srv, Config{Retries: 2}, WithoutBreaker())

	for _, st := range []int{400, 404, 409, 500} {
		calls.Store(0)
		status.Store(int32(st))
		_ = c.GetJSON(context.Background(), "/x", nil, &item{})
		assert.EqualValues(t, 1, calls.Load(), "status %d is not retryable", st)
	}
	calls.Store(0)
	status.Store(502)
	err := c.GetJSON(context.Background(), "/x", nil, &item{})
	assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(err))
	assert.EqualValues(t, 3, calls.Load(), "1 attempt + 2 retries")
}

func TestConnectionErrorIsUnavailableAndRetried(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // nothing listens there now
	c, err := NewREST("orders", Config{Address: "http://" + addr}, fastRetry, WithoutBreaker())
	require.NoError(t, err)
	err = c.GetJSON(context.Background(), "/orders/ord_1", nil, &item{})
	var ue *Error
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, errcode.UpstreamUnavailable, ue.Code)
	assert.Equal(t, "orders: UPSTREAM_UNAVAILABLE", ue.Error())
	assert.NotContains(t, fmt.Sprint(ue.Err), "http://", "the cause is scrubbed of the URL")
}

func TestPerAttemptTimeoutRetriesThenFails(t *testing.T) {
	var calls atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer srv.Close()
	defer close(release)
	c := newClient(t, srv, Config{Timeout: 20 * time.Millisecond, Retries: 1}, WithoutBreaker())
	err := c.GetJSON(context.Background(), "/slow", nil, &item{})
	assert.Equal(t, errcode.UpstreamTimeout, CodeOf(err))
	assert.EqualValues(t, 2, calls.Load())
}

func TestNeverRetriesPastCallerDeadline(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	// Backoff far longer than the caller's remaining time: no retry happens.
	cfg := Config{Address: srv.URL, Retries: 5}
	c, err := NewREST("catalog", cfg, WithBackoff(time.Hour, time.Hour), WithoutBreaker())
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start := time.Now()
	err = c.GetJSON(ctx, "/x", nil, &item{})
	assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(err))
	assert.EqualValues(t, 1, calls.Load())
	assert.Less(t, time.Since(start), time.Second, "returned before the deadline instead of sleeping into it")
}

func TestCanceledCallerIsTimeoutAndNotRetried(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	c := newClient(t, srv, Config{}, WithoutBreaker())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := c.GetJSON(ctx, "/x", nil, &item{})
	assert.Equal(t, errcode.UpstreamTimeout, CodeOf(err))
	assert.EqualValues(t, 0, calls.Load())
}

func TestBreakerOpensFailsFastAndRecovers(t *testing.T) {
	var calls atomic.Int32
	var healthy atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		if !healthy.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"id":"ok"}`)
	}))
	defer srv.Close()
	c := newClient(t, srv, Config{Retries: -1, Breaker: Breaker{MinRequests: 3, FailureRatio: 0.5, OpenFor: 50 * time.Millisecond}})

	for range 3 {
		assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(c.GetJSON(context.Background(), "/x", nil, &item{})))
	}
	assert.Equal(t, "open", c.BreakerState())
	assert.EqualValues(t, 3, calls.Load())

	err := c.GetJSON(context.Background(), "/x", nil, &item{})
	var ue *Error
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, errcode.UpstreamUnavailable, ue.Code)
	assert.ErrorIs(t, err, errCircuitOpen)
	assert.EqualValues(t, 3, calls.Load(), "an open breaker does not call the upstream")

	healthy.Store(true)
	// After OpenFor the breaker lets a probe through; once it succeeds the
	// breaker closes again.
	require.Eventually(t, func() bool {
		return c.GetJSON(context.Background(), "/x", nil, &item{}) == nil
	}, 5*time.Second, 10*time.Millisecond)
	assert.Equal(t, "closed", c.BreakerState())
}

func TestBreakerIgnoresClientErrors(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	c := newClient(t, srv, Config{Breaker: Breaker{MinRequests: 2}})
	for range 5 {
		assert.True(t, IsNotFound(c.GetJSON(context.Background(), "/x", nil, &item{})))
	}
	assert.Equal(t, "closed", c.BreakerState())
}

func TestBodyCapAndDecoding(t *testing.T) {
	body := atomic.Value{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, body.Load().(string))
	}))
	defer srv.Close()
	c := newClient(t, srv, Config{}, WithMaxBodyBytes(64))

	body.Store(`{"id":"` + strings.Repeat("x", 100) + `"}`)
	err := c.GetJSON(context.Background(), "/x", nil, &item{})
	assert.Equal(t, errcode.UpstreamError, CodeOf(err))
	assert.ErrorIs(t, err, errBodyTooLarge)

	body.Store(`{"id":"a"} {"id":"b"}`)
	assert.Equal(t, errcode.UpstreamError, CodeOf(c.GetJSON(context.Background(), "/x", nil, &item{})), "trailing data")

	strict := newClient(t, srv, Config{}, WithStrictDecoding())
	body.Store(`{"id":"a","extra":1}`)
	assert.Equal(t, errcode.UpstreamError, CodeOf(strict.GetJSON(context.Background(), "/x", nil, &item{})), "unknown field, strict")
}

// TestNewFieldDoesNotBreakTheCall is the regression test of an additive
// change in a backend's JSON: a field the Go type does not know (at the
// top and nested) is ignored by default, as protobuf ignores unknown
// fields, and the known fields still arrive.
func TestNewFieldDoesNotBreakTheCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"items":[{"id":"a","name":"Lamp","launchedAt":"2026-01-01","badges":{"new":true}}],"missing":[],"nextGen":1}`)
	}))
	defer srv.Close()
	c := newClient(t, srv, Config{})
	var out BatchResponse[item]
	require.NoError(t, c.GetJSON(context.Background(), "/products", nil, &out))
	assert.Equal(t, []item{{"a", "Lamp"}}, out.Items)
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://example.invalid/", http.StatusFound)
	}))
	defer srv.Close()
	c := newClient(t, srv, Config{})
	assert.Equal(t, errcode.UpstreamError, CodeOf(c.GetJSON(context.Background(), "/x", nil, &item{})))
}

func TestNewRESTValidatesAddress(t *testing.T) {
	for _, a := range []string{"", "127.0.0.1:9102", "ftp://h", "http://u:p@h", "http://h/?q=1"} {
		_, err := NewREST("catalog", Config{Address: a})
		assert.Error(t, err, a)
	}
}

func TestPathSegment(t *testing.T) {
	assert.Equal(t, "%2E%2E", PathSegment(".."))
	assert.Equal(t, "a%2Fb", PathSegment("a/b"))
	assert.Equal(t, "prd_000042", PathSegment("prd_000042"))
}

func TestErrorIsAndCodeOf(t *testing.T) {
	err := fmt.Errorf("wrap: %w", &Error{Service: "catalog", Code: errcode.NotFound})
	assert.ErrorIs(t, err, &Error{Code: errcode.NotFound})
	assert.NotErrorIs(t, err, &Error{Code: errcode.NotFound, Service: "orders"})
	assert.Equal(t, errcode.UpstreamTimeout, CodeOf(context.DeadlineExceeded))
	assert.Equal(t, errcode.Code(""), CodeOf(errors.New("x")))
	assert.Equal(t, "catalog: NOT_FOUND", NotFound("catalog", "product", "prd_1").Error())
}
