package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/attribute"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
)

// Metric names. Where the OpenTelemetry semantic conventions name a metric
// it is used as named there; the rest are the gateway's own (graphql.* for
// operations, tandem.* for the gateway's machinery). The Prometheus
// exporter turns dots into underscores and adds the unit and _total
// suffixes: http.server.request.duration is served as
// http_server_request_duration_seconds.
const (
	MetricHTTPServerDuration = "http.server.request.duration" // histogram, s
	MetricHTTPServerActive   = "http.server.active_requests"  // up-down counter
	MetricOperationRequests  = "graphql.operation.requests"   // counter
	MetricOperationDuration  = "graphql.operation.duration"   // histogram, s
	MetricOperationErrors    = "graphql.operation.errors"     // counter, one per error code in a response
	MetricOperationCost      = "graphql.operation.cost"       // histogram, cost points
	MetricRateLimitDecisions = "tandem.ratelimit.decisions"   // counter
	// Admission (shared/throttle): the adaptive limit, the requests
	// running and waiting under it, and those refused after waiting too
	// long. The gateway observes them from its throttle.Admission.
	MetricAdmissionLimit      = "tandem.admission.limit"        // gauge
	MetricAdmissionRunning    = "tandem.admission.running"      // gauge
	MetricAdmissionWaiting    = "tandem.admission.waiting"      // gauge
	MetricAdmissionOverloaded = "tandem.admission.overloaded"   // counter
	MetricUpstreamDuration    = "tandem.upstream.call.duration" // histogram, s; one per call, retries included
	MetricUpstreamRetries     = "tandem.upstream.retries"       // counter
	MetricUpstreamRejections  = "tandem.upstream.rejections"    // counter; calls refused before reaching the upstream
	MetricUpstreamBreaker     = "tandem.upstream.breaker.state" // gauge: 1 for the breaker's current state
	MetricDataloaderBatchSize = "tandem.dataloader.batch.size"  // histogram, keys
	// The HTTP and gRPC client instrumentation (otelhttp, otelgrpc) adds
	// http.client.request.duration and rpc.client.call.duration, one per
	// attempt, with the upstream.service attribute.
	MetricHTTPClientDuration = "http.client.request.duration"
	MetricRPCClientDuration  = "rpc.client.call.duration"
)

// Attribute keys of the metrics (and of the access log's matching fields).
const (
	AttrOperationName   = attribute.Key("graphql.operation.name")
	AttrOperationType   = attribute.Key("graphql.operation.type")
	AttrOutcome         = attribute.Key("outcome")
	AttrErrorType       = attribute.Key("error.type")
	AttrHTTPMethod      = attribute.Key("http.request.method")
	AttrHTTPRoute       = attribute.Key("http.route")
	AttrHTTPStatus      = attribute.Key("http.response.status_code")
	AttrUpstreamService = attribute.Key(KeyUpstreamService)
	AttrUpstreamOp      = attribute.Key("upstream.operation")
	AttrLoader          = attribute.Key("dataloader.name")
	AttrRejectReason    = attribute.Key("reason")
	AttrBreakerState    = attribute.Key("state")
	AttrRateLimitPolicy = attribute.Key("ratelimit.policy")
	AttrRateLimitResult = attribute.Key("ratelimit.decision")
	AttrCostKind        = attribute.Key("cost.kind")
)

// Outcomes of a request (the outcome attribute and log field).
const (
	OutcomeOK      = "ok"      // answered without errors
	OutcomePartial = "partial" // answered with data and errors (a backend failed)
	OutcomeError   = "error"   // errors and no data, or a 5xx
	OutcomeRefused = "refused" // refused before or instead of running: 4xx (401, 413, 422, 429, batches)
)

// BreakerStates are the values of the state attribute of
// tandem.upstream.breaker.state.
var BreakerStates = []string{"closed", "half-open", "open"}

var (
	durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
	costBuckets     = []float64{1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000}
	batchBuckets    = []float64{1, 2, 5, 10, 20, 50, 100, 200, 500}
)

// Metrics is a BFF's meter provider and its instruments. Prometheus scrapes
// them from Handler (served on the admin listener); a MetricsOption may add
// an OTLP reader that pushes the same instruments to a collector. Each
// Metrics has its own Prometheus registry, so several BFFs (and tests) in
// one process never collide.
type Metrics struct {
	provider *sdkmetric.MeterProvider
	registry *prometheus.Registry
	names    *OperationNames

	httpDuration metric.Float64Histogram
	httpActive   metric.Int64UpDownCounter
	opRequests   metric.Int64Counter
	opDuration   metric.Float64Histogram
	opErrors     metric.Int64Counter
	opCost       metric.Int64Histogram
	rateLimit    metric.Int64Counter
	// rateLimitAttrs holds each (policy, decision)'s attributes, made
	// once: a request makes four to six decisions.
	rateLimitAttrs sync.Map // rateLimitKey → metric.AddOption
	upDuration     metric.Float64Histogram
	upRetries      metric.Int64Counter
	upRejections   metric.Int64Counter
	batchSize      metric.Int64Histogram
	breakerStates  metric.Int64ObservableGauge

	mu       sync.Mutex
	breakers map[string]func() string
}

