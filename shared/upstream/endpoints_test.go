package upstream

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/test/bufconn"

	"github.com/tandemgw/tandem/shared/errcode"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
)

// twoEndpoints builds a client over upstreams a and b with weights wa, wb.
func twoEndpoints(t *testing.T, a, b *scripted, wa, wb int, cfg Config, opts ...Option) *REST {
	t.Helper()
	cfg.Endpoints = []Endpoint{{Name: "a", Address: a.srv.URL, Weight: wa}, {Name: "b", Address: b.srv.URL, Weight: wb}}
	c, err := NewREST("catalog", cfg, append([]Option{fastRetry}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestWeightedEndpointsShareExactly(t *testing.T) {
	a, b := newScripted(t, 200), newScripted(t, 200)
	c := twoEndpoints(t, a, b, 3, 1, Config{})
	for range 8 {
		require.NoError(t, c.GetJSON(context.Background(), "/x", nil, &item{}))
	}
	assert.EqualValues(t, 6, a.calls.Load())
	assert.EqualValues(t, 2, b.calls.Load())
}

// TestFailingEndpointIsEjectedAndReturns: endpoint a fails; every call
// still succeeds (the retry goes to b), a is ejected after
// ConsecutiveFailures and then takes no traffic, and after the cool-down
// it is back in rotation.
func TestFailingEndpointIsEjectedAndReturns(t *testing.T) {
	a, b := newScripted(t, 503), newScripted(t, 200)
	clock := newFakeClock()
	rec := newEventLog()
	c := twoEndpoints(t, a, b, 1, 1, Config{Retries: 1, Outlier: Outlier{ConsecutiveFailures: 2, EjectFor: time.Minute}},
		WithClock(clock.Now), WithObserver(rec))
	for range 10 {
		require.NoError(t, c.GetJSON(context.Background(), "/x", nil, &item{}), "the retry goes to the other endpoint")
	}
	assert.EqualValues(t, 2, a.calls.Load(), "ejected after two failures in a row, then flat")
	assert.Equal(t, []string{"a"}, rec.ejected)
	assert.Equal(t, []EndpointState{{Name: "a", Weight: 1, Ejected: true}, {Name: "b", Weight: 1}}, c.State().Endpoints)

	a.set(200)
	clock.Advance(time.Minute)
	for range 4 {
		require.NoError(t, c.GetJSON(context.Background(), "/x", nil, &item{}))
	}
	assert.Positive(t, a.calls.Load(), "back after the cool-down")
	assert.Equal(t, []string{"a"}, rec.returned)
}

func TestNeverEjectsMoreThanMaxEjectedPercent(t *testing.T) {
	a, b := newScripted(t, 503), newScripted(t, 503)
	rec := newEventLog()
	c := twoEndpoints(t, a, b, 1, 1, Config{Retries: -1, Outlier: Outlier{ConsecutiveFailures: 1}}, WithoutBreaker(), WithObserver(rec))
	for range 6 {
		_ = c.GetJSON(context.Background(), "/x", nil, &item{})
	}
	assert.Len(t, rec.ejected, 1, "half of two endpoints")
	assert.Positive(t, a.calls.Load())
	assert.Positive(t, b.calls.Load())
}

// TestPinnedCallsGoToTheNamedEndpoint: a canary with weight 0 takes no
// traffic unless a call is pinned to it; a pin to an unknown endpoint is
// the caller's BAD_USER_INPUT and calls nothing.
func TestPinnedCallsGoToTheNamedEndpoint(t *testing.T) {
	stable, canary := newScripted(t, 200), newScripted(t, 200)
	c := twoEndpoints(t, stable, canary, 1, 0, Config{})
	for range 3 {
		require.NoError(t, c.GetJSON(context.Background(), "/x", nil, &item{}))
	}
	assert.EqualValues(t, 0, canary.calls.Load())

	pinned := WithPins(context.Background(), Pins{"catalog": "b", "pricing": "x"})
	for range 3 {
		require.NoError(t, c.GetJSON(pinned, "/x", nil, &item{}))
	}
	assert.EqualValues(t, 3, canary.calls.Load())
	assert.EqualValues(t, 3, stable.calls.Load())

	err := c.GetJSON(WithPins(context.Background(), Pins{"catalog": "nope"}), "/x", nil, &item{})
	assert.Equal(t, errcode.BadUserInput, CodeOf(err))
	assert.EqualValues(t, 3, canary.calls.Load())
	assert.EqualValues(t, 3, stable.calls.Load())
}

func TestParsePins(t *testing.T) {
	p, err := ParsePins(" catalog=canary, pricing=blue-2 ,")
	require.NoError(t, err)
	assert.Equal(t, Pins{"catalog": "canary", "pricing": "blue-2"}, p)
	for _, bad := range []string{"catalog", "catalog=", "=x", "Catalog=x", "catalog=x y", "catalog=a\nb"} {
		_, err := ParsePins(bad)
		assert.Error(t, err, bad)
	}
}

// gRPC endpoints: one connection per endpoint, the same steering.

func startPricingAt(t *testing.T, f *fakePricing) *bufconn.Listener {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	pricingv1.RegisterPricingServiceServer(srv, f)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	return lis
}

func TestGRPCEndpointsPinAndEject(t *testing.T) {
	fa := &fakePricing{failCode: codes.Unavailable}
	fa.failures.Store(1000)
	fb := &fakePricing{}
	lis := map[string]*bufconn.Listener{"a:1": startPricingAt(t, fa), "b:1": startPricingAt(t, fb)}
	clock := newFakeClock()
	cfg := Config{Retries: 1, Outlier: Outlier{ConsecutiveFailures: 2, EjectFor: time.Minute},
		Endpoints: []Endpoint{{Name: "a", Address: "passthrough:///a:1", Weight: 1}, {Name: "b", Address: "passthrough:///b:1", Weight: 1}}}
	g, err := DialGRPC("pricing", cfg, fastRetry, WithClock(clock.Now), WithDialOptions(grpc.WithContextDialer(func(ctx context.Context, addr string) (net.Conn, error) {
		return lis[addr].DialContext(ctx)
	})))
	require.NoError(t, err)
	t.Cleanup(func() { _ = g.Close() })
	api := pricingv1.NewPricingServiceClient(g)

	for range 10 {
		_, err := api.GetPrice(context.Background(), &pricingv1.GetPriceRequest{ProductId: "prd_1"})
		require.NoError(t, err)
	}
	assert.EqualValues(t, 2, fa.calls.Load(), "a ejected after two failures")
	assert.True(t, g.State().Endpoints[0].Ejected)

	// A pin overrides ejection: the canary tester gets what they asked for.
	_, err = api.GetPrice(WithPins(context.Background(), Pins{"pricing": "a"}), &pricingv1.GetPriceRequest{ProductId: "prd_1"})
	assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(err))
	assert.EqualValues(t, 4, fa.calls.Load(), "pinned: both attempts on a")
}

// TestGRPCDeadlineIsTheRequestBudget: the call's deadline on the server is
// what is left of the caller's budget, not the attempt timeout.
func TestGRPCDeadlineIsTheRequestBudget(t *testing.T) {
	seen := make(chan time.Duration, 1)
	f := &deadlineRecorder{seen: seen}
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	pricingv1.RegisterPricingServiceServer(srv, f)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	g, err := DialGRPC("pricing", Config{Address: "passthrough:///bufnet", Timeout: 5 * time.Second},
		WithDialOptions(grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) })))
	require.NoError(t, err)
	t.Cleanup(func() { _ = g.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = pricingv1.NewPricingServiceClient(g).GetPrice(ctx, &pricingv1.GetPriceRequest{ProductId: "prd_1"})
	require.NoError(t, err)
	left := <-seen
	assert.True(t, left > 0 && left <= 300*time.Millisecond, "deadline %s", left)
}

type deadlineRecorder struct {
	pricingv1.UnimplementedPricingServiceServer
	seen chan time.Duration
}

func (d *deadlineRecorder) GetPrice(ctx context.Context, req *pricingv1.GetPriceRequest) (*pricingv1.GetPriceResponse, error) {
	dl, _ := ctx.Deadline()
	d.seen <- time.Until(dl)
	return &pricingv1.GetPriceResponse{Price: &pricingv1.Price{ProductId: req.GetProductId()}}, nil
}
