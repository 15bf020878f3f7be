package auth

import (
	"context"
	"net/http"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
)

// Identity headers the backends trust (schema/README.md). Only the gateway
// sets them: Middleware strips client-supplied copies.
const (
	HeaderSubject  = "X-Tandem-Subject"
	HeaderScopes   = "X-Tandem-Scopes"
	HeaderClientID = "X-Tandem-Client-Id"
)

// gRPC metadata keys carrying the same identity.
const (
	MetadataSubject  = "x-tandem-subject"
	MetadataScopes   = "x-tandem-scopes"
	MetadataClientID = "x-tandem-client-id"
)

// StripIdentityHeaders deletes every identity header from h.
func StripIdentityHeaders(h http.Header) {
	h.Del(HeaderSubject)
	h.Del(HeaderScopes)
	h.Del(HeaderClientID)
}

// PropagateHeaders sets the identity headers of an outgoing REST request
// from the verified principal in ctx, after deleting any existing copies.
// Anonymous requests carry none. It is an upstream.HeaderFunc.
func PropagateHeaders(ctx context.Context, h http.Header) {
	StripIdentityHeaders(h)
	p, ok := FromContext(ctx)
	if !ok {
		return
	}
	h.Set(HeaderSubject, p.Subject)
	if len(p.Scopes) > 0 {
		h.Set(HeaderScopes, strings.Join(p.Scopes, " "))
	}
	if p.ClientID != "" {
		h.Set(HeaderClientID, p.ClientID)
	}
}

// ForwardToken sets "Authorization: Bearer <token>" to the caller's verified
// token, for a source configured with ForwardToken. Without a verified
// principal it deletes Authorization, so an unverified credential is never
// passed on.
func ForwardToken(ctx context.Context, h http.Header) {
	p, ok := FromContext(ctx)
	if !ok || p.Token == "" {
		h.Del("Authorization")
		return
	}
	h.Set("Authorization", "Bearer "+p.Token)
}

// TokenFromContext returns the caller's verified bearer token (without
// "Bearer "). It is an upstream.TokenFunc: wire it with
// upstream.WithTokenFunc(auth.TokenFromContext) so sources configured with
// ForwardToken forward the verified token, never a client-supplied header.
func TokenFromContext(ctx context.Context) (string, bool) {
	p, ok := FromContext(ctx)
	if !ok || p.Token == "" {
		return "", false
	}
	return p.Token, true
}

// HeaderFunc returns the upstream.HeaderFunc for one REST source: identity
// headers always; the caller's bearer token only when forwardToken is set
// (upstream.Config.ForwardToken), otherwise Authorization is removed.
func HeaderFunc(forwardToken bool) func(ctx context.Context, h http.Header) {
	if forwardToken {
		return func(ctx context.Context, h http.Header) {
			PropagateHeaders(ctx, h)
			ForwardToken(ctx, h)
		}
	}
	return func(ctx context.Context, h http.Header) {
		PropagateHeaders(ctx, h)
		h.Del("Authorization")
	}
}

// OutgoingContext returns ctx with the identity metadata of the verified
// principal set on the outgoing gRPC metadata, replacing any existing
// x-tandem-* identity entries (anonymous: removing them).
func OutgoingContext(ctx context.Context) context.Context {
	md, _ := metadata.FromOutgoingContext(ctx)
	md = md.Copy()
	md.Delete(MetadataSubject)
	md.Delete(MetadataScopes)
	md.Delete(MetadataClientID)
	if p, ok := FromContext(ctx); ok {
		md.Set(MetadataSubject, p.Subject)
		if len(p.Scopes) > 0 {
			md.Set(MetadataScopes, strings.Join(p.Scopes, " "))
		}
		if p.ClientID != "" {
			md.Set(MetadataClientID, p.ClientID)
		}
	}
	return metadata.NewOutgoingContext(ctx, md)
}

// UnaryClientInterceptor propagates the verified identity on unary gRPC calls
// (see OutgoingContext).
func UnaryClientInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		return invoker(OutgoingContext(ctx), method, req, reply, cc, opts...)
	}
}

// StreamClientInterceptor propagates the verified identity on streaming gRPC
// calls (see OutgoingContext).
func StreamClientInterceptor() grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		return streamer(OutgoingContext(ctx), desc, cc, method, opts...)
	}
}