// MetricsOption configures NewMetrics.
type MetricsOption func(*metricsOptions)

type metricsOptions struct {
	readers   []sdkmetric.Reader
	nameLimit int
}

// WithMetricReader adds a reader next to the Prometheus one, such as the
// OTLP periodic reader of NewOTLPMetricReader. Default: Prometheus only.
func WithMetricReader(r sdkmetric.Reader) MetricsOption {
	return func(o *metricsOptions) { o.readers = append(o.readers, r) }
}

// WithOperationNameLimit sets how many distinct operation names are kept as
// attribute values besides registered ones. Default
// DefaultOperationNameLimit (100).
func WithOperationNameLimit(n int) MetricsOption {
	return func(o *metricsOptions) { o.nameLimit = n }
}

// NewMetrics builds the meter provider of the BFF named service and its
// instruments, with Go runtime and process collectors next to them. Every
// series carries service_name, the BFF's name.
func NewMetrics(service string, opts ...MetricsOption) (*Metrics, error) {
	var o metricsOptions
	for _, opt := range opts {
		opt(&o)
	}
	reg := prometheus.NewRegistry()
	// The runtime and process series carry service_name too, as the
	// OpenTelemetry ones do through the resource, so that one label
	// selects a BFF on every panel.
	runtime := prometheus.WrapRegistererWith(prometheus.Labels{"service_name": service}, reg)
	if err := runtime.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	if err := runtime.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo(),
		otelprom.WithResourceAsConstantLabels(attribute.NewAllowKeysFilter("service.name")))
	if err != nil {
		return nil, fmt.Errorf("telemetry: prometheus exporter: %w", err)
	}
	mopts := []sdkmetric.Option{sdkmetric.WithReader(exp), sdkmetric.WithResource(Resource(service))}
	for _, r := range o.readers {
		mopts = append(mopts, sdkmetric.WithReader(r))
	}
	m := &Metrics{
		provider: sdkmetric.NewMeterProvider(mopts...),
		registry: reg,
		names:    NewOperationNames(o.nameLimit),
		breakers: map[string]func() string{},
	}
	if err := m.instruments(); err != nil {
		_ = m.provider.Shutdown(context.Background())
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	return m, nil
}

