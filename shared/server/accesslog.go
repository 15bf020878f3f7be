package server

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/trace"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/telemetry"
)

// Access log fields. The line carries names, codes and counts only: never
// a token, the query text or a variable value.
const (
	logTraceID       = "trace_id"
	logMethod        = "http.request.method"
	logStatus        = "http.response.status_code"
	logBytesOut      = "http.response.body.size"
	logDurationMS    = "duration_ms"
	logClientAddress = "client.address"
	logClientApp     = "client.app"
	logSubject       = "subject"
	logOperationName = "graphql.operation.name"
	logOperationType = "graphql.operation.type"
	logDocumentID    = "graphql.document.id"
	logOutcome       = "outcome"
	logErrorCodes    = "error.codes"
	logCostRequested = "cost.requested"
	logCostActual    = "cost.actual"
	logUpstreamCalls = "upstream.calls"
)

// accessLogMessage is the message of every access log line.
const accessLogMessage = "request"

// maxCapturedErrorBody is how much of a refused request's body is kept to
// read its error codes: refusals written outside the GraphQL handler (401,
// 413, 429, batches) are one or two short errors.
const maxCapturedErrorBody = 16 << 10

// observe wraps the /graphql handler: every request, refused or not, gets a
// telemetry.Request record in its context, counts as in flight while it
// runs, and once the response is done is recorded in the metrics and
// written as one access log line.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		method := normalizeMethod(r.Method)
		doneInFlight := s.metrics.RequestStarted(r.Context(), method)
		rec := telemetry.NewRequest()
		ctx := telemetry.ContextWithMetrics(telemetry.ContextWithRequest(r.Context(), rec), s.metrics)
		rw := &observedWriter{ResponseWriter: w, rec: rec}
		defer func() {
			doneInFlight()
			s.finish(ctx, r, method, rw, rec.Snapshot(), time.Since(start))
		}()
		next.ServeHTTP(rw, r.WithContext(ctx))
	})
}

// finish records the request's metrics and writes its access log line.
func (s *Server) finish(ctx context.Context, r *http.Request, method string, rw *observedWriter, snap telemetry.RequestSnapshot, took time.Duration) {
	status := rw.status
	if status == 0 {
		status = http.StatusOK
	}
	codes := snap.Codes
	if !snap.Answered {
		// Refused outside the GraphQL handler (auth, body limit, rate
		// limits), or by gqlgen before its response interceptors: the
		// codes are in the body written there.
		codes = errorCodes(rw.captured.Bytes())
		if len(codes) == 0 && status >= 400 {
			codes = []string{telemetry.StatusText(status)}
		}
	}
	outcome := telemetry.ClassifyOutcome(status, codes, snap)
	s.metrics.RecordRequest(ctx, telemetry.RequestDone{
		Method: method, Status: status, Duration: took, Outcome: outcome, Codes: codes, Request: snap,
	})

	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelWarn
	}
	if !s.access.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 16)
	if sc := trace.SpanContextFromContext(ctx); sc.HasTraceID() {
		attrs = append(attrs, slog.String(logTraceID, sc.TraceID().String()))
	}
	attrs = append(attrs,
		slog.String(logMethod, method),
		slog.Int(logStatus, status),
		slog.Float64(logDurationMS, math.Round(float64(took.Microseconds()))/1000),
		slog.Int64(logBytesOut, rw.bytes),
		slog.String(logOutcome, outcome),
		slog.String(logClientAddress, s.clientAddress(r)),
	)
	if app := s.clientApp(r); app != "" {
		attrs = append(attrs, slog.String(logClientApp, truncateName(app)))
	}
	if snap.Subject != "" {
		attrs = append(attrs, slog.String(logSubject, snap.Subject))
	}
	if snap.OperationName != "" {
		attrs = append(attrs, slog.String(logOperationName, snap.OperationName))
	}
	if snap.OperationType != "" {
		attrs = append(attrs, slog.String(logOperationType, snap.OperationType))
	}
	if snap.DocumentID != "" {
		attrs = append(attrs, slog.String(logDocumentID, snap.DocumentID))
	}
	if len(codes) > 0 {
		attrs = append(attrs, slog.Any(logErrorCodes, codes))
	}
	if snap.CostRequested >= 0 {
		attrs = append(attrs, slog.Int(logCostRequested, snap.CostRequested))
	}
	if snap.CostActual >= 0 {
		attrs = append(attrs, slog.Int(logCostActual, snap.CostActual))
	}
	if len(snap.UpstreamCalls) > 0 {
		services := make([]string, 0, len(snap.UpstreamCalls))
		for svc := range snap.UpstreamCalls {
			services = append(services, svc)
		}
		slices.Sort(services)
		calls := make([]any, 0, len(services))
		for _, svc := range services {
			calls = append(calls, slog.Int(svc, snap.UpstreamCalls[svc]))
		}
		attrs = append(attrs, slog.Group(logUpstreamCalls, calls...))
	}
	s.access.LogAttrs(ctx, level, accessLogMessage, attrs...)
}

