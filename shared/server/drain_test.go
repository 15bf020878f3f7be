package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// holdingSchema answers { held } once release is closed, after sending on
// started; when the request's context ends first it sends the cause on
// cancelled and answers nothing.
func holdingSchema(started chan<- struct{}, release <-chan struct{}, cancelled chan<- error) graphql.ExecutableSchema {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `type Query { held: String }`})
	return &graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return schema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			return graphql.OneShot(func() *graphql.Response {
				started <- struct{}{}
				select {
				case <-release:
					return &graphql.Response{Data: json.RawMessage(`{"held":"done"}`)}
				case <-ctx.Done():
					cancelled <- context.Cause(ctx)
					return &graphql.Response{Data: json.RawMessage(`null`)}
				}
			}())
		},
	}
}

// drainEnv is a Server serving holdingSchema on a loopback listener.
type drainEnv struct {
	s         *Server
	url, addr string
	started   chan struct{}
	release   chan struct{}
	cancelled chan error
	cancel    context.CancelFunc
	served    chan error
	client    *http.Client
}

func startDrainEnv(t *testing.T, mod func(*Options)) *drainEnv {
	t.Helper()
	e := &drainEnv{started: make(chan struct{}, 1), release: make(chan struct{}), cancelled: make(chan error, 1),
		served: make(chan error, 1), client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}}
	opts := Options{Name: "bff-drain", Schema: holdingSchema(e.started, e.release, e.cancelled), Logger: slog.New(slog.DiscardHandler)}
	if mod != nil {
		mod(&opts)
	}
	s, err := New(opts)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	e.s, e.addr, e.url = s, ln.Addr().String(), "http://"+ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go func() { e.served <- s.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-e.release:
		default:
			close(e.release)
		}
	})
	return e
}

func (e *drainEnv) get(t *testing.T, path string) int {
	t.Helper()
	resp, err := e.client.Get(e.url + path)
	require.NoError(t, err)
	_ = resp.Body.Close()
	return resp.StatusCode
}

// hold sends { held } and returns a channel with its outcome: the
// *http.Response with its body read, or the error.
func (e *drainEnv) hold(t *testing.T) <-chan any {
	t.Helper()
	out := make(chan any, 1)
	go func() {
		resp, err := e.client.Post(e.url+"/graphql", "application/json", bytes.NewReader([]byte(`{"query":"{ held }"}`)))
		if err != nil {
			out <- err
			return
		}
		defer func() { _ = resp.Body.Close() }()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			out <- err
			return
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		out <- resp
	}()
	<-e.started
	return out
}

// Shutdown goes in steps, each proven before the next is let go: /readyz
// fails first while the listener still accepts (for the drain delay);
// then the listener closes and new connections are refused while the
// request in flight goes on; that request then finishes normally, and
// Serve returns without error.
func TestDrainStepByStep(t *testing.T) {
	delayStarted, endDelay := make(chan time.Duration, 1), make(chan struct{})
	e := startDrainEnv(t, func(o *Options) { o.DrainDelay, o.ShutdownTimeout = time.Hour, time.Hour })
	e.s.drainWait = func(_ context.Context, d time.Duration) {
		delayStarted <- d
		<-endDelay
	}
	assert.Equal(t, http.StatusOK, e.get(t, "/readyz"))
	inFlight := e.hold(t)

	e.cancel() // SIGTERM
	<-e.s.Draining()
	assert.Equal(t, time.Hour, <-delayStarted, "the configured drain delay is waited out")
	assert.Equal(t, http.StatusServiceUnavailable, e.get(t, "/readyz"), "readiness fails first")
	assert.Equal(t, http.StatusOK, e.get(t, "/healthz"), "the process is still alive, and the listener still accepts")

	close(endDelay)
	<-e.s.ListenerClosed()
	if c, err := net.Dial("tcp", e.addr); err == nil {
		_ = c.Close()
		t.Fatal("a new connection was accepted after the listener closed")
	}
	select {
	case r := <-inFlight:
		t.Fatalf("the request in flight ended before it was let go: %v", r)
	case err := <-e.served:
		t.Fatalf("Serve returned with a request in flight: %v", err)
	default:
	}

	close(e.release)
	resp, ok := (<-inFlight).(*http.Response)
	require.True(t, ok, "the request in flight failed")
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"data":{"held":"done"}}`, string(body))
	require.NoError(t, <-e.served)
}

// A request still in flight when the grace period ends is cut off: its
// context is cancelled (so it stops calling upstreams), its connection
// closed, and Serve reports ErrGraceExpired.
func TestGraceExpiryCutsOffRequests(t *testing.T) {
	e := startDrainEnv(t, func(o *Options) { o.ShutdownTimeout = 50 * time.Millisecond })
	inFlight := e.hold(t)
	e.cancel()
	require.ErrorIs(t, <-e.served, ErrGraceExpired)
	assert.ErrorIs(t, <-e.cancelled, context.Canceled, "the request's context was cancelled")
	if resp, ok := (<-inFlight).(*http.Response); ok {
		t.Fatalf("the cut-off request got a response: %d", resp.StatusCode)
	}
}

func TestNegativeDrainDelayRefused(t *testing.T) {
	_, err := New(Options{Name: "x", Schema: fakeSchema(), DrainDelay: -time.Second})
	assert.True(t, err != nil && !errors.Is(err, ErrGraceExpired))
}
