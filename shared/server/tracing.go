package server

import (
	"context"
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// traceHandler makes every /graphql request a server span named
// "<METHOD> /graphql", child of the caller's span when the request carries
// a traceparent. otelhttp records the method, path (never the query
// string, which holds the query and variables of a GET), status, client
// address and user agent; never a header or the body.
func (s *Server) traceHandler(next http.Handler) http.Handler {
	opts := []otelhttp.Option{
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string {
			return r.Method + " /graphql"
		}),
	}
	if s.opts.TracerProvider != nil {
		opts = append(opts, otelhttp.WithTracerProvider(s.opts.TracerProvider))
	}
	edge := s.opts.Propagator
	if edge == nil {
		edge = propagation.TraceContext{}
	}
	opts = append(opts, otelhttp.WithPropagators(edge))
	return otelhttp.NewHandler(next, "graphql", opts...)
}

// Span attributes of a GraphQL operation (OpenTelemetry semantic
// conventions for GraphQL).
const (
	attrOperationName = attribute.Key("graphql.operation.name")
	attrOperationType = attribute.Key("graphql.operation.type")
)

// maxOperationName bounds the client-chosen operation name on a span.
const maxOperationName = 128

// tracingExtension adds the operation's name and type to the request's
// server span. It never records the query text or the variables. Without
// a recording span (tracing off, or not sampled) it does nothing.
type tracingExtension struct{}

var (
	_ graphql.HandlerExtension     = tracingExtension{}
	_ graphql.OperationInterceptor = tracingExtension{}
)

func (tracingExtension) ExtensionName() string { return "TandemTracing" }

func (tracingExtension) Validate(graphql.ExecutableSchema) error { return nil }

func (tracingExtension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	span := trace.SpanFromContext(ctx)
	if span.IsRecording() {
		if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil {
			name := oc.Operation.Name
			if len(name) > maxOperationName {
				name = name[:maxOperationName]
			}
			attrs := []attribute.KeyValue{attrOperationType.String(string(oc.Operation.Operation))}
			if name != "" {
				attrs = append(attrs, attrOperationName.String(name))
			}
			span.SetAttributes(attrs...)
		}
	}
	return next(ctx)
}
