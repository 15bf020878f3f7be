package upstream

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// DialGRPC creates the client connection of one gRPC upstream with
// grpc.NewClient (connections are made lazily). Calls on it go through a
// resilience interceptor (per-attempt timeout, retries for idempotent
// methods, circuit breaker) and then through the interceptors given with
// WithUnaryInterceptors, once per attempt. Errors leaving the connection are
// *Error values; FromGRPC passes them through unchanged.
//
// With Config.ForwardToken the caller's bearer token (from WithTokenFunc)
// travels as "authorization" metadata, as REST upstreams get it in the
// Authorization header; without it no token ever leaves the gateway.
//
// Every call attempt is a client span of the caller's trace (otelgrpc,
// WithTracerProvider), and the trace context travels as metadata
// (WithPropagator); both are no-ops unless tracing is set up.
//
// Transport credentials default to insecure, meant for loopback; pass
// WithDialOptions(grpc.WithTransportCredentials(...)) for TLS.
func DialGRPC(service string, cfg Config, opts ...Option) (*grpc.ClientConn, error) {
	if service == "" {
		return nil, errors.New("upstream: service name is empty")
	}
	if cfg.Address == "" {
		return nil, fmt.Errorf("upstream %s: gRPC address is empty", service)
	}
	cfg = cfg.WithDefaults()
	o := newOptions(opts)
	if cfg.ForwardToken && o.tokenFunc == nil {
		return nil, fmt.Errorf("upstream %s: forwardToken is set but no token source is configured (WithTokenFunc)", service)
	}
	p := newPolicy(service, cfg, o)
	chain := []grpc.UnaryClientInterceptor{p.unaryInterceptor()}
	if cfg.ForwardToken {
		chain = append(chain, forwardTokenInterceptor(o.tokenFunc))
	}
	chain = append(chain, o.interceptors...)
	dopts := append([]grpc.DialOption{
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithChainUnaryInterceptor(chain...),
		o.grpcStatsHandler(service),
	}, o.dialOptions...)
	conn, err := grpc.NewClient(cfg.Address, dopts...)
	if err != nil {
		return nil, fmt.Errorf("upstream %s: %w", service, err)
	}
	return conn, nil
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

// unaryInterceptor applies the policy to every unary call.
func (p *policy) unaryInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		return p.observed(ctx, strings.TrimPrefix(method, "/"), p.opts.grpcIdempotent(method), func(actx context.Context) *failure {
			err := invoker(actx, method, req, reply, cc, opts...)
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
			code := grpcCode(st.Code())
			return &failure{
				err:       &Error{Service: p.service, Code: code, Err: err},
				retryable: st.Code() == codes.Unavailable,
				unhealthy: grpcUnhealthy(st.Code()),
			}
		})
	}
}

// FromGRPC maps an error from a gRPC call to an *Error of service. An
// *Error (as returned through DialGRPC's interceptor) is returned as is;
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
		return &Error{Service: service, Code: CodeTimeout, Err: err}
	}
	st, _ := status.FromError(err)
	return &Error{Service: service, Code: grpcCode(st.Code()), Err: err}
}

func grpcCode(c codes.Code) Code {
	switch c {
	case codes.NotFound:
		return CodeNotFound
	case codes.InvalidArgument, codes.OutOfRange, codes.FailedPrecondition:
		return CodeBadRequest
	case codes.AlreadyExists, codes.Aborted:
		return CodeConflict
	case codes.Unavailable, codes.ResourceExhausted:
		return CodeUnavailable
	case codes.DeadlineExceeded, codes.Canceled:
		return CodeTimeout
	default:
		return CodeInternal
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
