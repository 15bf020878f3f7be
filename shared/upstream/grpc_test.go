package upstream

import (
	"context"
	"net"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/tandemgw/tandem/shared/errcode"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
)

type fakePricing struct {
	pricingv1.UnimplementedPricingServiceServer
	calls    atomic.Int32
	failures atomic.Int32 // answer this many calls with failCode first
	failCode codes.Code
	subjects chan string
}

func (f *fakePricing) GetPrice(ctx context.Context, req *pricingv1.GetPriceRequest) (*pricingv1.GetPriceResponse, error) {
	f.calls.Add(1)
	if md, ok := metadata.FromIncomingContext(ctx); ok && f.subjects != nil {
		if v := md.Get("x-tandem-subject"); len(v) > 0 {
			f.subjects <- v[0]
		}
	}
	if f.failures.Add(-1) >= 0 {
		return nil, status.Error(f.failCode, "backend detail that must not leak")
	}
	return &pricingv1.GetPriceResponse{Price: &pricingv1.Price{ProductId: req.GetProductId(), Currency: "EUR", AmountMinor: 100}}, nil
}

func startPricing(t *testing.T, f *fakePricing, cfg Config, opts ...Option) pricingv1.PricingServiceClient {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	pricingv1.RegisterPricingServiceServer(srv, f)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	cfg.Address = "passthrough:///bufnet"
	opts = append([]Option{fastRetry, WithDialOptions(grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return lis.DialContext(ctx)
	}))}, opts...)
	conn, err := DialGRPC("pricing", cfg, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return pricingv1.NewPricingServiceClient(conn)
}

func TestGRPCRetriesUnavailableAndRunsInterceptorsPerAttempt(t *testing.T) {
	f := &fakePricing{failCode: codes.Unavailable, subjects: make(chan string, 10)}
	f.failures.Store(2)
	var intercepted atomic.Int32
	identity := func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		intercepted.Add(1)
		return invoker(metadata.AppendToOutgoingContext(ctx, "x-tandem-subject", "usr_7"), method, req, reply, cc, opts...)
	}
	c := startPricing(t, f, Config{Retries: 2}, WithUnaryInterceptors(identity), WithoutBreaker())
	resp, err := c.GetPrice(context.Background(), &pricingv1.GetPriceRequest{ProductId: "prd_1"})
	require.NoError(t, err)
	assert.Equal(t, "prd_1", resp.GetPrice().GetProductId())
	assert.EqualValues(t, 3, f.calls.Load())
	assert.EqualValues(t, 3, intercepted.Load())
	for range 3 {
		assert.Equal(t, "usr_7", <-f.subjects)
	}
}

func TestGRPCErrorMapping(t *testing.T) {
	cases := map[codes.Code]errcode.Code{
		codes.NotFound:         errcode.NotFound,
		codes.InvalidArgument:  errcode.BadRequest,
		codes.AlreadyExists:    errcode.Conflict,
		codes.Unavailable:      errcode.UpstreamUnavailable,
		codes.Internal:         errcode.UpstreamError,
		codes.PermissionDenied: errcode.UpstreamError,
	}
	for gc, want := range cases {
		t.Run(gc.String(), func(t *testing.T) {
			f := &fakePricing{failCode: gc}
			f.failures.Store(100)
			c := startPricing(t, f, Config{Retries: 2}, WithoutBreaker())
			_, err := c.GetPrice(context.Background(), &pricingv1.GetPriceRequest{ProductId: "prd_1"})
			mapped := FromGRPC("pricing", err)
			var ue *Error
			require.ErrorAs(t, mapped, &ue)
			assert.Equal(t, want, ue.Code)
			assert.Equal(t, "pricing", ue.Service)
			assert.NotContains(t, ue.Error(), "backend detail")
			wantCalls := int32(1)
			if gc == codes.Unavailable {
				wantCalls = 3
			}
			assert.Equal(t, wantCalls, f.calls.Load(), "only UNAVAILABLE is retried")
		})
	}
}

