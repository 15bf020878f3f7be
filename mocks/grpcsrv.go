package mocks

import (
	"context"
	"errors"
	"net"
	"runtime/debug"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/encoding"
	"google.golang.org/grpc/encoding/proto"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/status"
)

// grpcServer builds a gRPC server whose calls are counted, recorded, faulted
// and protected from panics. Calls to unknown methods are counted as
// RouteUnmatched and answered UNIMPLEMENTED.
func (c *Cluster) grpcServer(svc string, tl *trackingListener) *grpc.Server {
	var opts []grpc.ServerOption
	if c.tls != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(c.tls)))
	}
	return grpc.NewServer(append(opts,
		grpc.ChainUnaryInterceptor(c.unaryInterceptor(svc, tl)),
		grpc.ForceServerCodecV2(faultCodec{base: encoding.GetCodecV2(proto.Name)}),
		grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
			method, _ := grpc.MethodFromServerStream(stream)
			c.counters.inc(svc, RouteUnmatched)
			c.recorder.add(recordGRPC(stream.Context(), svc, RouteUnmatched, method))
			return status.Error(codes.Unimplemented, "unknown method")
		}),
	)...)
}

// recordGRPC captures the identity and trace context metadata of a gRPC call.
func recordGRPC(ctx context.Context, svc, route, method string) RecordedRequest {
	md, _ := metadata.FromIncomingContext(ctx)
	first := func(k string) string {
		if v := md.Get(k); len(v) > 0 {
			return v[0]
		}
		return ""
	}
	auth := md.Get("authorization")
	var deadlineMs int64
	if dl, ok := ctx.Deadline(); ok {
		deadlineMs = max(time.Until(dl).Milliseconds(), 1)
	}
	return RecordedRequest{
		DeadlineMs:       deadlineMs,
		Service:          svc,
		Route:            route,
		Target:           method,
		Subject:          first("x-tandem-subject"),
		Scopes:           first("x-tandem-scopes"),
		ClientID:         first("x-tandem-client-id"),
		HasAuthorization: len(auth) > 0,
		Authorization:    first("authorization"),
		Traceparent:      first("traceparent"),
		At:               time.Now().UTC(),
	}
}

func (c *Cluster) unaryInterceptor(svc string, tl *trackingListener) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if p := recover(); p != nil {
				c.logger.Error("mock handler panicked", "service", svc, "method", info.FullMethod, "panic", p, "stack", string(debug.Stack()))
				resp, err = nil, status.Error(codes.Internal, "internal error")
			}
		}()
		c.inFlight[svc].Add(1)
		defer c.inFlight[svc].Add(-1)
		c.counters.inc(svc, info.FullMethod)
		c.recorder.add(recordGRPC(ctx, svc, info.FullMethod, info.FullMethod))
		if a := c.faults.match(svc, info.FullMethod); a != nil {
			if resp, err, done := c.grpcFault(ctx, a, tl); done {
				return resp, err
			}
		}
		return handler(ctx, req)
	}
}

// grpcFault applies a fault to a gRPC call; done is false when the service
// should answer normally.
func (c *Cluster) grpcFault(ctx context.Context, a *activeFault, tl *trackingListener) (resp any, err error, done bool) {
	held := func() error {
		if ctx.Err() != nil {
			return status.FromContextError(ctx.Err()).Err()
		}
		return status.Error(codes.Unavailable, "server is shutting down")
	}
	if wait(c.faults.delay(a), ctx.Done(), c.closing) != nil {
		return nil, held(), true
	}
	switch a.Fault.Kind {
	case FaultLatency:
		return nil, nil, false
	case FaultError:
		return nil, status.Error(a.Fault.Code, "injected fault"), true
	case FaultHang:
		if c.faults.hang(a, ctx.Done(), c.closing) != nil {
			return nil, held(), true
		}
		return nil, nil, false
	case FaultBarrier:
		if c.faults.await(a, ctx.Done(), c.closing) != nil {
			return nil, held(), true
		}
		return nil, nil, false
	case FaultMalformed:
		return malformedReply{}, nil, true
	case FaultReset:
		if p, ok := peer.FromContext(ctx); ok {
			tl.reset(p.Addr.String())
		}
		return nil, status.Error(codes.Unavailable, "connection reset"), true
	}
	return nil, nil, false
}

// malformedReply is answered by FaultMalformed; faultCodec encodes it as
// bytes that are not a valid protobuf message.
type malformedReply struct{}

// invalidProto declares field 1 as 127 bytes long and then ends: every
// protobuf decoder rejects it as truncated.
var invalidProto = []byte{0x0a, 0x7f, 0x01}

// faultCodec is the proto codec, except that it encodes malformedReply as
// invalidProto.
type faultCodec struct{ base encoding.CodecV2 }

var _ encoding.CodecV2 = faultCodec{}

func (f faultCodec) Marshal(v any) (mem.BufferSlice, error) {
	if _, ok := v.(malformedReply); ok {
		return mem.BufferSlice{mem.SliceBuffer(append([]byte(nil), invalidProto...))}, nil
	}
	return f.base.Marshal(v)
}

func (f faultCodec) Unmarshal(data mem.BufferSlice, v any) error { return f.base.Unmarshal(data, v) }

func (f faultCodec) Name() string { return f.base.Name() }

// trackingListener remembers the connections it accepted by remote address
// so that FaultReset can close the one a call arrived on.
type trackingListener struct {
	net.Listener
	mu    sync.Mutex
	conns map[string]net.Conn
}

func newTrackingListener(ln net.Listener) *trackingListener {
	return &trackingListener{Listener: ln, conns: map[string]net.Conn{}}
}

func (l *trackingListener) Accept() (net.Conn, error) {
	conn, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	key := conn.RemoteAddr().String()
	l.mu.Lock()
	l.conns[key] = conn
	l.mu.Unlock()
	return &trackedConn{Conn: conn, forget: func() {
		l.mu.Lock()
		if l.conns[key] == conn {
			delete(l.conns, key)
		}
		l.mu.Unlock()
	}}, nil
}

// reset closes the connection from remote with SO_LINGER 0, so the peer
// sees a TCP reset.
func (l *trackingListener) reset(remote string) {
	l.mu.Lock()
	conn := l.conns[remote]
	delete(l.conns, remote)
	l.mu.Unlock()
	if conn == nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

type trackedConn struct {
	net.Conn
	once   sync.Once
	forget func()
}

func (c *trackedConn) Close() error {
	c.once.Do(c.forget)
	err := c.Conn.Close()
	if err != nil && errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}
