package server

import (
	"context"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/tandemgw/tandem/shared/telemetry"
)

// metricsExtension counts GraphQL operations and their duration per
// operation type and outcome.
type metricsExtension struct {
	requests metric.Int64Counter
	duration metric.Float64Histogram
}

var (
	_ graphql.HandlerExtension     = (*metricsExtension)(nil)
	_ graphql.OperationInterceptor = (*metricsExtension)(nil)
)

func newMetricsExtension(m *telemetry.Metrics) (*metricsExtension, error) {
	meter := m.Meter("github.com/tandemgw/tandem/shared/server")
	req, err := meter.Int64Counter("graphql.requests", metric.WithDescription("GraphQL operations executed"))
	if err != nil {
		return nil, err
	}
	dur, err := meter.Float64Histogram("graphql.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of GraphQL operations"),
		metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
	if err != nil {
		return nil, err
	}
	return &metricsExtension{requests: req, duration: dur}, nil
}

func (*metricsExtension) ExtensionName() string { return "TandemMetrics" }

func (*metricsExtension) Validate(graphql.ExecutableSchema) error { return nil }

func (e *metricsExtension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	start := time.Now()
	opType := "unknown"
	if oc := graphql.GetOperationContext(ctx); oc != nil && oc.Operation != nil {
		opType = string(oc.Operation.Operation)
	}
	h := next(ctx)
	recorded := false
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if !recorded {
			recorded = true
			outcome := "ok"
			if resp == nil || len(resp.Errors) > 0 {
				outcome = "error"
			}
			attrs := metric.WithAttributes(attribute.String("operation.type", opType), attribute.String("outcome", outcome))
			e.requests.Add(ctx, 1, attrs)
			e.duration.Record(ctx, time.Since(start).Seconds(), attrs)
		}
		return resp
	}
}