func (m *Metrics) instruments() error {
	meter := m.provider.Meter("github.com/tandemgw/tandem/shared/telemetry")
	var errs []error
	add := func(err error) { errs = append(errs, err) }
	var err error
	m.httpDuration, err = meter.Float64Histogram(MetricHTTPServerDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of /graphql HTTP requests, refused ones included"),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	add(err)
	m.httpActive, err = meter.Int64UpDownCounter(MetricHTTPServerActive, metric.WithUnit("{request}"),
		metric.WithDescription("/graphql requests in flight"))
	add(err)
	m.opRequests, err = meter.Int64Counter(MetricOperationRequests, metric.WithUnit("{request}"),
		metric.WithDescription("GraphQL requests by operation, outcome and first error code, refused ones included"))
	add(err)
	m.opDuration, err = meter.Float64Histogram(MetricOperationDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of GraphQL requests by operation and outcome"),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	add(err)
	m.opErrors, err = meter.Int64Counter(MetricOperationErrors, metric.WithUnit("{error}"),
		metric.WithDescription("GraphQL errors by operation and error code"))
	add(err)
	m.opCost, err = meter.Int64Histogram(MetricOperationCost, metric.WithUnit("{point}"),
		metric.WithDescription("Cost of GraphQL operations: requested (static) and actual"),
		metric.WithExplicitBucketBoundaries(costBuckets...))
	add(err)
	m.rateLimit, err = meter.Int64Counter(MetricRateLimitDecisions, metric.WithUnit("{decision}"),
		metric.WithDescription("Rate limit decisions by policy: allowed, limited or unavailable"))
	add(err)
	m.upDuration, err = meter.Float64Histogram(MetricUpstreamDuration, metric.WithUnit("s"),
		metric.WithDescription("Duration of upstream calls, all attempts included, by service, operation and error code"),
		metric.WithExplicitBucketBoundaries(durationBuckets...))
	add(err)
	m.upRetries, err = meter.Int64Counter(MetricUpstreamRetries, metric.WithUnit("{retry}"),
		metric.WithDescription("Upstream attempts after the first"))
	add(err)
	m.upRejections, err = meter.Int64Counter(MetricUpstreamRejections, metric.WithUnit("{call}"),
		metric.WithDescription("Upstream calls refused before they left the gateway (open circuit breaker, full bulkhead)"))
	add(err)
	m.batchSize, err = meter.Int64Histogram(MetricDataloaderBatchSize, metric.WithUnit("{key}"),
		metric.WithDescription("Keys per dataloader batch"),
		metric.WithExplicitBucketBoundaries(batchBuckets...))
	add(err)
	m.breakerStates, err = meter.Int64ObservableGauge(MetricUpstreamBreaker,
		metric.WithDescription("Circuit breaker state per upstream: 1 for the current state, 0 for the others"),
		metric.WithInt64Callback(m.observeBreakers))
	add(err)
	return errors.Join(errs...)
}

// Resource is the OpenTelemetry resource of the BFF named service: the
// attributes of OTEL_RESOURCE_ATTRIBUTES (a pod's name and namespace, for
// instance) and service.name, which is always the BFF's name.
func Resource(service string) *resource.Resource {
	own := resource.NewSchemaless(attribute.String("service.name", service))
	r, err := resource.Merge(resource.Environment(), own)
	if err != nil {
		return own
	}
	return r
}

// Meter returns a meter for instrumentation scope name.
func (m *Metrics) Meter(name string) metric.Meter { return m.provider.Meter(name) }

// MeterProvider returns the provider, e.g. for otelhttp or otelgrpc.
func (m *Metrics) MeterProvider() metric.MeterProvider { return m.provider }

// Handler serves the metrics in the Prometheus exposition format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Shutdown flushes and stops the provider (and its OTLP reader, if any).
func (m *Metrics) Shutdown(ctx context.Context) error { return m.provider.Shutdown(ctx) }

// RegisterOperationNames adds operation names that are always kept as
// metric attribute values: those of a persisted document manifest. Other
// names are kept up to the limit (WithOperationNameLimit), then counted as
// OperationOther.
func (m *Metrics) RegisterOperationNames(names ...string) { m.names.Register(names...) }

// OperationLabel is the metric attribute value of an operation name.
func (m *Metrics) OperationLabel(name string) string { return m.names.Label(name) }

// RequestStarted counts a /graphql request in flight; call the returned
// function when it is done.
func (m *Metrics) RequestStarted(ctx context.Context, method string) func() {
	attrs := metric.WithAttributes(AttrHTTPMethod.String(method))
	m.httpActive.Add(ctx, 1, attrs)
	return func() { m.httpActive.Add(context.WithoutCancel(ctx), -1, attrs) }
}

// RequestDone is a finished /graphql request, as the access log sees it.
type RequestDone struct {
	Method   string
	Status   int
	Duration time.Duration
	Outcome  string   // Outcome* constant
	Codes    []string // the response's error codes, in order
	Request  RequestSnapshot
}

// RecordRequest records a finished /graphql request: the HTTP duration,
// the operation's count, duration, error codes and cost.
func (m *Metrics) RecordRequest(ctx context.Context, d RequestDone) {
	ctx = context.WithoutCancel(ctx)
	secs := d.Duration.Seconds()
	m.httpDuration.Record(ctx, secs, metric.WithAttributes(
		AttrHTTPMethod.String(d.Method), AttrHTTPRoute.String("/graphql"), AttrHTTPStatus.Int(d.Status)))

	name := OperationUnknown
	if d.Request.OperationType != "" {
		name = m.names.Label(d.Request.OperationName)
	}
	typ := d.Request.OperationType
	if typ == "" {
		typ = OperationUnknown
	}
	op := []attribute.KeyValue{AttrOperationName.String(name), AttrOperationType.String(typ)}
	withOutcome := append(op[:len(op):len(op)], AttrOutcome.String(d.Outcome))
	counted := withOutcome
	if len(d.Codes) > 0 {
		counted = append(withOutcome[:len(withOutcome):len(withOutcome)], AttrErrorType.String(d.Codes[0]))
	}
	m.opRequests.Add(ctx, 1, metric.WithAttributes(counted...))
	m.opDuration.Record(ctx, secs, metric.WithAttributes(withOutcome...))
	for _, c := range d.Codes {
		m.opErrors.Add(ctx, 1, metric.WithAttributes(append(op[:len(op):len(op)], AttrErrorType.String(c))...))
	}
	if d.Request.CostRequested >= 0 {
		m.opCost.Record(ctx, int64(d.Request.CostRequested), metric.WithAttributes(append(op[:len(op):len(op)], AttrCostKind.String("requested"))...))
	}
	if d.Request.CostActual >= 0 {
		m.opCost.Record(ctx, int64(d.Request.CostActual), metric.WithAttributes(append(op[:len(op):len(op)], AttrCostKind.String("actual"))...))
	}
}

// Rate limit decisions (the ratelimit.decision attribute).
const (
	RateLimitAllowed     = "allowed"
	RateLimitLimited     = "limited"
	RateLimitUnavailable = "unavailable"
)

// RateLimitDecision counts one decision of the rate limiter: policy is the
// budget ("requests", "points", "concurrency", ...), decision one of
// RateLimitAllowed, RateLimitLimited, RateLimitUnavailable.
func (m *Metrics) RateLimitDecision(ctx context.Context, policy, decision string) {
	key := rateLimitKey{policy, decision}
	attrs, ok := m.rateLimitAttrs.Load(key)
	if !ok {
		attrs, _ = m.rateLimitAttrs.LoadOrStore(key, metric.WithAttributeSet(attribute.NewSet(
			AttrRateLimitPolicy.String(policy), AttrRateLimitResult.String(decision))))
	}
	m.rateLimit.Add(context.WithoutCancel(ctx), 1, attrs.(metric.AddOption))
}

type rateLimitKey struct{ policy, decision string }

// Reasons an upstream call is refused before it leaves the gateway.
const (
	RejectCircuitOpen = "circuit_open"
	RejectBulkhead    = "bulkhead"
)

// UpstreamCall is one call to an upstream service as its client reports it
// once the last attempt is over.
type UpstreamCall struct {
	Service   string // source id ("catalog")
	Operation string // "GET /products/{id}" or "tandem.pricing.v1.PricingService/BatchGetPrices"
	Attempts  int    // requests that left the gateway (0 when refused)
	Code      string // the failure's code ("UPSTREAM_TIMEOUT"), "" on success
	// Rejected is why the call never left the gateway (RejectCircuitOpen,
	// RejectBulkhead), "" when it did.
	Rejected string
	Duration time.Duration
}

// UpstreamDone records a finished upstream call: its duration by service,
// operation and error code, its retries, a refusal, and the calls it made
// on the request's record (for the access log). It is the upstream
// clients' observer (upstream.WithObserver).
func (m *Metrics) UpstreamDone(ctx context.Context, c UpstreamCall) {
	RequestFromContext(ctx).AddUpstreamCalls(c.Service, c.Attempts)
	ctx = context.WithoutCancel(ctx)
	svc := AttrUpstreamService.String(c.Service)
	if c.Rejected != "" {
		m.upRejections.Add(ctx, 1, metric.WithAttributes(svc, AttrRejectReason.String(c.Rejected)))
	}
	if c.Attempts > 1 {
		m.upRetries.Add(ctx, int64(c.Attempts-1), metric.WithAttributes(svc))
	}
	attrs := []attribute.KeyValue{svc, AttrUpstreamOp.String(c.Operation)}
	if c.Code != "" {
		attrs = append(attrs, AttrErrorType.String(c.Code))
	}
	m.upDuration.Record(ctx, c.Duration.Seconds(), metric.WithAttributes(attrs...))
}

// WatchBreaker reports the circuit breaker of service through
// tandem.upstream.breaker.state; state is read at every collection and
// returns "closed", "half-open" or "open" ("disabled" reports nothing).
func (m *Metrics) WatchBreaker(service string, state func() string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.breakers[service] = state
}

func (m *Metrics) observeBreakers(_ context.Context, o metric.Int64Observer) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for svc, state := range m.breakers {
		cur := state()
		if cur == "disabled" {
			continue
		}
		for _, s := range BreakerStates {
			v := int64(0)
			if s == cur {
				v = 1
			}
			o.Observe(v, metric.WithAttributes(AttrUpstreamService.String(svc), AttrBreakerState.String(s)))
		}
	}
	return nil
}

// recordBatch records the size of one dataloader batch.
func (m *Metrics) recordBatch(ctx context.Context, service, loader string, size int) {
	m.batchSize.Record(context.WithoutCancel(ctx), int64(size), metric.WithAttributes(
		AttrUpstreamService.String(service), AttrLoader.String(loader)))
}

type metricsKey struct{}

// ContextWithMetrics returns a copy of ctx carrying m, so that code deep in
// a request (the dataloaders' batch hook) records on the BFF's metrics.
func ContextWithMetrics(ctx context.Context, m *Metrics) context.Context {
	return context.WithValue(ctx, metricsKey{}, m)
}

func metricsFromContext(ctx context.Context) *Metrics {
	m, _ := ctx.Value(metricsKey{}).(*Metrics)
	return m
}

// StatusText is the fallback error code of a refused request whose body
// named none ("HTTP_413").
func StatusText(status int) string { return "HTTP_" + strconv.Itoa(status) }
