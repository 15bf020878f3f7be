package upstream

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
)

// Option configures a REST client or a gRPC connection.
type Option func(*options)

type options struct {
	httpClient     *http.Client
	headerFunc     HeaderFunc
	tokenFunc      TokenFunc
	interceptors   []grpc.UnaryClientInterceptor
	dialOptions    []grpc.DialOption
	breakerOff     bool
	maxBody        int64
	backoffBase    time.Duration
	backoffMax     time.Duration
	logger         *slog.Logger
	strict         bool
	observers      observers
	now            func() time.Time
	grpcIdempotent func(fullMethod string) bool
	tracerProvider trace.TracerProvider          // nil: the global one
	propagator     propagation.TextMapPropagator // nil: the global one
	callObserver   CallObserver                  // nil: none (WithCallObserver)
	meterProvider  metric.MeterProvider          // nil: no client metrics (WithMeterProvider)
}

func newOptions(opts []Option) *options {
	o := &options{
		maxBody:        DefaultMaxBodyBytes,
		backoffBase:    25 * time.Millisecond,
		backoffMax:     500 * time.Millisecond,
		grpcIdempotent: DefaultGRPCIdempotent,
	}
	for _, opt := range opts {
		if opt != nil {
			opt(o)
		}
	}
	if o.now == nil {
		o.now = time.Now
	}
	if o.logger == nil {
		o.logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// DefaultMaxBodyBytes caps a REST response body unless WithMaxBodyBytes says otherwise.
const DefaultMaxBodyBytes = 4 << 20

// WithHTTPClient sets the HTTP client REST calls use; it cannot be
// combined with Config.TLS. Default: a client on NewTransport() with no
// client-level timeout (timeouts are per attempt), at most
// Config.MaxConcurrent connections per host, and Config.TLS's settings.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpClient = c } }

// WithHeaderFunc sets the identity propagation hook called on every REST
// attempt. Default: none (no identity headers are sent).
func WithHeaderFunc(f HeaderFunc) Option { return func(o *options) { o.headerFunc = f } }

// WithTokenFunc sets where the caller's bearer token comes from when
// Config.ForwardToken is true. Default: none; NewREST fails if
// ForwardToken is set without it.
func WithTokenFunc(f TokenFunc) Option { return func(o *options) { o.tokenFunc = f } }

// WithUnaryInterceptors adds gRPC client interceptors (identity metadata,
// tracing). They run inside the resilience interceptor, once per attempt.
// Default: none.
func WithUnaryInterceptors(i ...grpc.UnaryClientInterceptor) Option {
	return func(o *options) { o.interceptors = append(o.interceptors, i...) }
}

// WithDialOptions adds gRPC dial options to every endpoint's connection,
// e.g. a custom dialer. Default: insecure transport credentials, or the
// TLS credentials Config.TLS describes.
func WithDialOptions(d ...grpc.DialOption) Option {
	return func(o *options) { o.dialOptions = append(o.dialOptions, d...) }
}

// WithTracerProvider sets where the client spans of upstream calls go:
// every REST attempt (otelhttp) and gRPC call (otelgrpc) is a client span,
// child of the span in the caller's context. Default: the global provider
// (otel.GetTracerProvider), which is a no-op unless tracing is set up.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) { o.tracerProvider = tp }
}

// WithPropagator sets how the trace context travels to the upstream
// (headers on REST, metadata on gRPC). Default: the global propagator
// (otel.GetTextMapPropagator), which sends nothing unless one is installed;
// the BFFs install W3C TraceContext and Baggage at startup.
func WithPropagator(p propagation.TextMapPropagator) Option {
	return func(o *options) { o.propagator = p }
}

// WithoutBreaker disables the circuit breaker, as Config.Breaker.Disabled
// does. Default: enabled.
func WithoutBreaker() Option { return func(o *options) { o.breakerOff = true } }

// WithMaxBodyBytes caps the size of a REST response body; larger answers
// fail with UPSTREAM_ERROR. Default: 4 MiB.
func WithMaxBodyBytes(n int64) Option { return func(o *options) { o.maxBody = n } }

// WithBackoff sets the retry backoff: attempt n waits a random duration in
// [0, min(max, base*2^n)) ("full jitter"). Default: base 25ms, max 500ms.
func WithBackoff(base, max time.Duration) Option {
	return func(o *options) { o.backoffBase, o.backoffMax = base, max }
}

// WithLogger sets the logger for breaker state changes, endpoint
// ejections and TLS failures. Default: discard.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithStrictDecoding rejects JSON fields the Go types do not know, as an
// UPSTREAM_ERROR. Default: lenient (unknown fields are ignored), so that a
// backend adding a field never breaks the gateway; contract tests turn
// strictness on to catch drift between the Go types, the OpenAPI
// documents and the mocks.
func WithStrictDecoding() Option { return func(o *options) { o.strict = true } }

// WithObserver adds an observer of calls, attempts, retries, breaker state
// changes, bulkhead rejections and endpoint ejections (metrics, tests).
// Repeatable. Default: none.
func WithObserver(obs Observer) Option {
	return func(o *options) {
		if obs != nil {
			o.observers = append(o.observers, obs)
		}
	}
}

// WithClock sets the clock of the retry budget, endpoint ejection and
// certificate validity checks (the circuit breaker keeps the real clock).
// Default: time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithGRPCIdempotent decides which gRPC methods may be retried. Default:
// DefaultGRPCIdempotent.
func WithGRPCIdempotent(f func(fullMethod string) bool) Option {
	return func(o *options) { o.grpcIdempotent = f }
}

// DefaultGRPCIdempotent treats read methods (Get*, BatchGet*, List*,
// Search*) as idempotent and everything else as not.
func DefaultGRPCIdempotent(fullMethod string) bool {
	m := fullMethod[strings.LastIndex(fullMethod, "/")+1:]
	for _, p := range []string{"Get", "BatchGet", "List", "Search"} {
		if strings.HasPrefix(m, p) {
			return true
		}
	}
	return false
}