// clientAddress is the client's address as Options.ClientAddress resolves
// it (through trusted proxies), by default the peer's IP.
func (s *Server) clientAddress(r *http.Request) string {
	if s.opts.ClientAddress != nil {
		return s.opts.ClientAddress(r)
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// clientApp names the client application (Options.ClientApp, by default
// the apollographql-client-name header).
func (s *Server) clientApp(r *http.Request) string {
	if s.opts.ClientApp != nil {
		return s.opts.ClientApp(r)
	}
	return r.Header.Get("apollographql-client-name")
}

func truncateName(s string) string {
	const maxBytes = 128
	if len(s) > maxBytes {
		return s[:maxBytes]
	}
	return s
}

// normalizeMethod bounds the method attribute: a client may send any token
// as a method, and each would be a new time series.
func normalizeMethod(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodOptions, http.MethodHead:
		return m
	}
	return "_OTHER"
}

// errorCodes reads extensions.code of every error of a GraphQL error body.
func errorCodes(body []byte) []string {
	var resp struct {
		Errors []struct {
			Extensions struct {
				Code string `json:"code"`
			} `json:"extensions"`
		} `json:"errors"`
	}
	if len(body) == 0 || json.Unmarshal(body, &resp) != nil {
		return nil
	}
	var codes []string
	for _, e := range resp.Errors {
		if e.Extensions.Code != "" {
			codes = append(codes, e.Extensions.Code)
		}
	}
	return codes
}

// observedWriter notes the status and the bytes of the response, and keeps
// the start of the body when its error codes are not known otherwise (an
// error status, or an answer the GraphQL extension did not see).
type observedWriter struct {
	http.ResponseWriter
	rec      *telemetry.Request
	status   int
	bytes    int64
	decided  bool // whether to capture is decided at the first write
	capture  bool
	captured bytes.Buffer
}

func (w *observedWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *observedWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if !w.decided {
		w.decided = true
		w.capture = w.status >= 400 || !w.rec.Answered()
	}
	if w.capture && w.captured.Len() < maxCapturedErrorBody {
		w.captured.Write(b[:min(len(b), maxCapturedErrorBody-w.captured.Len())])
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Flush implements http.Flusher when the underlying writer does (streamed
// responses).
func (w *observedWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *observedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observeExtension fills the request's telemetry.Request from inside the
// GraphQL handler: the operation's name and type, the persisted document
// id, whether it ran, its error codes and its cost. It is the first
// extension, so that it sees the operation before any other may refuse it,
// and the response after every other has added to it.
type observeExtension struct{}

var (
	_ graphql.HandlerExtension          = observeExtension{}
	_ graphql.OperationParameterMutator = observeExtension{}
	_ graphql.OperationContextMutator   = observeExtension{}
	_ graphql.OperationInterceptor      = observeExtension{}
	_ graphql.ResponseInterceptor       = observeExtension{}
)

func (observeExtension) ExtensionName() string { return "TandemObserve" }

func (observeExtension) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters records what the client sent before anything
// is parsed: the operation name it asked for and the persisted document
// (Apollo's persistedQuery extension) it named.
func (observeExtension) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	rec := telemetry.RequestFromContext(ctx)
	if rec == nil {
		return nil
	}
	if p.OperationName != "" {
		rec.SetOperation(p.OperationName, "")
	}
	if pq, ok := p.Extensions["persistedQuery"].(map[string]any); ok {
		if h, ok := pq["sha256Hash"].(string); ok && h != "" {
			rec.SetDocumentID("sha256:" + h)
		}
	}
	return nil
}

// MutateOperationContext records the operation chosen after validation.
func (observeExtension) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation != nil {
		telemetry.RequestFromContext(ctx).SetOperation(oc.Operation.Name, string(oc.Operation.Operation))
	}
	return nil
}

// InterceptOperation marks the operation as run: every check passed.
func (observeExtension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	telemetry.RequestFromContext(ctx).SetExecuted()
	return next(ctx)
}

// InterceptResponse records the answer's error codes, whether it has data,
// and the cost the cost extension computed.
func (observeExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	rec := telemetry.RequestFromContext(ctx)
	if resp == nil || rec == nil {
		return resp
	}
	var codes []string
	for _, e := range resp.Errors {
		if c := errcode.Of(e.Extensions); c != "" {
			codes = append(codes, string(c))
		}
	}
	hasData := len(resp.Data) > 0 && !bytes.Equal(bytes.TrimSpace(resp.Data), []byte("null"))
	rec.SetResult(codes, hasData)
	if cost, ok := resp.Extensions["cost"].(map[string]any); ok {
		requested, okR := cost["requested"].(int)
		actual, okA := cost["actual"].(int)
		if !okR {
			requested = -1
		}
		if !okA {
			actual = -1
		}
		rec.SetCost(requested, actual)
	}
	return resp
}