func TestGRPCNonIdempotentMethodNotRetried(t *testing.T) {
	assert.True(t, DefaultGRPCIdempotent("/tandem.pricing.v1.PricingService/GetPrice"))
	assert.True(t, DefaultGRPCIdempotent("/tandem.pricing.v1.PricingService/BatchGetPrices"))
	assert.False(t, DefaultGRPCIdempotent("/tandem.orders.v1.OrderService/PlaceOrder"))

	f := &fakePricing{failCode: codes.Unavailable}
	f.failures.Store(100)
	c := startPricing(t, f, Config{Retries: 2}, WithoutBreaker(), WithGRPCIdempotent(func(string) bool { return false }))
	_, err := c.GetPrice(context.Background(), &pricingv1.GetPriceRequest{ProductId: "prd_1"})
	assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(err))
	assert.EqualValues(t, 1, f.calls.Load())
}

func TestGRPCBreakerOpens(t *testing.T) {
	f := &fakePricing{failCode: codes.Unavailable}
	f.failures.Store(100)
	c := startPricing(t, f, Config{Retries: -1, Breaker: Breaker{MinRequests: 2}})
	for range 2 {
		_, _ = c.GetPrice(context.Background(), &pricingv1.GetPriceRequest{ProductId: "prd_1"})
	}
	_, err := c.GetPrice(context.Background(), &pricingv1.GetPriceRequest{ProductId: "prd_1"})
	assert.ErrorIs(t, err, errCircuitOpen)
	assert.EqualValues(t, 2, f.calls.Load())
}

func TestFromGRPCPassesThroughAndNil(t *testing.T) {
	assert.NoError(t, FromGRPC("pricing", nil))
	ue := &Error{Service: "pricing", Code: errcode.Conflict}
	assert.Same(t, ue, FromGRPC("pricing", ue))
	assert.Equal(t, errcode.UpstreamTimeout, CodeOf(FromGRPC("pricing", context.DeadlineExceeded)))
}

// authRecorder answers GetPrice and reports the authorization metadata it saw.
type authRecorder struct {
	pricingv1.UnimplementedPricingServiceServer
	seen chan []string
}

func (a *authRecorder) GetPrice(ctx context.Context, req *pricingv1.GetPriceRequest) (*pricingv1.GetPriceResponse, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	a.seen <- md.Get("authorization")
	return &pricingv1.GetPriceResponse{Price: &pricingv1.Price{ProductId: req.GetProductId()}}, nil
}

func dialRecorder(t *testing.T, rec *authRecorder, cfg Config, opts ...Option) pricingv1.PricingServiceClient {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	pricingv1.RegisterPricingServiceServer(srv, rec)
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(lis) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	cfg.Address = "passthrough:///bufnet"
	opts = append([]Option{WithDialOptions(grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
		return lis.DialContext(ctx)
	}))}, opts...)
	conn, err := DialGRPC("pricing", cfg, opts...)
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close() })
	return pricingv1.NewPricingServiceClient(conn)
}

func TestGRPCForwardToken(t *testing.T) {
	token := WithTokenFunc(func(context.Context) (string, bool) { return "tok", true })
	// A value already on the outgoing context (from the client or a stale
	// call) must never travel in place of the verified token.
	spoofed := metadata.AppendToOutgoingContext(context.Background(), "authorization", "Bearer spoofed")

	t.Run("forwarded when configured", func(t *testing.T) {
		rec := &authRecorder{seen: make(chan []string, 1)}
		c := dialRecorder(t, rec, Config{ForwardToken: true}, token)
		_, err := c.GetPrice(spoofed, &pricingv1.GetPriceRequest{ProductId: "prd_000001"})
		require.NoError(t, err)
		assert.Equal(t, []string{"Bearer tok"}, <-rec.seen)
	})
	t.Run("never forwarded otherwise", func(t *testing.T) {
		rec := &authRecorder{seen: make(chan []string, 1)}
		c := dialRecorder(t, rec, Config{}, token)
		_, err := c.GetPrice(context.Background(), &pricingv1.GetPriceRequest{ProductId: "prd_000001"})
		require.NoError(t, err)
		assert.Empty(t, <-rec.seen)
	})
	t.Run("refused without a token source", func(t *testing.T) {
		_, err := DialGRPC("pricing", Config{Address: "127.0.0.1:1", ForwardToken: true})
		require.ErrorContains(t, err, "forwardToken is set but no token source")
	})
}
