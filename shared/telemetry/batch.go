package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// batchTracer names the scope of dataloader batch spans.
const batchTracer = "github.com/tandemgw/tandem/shared/upstream"

// AttrBatchSize is the span attribute holding a batch's number of keys.
const AttrBatchSize = attribute.Key("dataloader.batch.size")

// StartBatch marks one dataloader batch of size keys that loader (a
// source's "product" loader) sends to service. It returns the context the
// batch's upstream calls must use and a function to call with the batch's
// error when it is done.
//
// The batch is a span (named "batch <service> <loader>", with the size as
// an attribute) between the span of the request that enqueued the first key
// and the client spans of the upstream calls, made by the tracer provider
// of that request's span: no span when tracing is off. Its size goes to
// tandem.dataloader.batch.size of the BFF whose request it is
// (ContextWithMetrics). Both cost next to nothing when absent.
func StartBatch(ctx context.Context, service, loader string, size int) (context.Context, func(error)) {
	if m := metricsFromContext(ctx); m != nil {
		m.recordBatch(ctx, service, loader, size)
	}
	parent := trace.SpanFromContext(ctx)
	if !parent.SpanContext().IsValid() || !parent.IsRecording() {
		return ctx, func(error) {}
	}
	ctx, span := parent.TracerProvider().Tracer(batchTracer).Start(ctx, "batch "+service+" "+loader,
		trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(AttrUpstreamService.String(service), AttrLoader.String(loader), AttrBatchSize.Int(size)))
	return ctx, func(err error) {
		if err != nil {
			// The error's text is safe (upstream errors carry only the
			// service and code), but a batch error's detail belongs to the
			// upstream spans; the batch says only that it failed.
			span.SetStatus(codes.Error, "batch failed")
		}
		span.End()
	}
}
