package upstream

import (
	"context"
	"net/http"
	"strings"

	"go.opentelemetry.io/contrib/instrumentation/google.golang.org/grpc/otelgrpc"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"

	"github.com/tandemgw/tandem/shared/telemetry"
)

// routeKey carries the route-like name of a REST call ("/products/{id}")
// from REST.do to the span name formatter of the traced transport.
type routeKey struct{}

// traceTransport wraps base so that every REST attempt is a client span
// named "<METHOD> <service> <route>" and carries the trace context to the
// upstream. otelhttp records the method, url.full (with its query string
// redacted, see redactQuery), the server address and port and the
// response status; never a header or a body.
func (o *options) traceTransport(service string, base http.RoundTripper) http.RoundTripper {
	opts := []otelhttp.Option{
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			route, _ := r.Context().Value(routeKey{}).(string)
			if route == "" {
				route = "/"
			}
			return r.Method + " " + service + " " + route
		}),
	}
	if o.tracerProvider != nil {
		opts = append(opts, otelhttp.WithTracerProvider(o.tracerProvider))
	}
	if o.propagator != nil {
		opts = append(opts, otelhttp.WithPropagators(o.propagator))
	}
	if o.meterProvider != nil {
		opts = append(opts, otelhttp.WithMeterProvider(o.meterProvider))
	}
	if base == nil {
		base = http.DefaultTransport
	}
	return otelhttp.NewTransport(redactQuery{next: base, service: service}, opts...)
}

// urlFull is the attribute under which otelhttp records a request's URL.
const urlFull = attribute.Key("url.full")

// redactQuery runs inside the otelhttp transport, after it has recorded
// url.full on the client span, and replaces that URL's query string with
// "REDACTED": batch calls carry ids (user ids among them) in the query,
// and the span name already says which call it was.
//
// It also labels the attempt's http.client.request.duration with the
// upstream's name (upstream.service), through the labeler otelhttp puts in
// the request's context.
type redactQuery struct {
	next    http.RoundTripper
	service string
}

func (t redactQuery) RoundTrip(r *http.Request) (*http.Response, error) {
	if l, ok := otelhttp.ClientLabelerFromContext(r.Context()); ok {
		l.Add(telemetry.AttrUpstreamService.String(t.service))
	}
	if r.URL.RawQuery != "" {
		if span := trace.SpanFromContext(r.Context()); span.IsRecording() {
			u := *r.URL
			u.User, u.RawQuery, u.Fragment = nil, "REDACTED", ""
			span.SetAttributes(urlFull.String(u.String()))
		}
	}
	return t.next.RoundTrip(r)
}

// CloseIdleConnections passes through to the wrapped transport.
func (t redactQuery) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// grpcStatsHandler makes every gRPC call attempt a client span named after
// the full method, carrying the trace context to the upstream in metadata.
// otelgrpc records the RPC system, service, method, status code and server
// address; never metadata or messages.
func (o *options) grpcStatsHandler(service string) grpc.DialOption {
	var opts []otelgrpc.Option
	if o.meterProvider != nil {
		opts = append(opts, otelgrpc.WithMeterProvider(o.meterProvider),
			otelgrpc.WithMetricAttributes(telemetry.AttrUpstreamService.String(service)))
	}
	if o.tracerProvider != nil {
		opts = append(opts, otelgrpc.WithTracerProvider(o.tracerProvider))
	}
	if o.propagator != nil {
		opts = append(opts, otelgrpc.WithPropagators(o.propagator))
	}
	return grpc.WithStatsHandler(otelgrpc.NewClientHandler(opts...))
}

// withRoute puts the route of path into ctx for the span name.
func withRoute(ctx context.Context, path string) context.Context {
	return context.WithValue(ctx, routeKey{}, Route(path))
}

// Route turns a request path into a low-cardinality, route-like name for
// spans: the services' paths alternate collection names and ids
// ("/users/{id}/addresses", "/products/{id}/summary"), so every second
// segment becomes "{id}", and so does any other segment that is not a
// plain word (letters and dashes), in case a path breaks the pattern. The
// query string is dropped.
func Route(path string) string {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(strings.Trim(path, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		return "/"
	}
	var b strings.Builder
	for i, s := range segs {
		b.WriteByte('/')
		if i%2 == 1 || !isWord(s) {
			b.WriteString("{id}")
			continue
		}
		b.WriteString(s)
	}
	return b.String()
}

func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && r != '-' {
			return false
		}
	}
	return true
}
