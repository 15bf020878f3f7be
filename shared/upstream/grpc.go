package upstream

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/tandemgw/tandem/shared/errcode"
)

// GRPC is the client of one gRPC upstream: one grpc.ClientConn per
// endpoint (made lazily by grpc.NewClient) behind the upstream's policy
// (deadline, retries for idempotent methods, retry budget, circuit
// breaker, bulkhead, endpoint choice with outlier ejection). It implements
// grpc.ClientConnInterface, so generated clients take it as they take a
// *grpc.ClientConn. Errors leaving it are *Error values; FromGRPC passes
// them through unchanged.
//
// Why one connection per endpoint rather than a gRPC balancer: the
// endpoint choice, pinning and ejection are then the very code REST
// upstreams use, visible to the policy that retries on another endpoint
// and counts what each one did, and nothing is registered process-wide. A
// custom balancer would need a global registration, a resolver to carry
// weights as attributes and a picker reaching back into ejection state,
// for the same behaviour. Each connection still resolves its own address
// and reconnects with gRPC's own backoff.
type GRPC struct {
	service string
	policy  *policy
}

var _ grpc.ClientConnInterface = (*GRPC)(nil)

// DialGRPC creates the client of one gRPC upstream. Calls go through the
// policy, then through the interceptors given with WithUnaryInterceptors,
// once per attempt.
//
// With Config.ForwardToken the caller's bearer token (from WithTokenFunc)
// travels as "authorization" metadata, as REST upstreams get it in the
// Authorization header; without it no token ever leaves the gateway.
//
// Every call attempt is a client span of the caller's trace (otelgrpc,
// WithTracerProvider), and the trace context travels as metadata
// (WithPropagator); both are no-ops unless tracing is set up.
//
// Transport credentials default to insecure, meant for loopback; with
// Config.TLS they are TLS (mutual with a client certificate).
func DialGRPC(service string, cfg Config, opts ...Option) (*GRPC, error) {
	if service == "" {
		return nil, errors.New("upstream: service name is empty")
	}
	if !cfg.HasAddress() {
		return nil, fmt.Errorf("upstream %s: gRPC address is empty", service)
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
	var chain []grpc.UnaryClientInterceptor
	if cfg.ForwardToken {
		chain = append(chain, forwardTokenInterceptor(o.tokenFunc))
	}
	chain = append(chain, o.interceptors...)
	creds := insecure.NewCredentials()
	if p.tls != nil {
		creds = credentials.NewTLS(p.tls.config())
	}
	dopts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(creds),
		grpc.WithChainUnaryInterceptor(chain...),
		o.grpcStatsHandler(service),
	}, o.dialOptions...)
	g := &GRPC{service: service, policy: p}
	for _, ep := range p.endpoints.eps {
		conn, err := grpc.NewClient(ep.address, dopts...)
		if err != nil {
			_ = g.Close()
			return nil, fmt.Errorf("upstream %s: endpoint %s: %w", service, ep.name, err)
		}
		ep.conn = conn
	}
	return g, nil
}

// Invoke makes a unary call through the policy.
func (g *GRPC) Invoke(ctx context.Context, method string, args, reply any, opts ...grpc.CallOption) error {
	p := g.policy
	return p.observed(ctx, strings.TrimPrefix(method, "/"), p.opts.grpcIdempotent(method), func(actx context.Context, ep *endpoint) *failure {
		err := ep.conn.Invoke(actx, method, args, reply, opts...)
		if err == nil {
			return nil
		}
		st, _ := status.FromError(err)
		switch st.Code() {
		case codes.DeadlineExceeded, codes.Canceled:
			if f, ok := p.classifyCtx(ctx, actx, err); ok {
				return f
			}
		}
		return &failure{
			err:       &Error{Service: p.service, Code: grpcCode(st.Code()), Err: err},
			retryable: st.Code() == codes.Unavailable,
			unhealthy: grpcUnhealthy(st.Code()),
		}
	})
}

// NewStream opens a stream on the endpoint the policy picks. Streams are
// not retried and do not go through the breaker or the bulkhead; the
// services offer none today.
func (g *GRPC) NewStream(ctx context.Context, desc *grpc.StreamDesc, method string, opts ...grpc.CallOption) (grpc.ClientStream, error) {
	ep, err := g.policy.endpoints.pick(ctx, nil)
	if err != nil {
		var ie *InputError
		errors.As(err, &ie)
		return nil, invalidInput(g.service, ie)
	}
	return ep.conn.NewStream(ctx, desc, method, opts...)
}

// Service returns the upstream's service name.
func (g *GRPC) Service() string { return g.service }

// BreakerState reports the circuit breaker state: "closed", "half-open",
// "open" or "disabled".
func (g *GRPC) BreakerState() string { return g.policy.breakerState() }

// State reports the breaker, bulkhead and endpoints of the upstream.
func (g *GRPC) State() State { return g.policy.state() }

// Close closes every endpoint's connection.
func (g *GRPC) Close() error {
	var errs []error
	for _, ep := range g.policy.endpoints.eps {
		if ep.conn != nil {
			errs = append(errs, ep.conn.Close())
		}
	}
	return errors.Join(errs...)
}

// forwardTokenInterceptor sets the "authorization" metadata from the
// caller's token, replacing any value already on the outgoing context so a
// stale or client-supplied one never travels.
func forwardTokenInterceptor(token TokenFunc) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		md, _ := metadata.FromOutgoingContext(ctx)
		md = md.Copy()
		md.Delete("authorization")
		if tok, ok := token(ctx); ok && tok != "" {
			md.Set("authorization", "Bearer "+tok)
		}
		return invoker(metadata.NewOutgoingContext(ctx, md), method, req, reply, cc, opts...)
	}
}

// FromGRPC maps an error from a gRPC call to an *Error of service. An
// *Error (as returned by a GRPC client) is returned as is;
// nil stays nil.
func FromGRPC(service string, err error) error {
	if err == nil {
		return nil
	}
	var ue *Error
	if errors.As(err, &ue) {
		return ue
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return &Error{Service: service, Code: errcode.UpstreamTimeout, Err: err}
	}
	st, _ := status.FromError(err)
	return &Error{Service: service, Code: grpcCode(st.Code()), Err: err}
}

func grpcCode(c codes.Code) errcode.Code {
	switch c {
	case codes.NotFound:
		return errcode.NotFound
	case codes.InvalidArgument, codes.OutOfRange, codes.FailedPrecondition:
		return errcode.BadRequest
	case codes.AlreadyExists, codes.Aborted:
		return errcode.Conflict
	case codes.Unavailable, codes.ResourceExhausted:
		return errcode.UpstreamUnavailable
	case codes.DeadlineExceeded, codes.Canceled:
		return errcode.UpstreamTimeout
	default:
		return errcode.UpstreamError
	}
}

func grpcUnhealthy(c codes.Code) bool {
	switch c {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Internal, codes.Unknown,
		codes.DataLoss, codes.ResourceExhausted, codes.Unimplemented:
		return true
	}
	return false
}
