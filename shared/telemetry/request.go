package telemetry

import (
	"context"
	"maps"
	"slices"
	"sync"
)

// Request is what one /graphql request did, filled in by the layers it
// passes (the GraphQL extension, the subject middleware, the upstream
// observer) and read once the response is done, for the access log line and
// the request metrics. It is safe for concurrent use: upstream calls of one
// request finish on several goroutines.
//
// It never holds the query text, variables or tokens: only names, codes and
// counts.
type Request struct {
	mu            sync.Mutex
	operationName string
	operationType string
	documentID    string
	subject       string
	codes         []string
	hasData       bool
	executed      bool
	answered      bool
	costRequested int // -1: unknown
	costActual    int // -1: unknown
	upstreamCalls map[string]int
}

// NewRequest returns an empty record.
func NewRequest() *Request {
	return &Request{costRequested: -1, costActual: -1}
}

type requestKey struct{}

// ContextWithRequest returns a copy of ctx carrying r.
func ContextWithRequest(ctx context.Context, r *Request) context.Context {
	return context.WithValue(ctx, requestKey{}, r)
}

// RequestFromContext returns the record of the request ctx belongs to, or
// nil outside a /graphql request (every method of a nil *Request is a
// no-op).
func RequestFromContext(ctx context.Context) *Request {
	r, _ := ctx.Value(requestKey{}).(*Request)
	return r
}

// maxNameBytes bounds a client-chosen name (operation, document id, client
// application) kept for logs and metrics.
const maxNameBytes = 128

func truncate(s string) string {
	if len(s) > maxNameBytes {
		return s[:maxNameBytes]
	}
	return s
}

// SetOperation records the operation's name ("" when anonymous) and type
// ("query", "mutation", "subscription"; "" keeps the one known).
func (r *Request) SetOperation(name, typ string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.operationName = truncate(name)
	if typ != "" {
		r.operationType = typ
	}
}

// SetDocumentID records the id of the persisted document the request ran.
func (r *Request) SetDocumentID(id string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.documentID = truncate(id)
}

// SetSubject records the verified subject of the caller (never a token).
func (r *Request) SetSubject(subject string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.subject = truncate(subject)
}

// SetExecuted records that the operation passed every check and ran.
func (r *Request) SetExecuted() {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.executed = true
}

// SetResult records what the GraphQL handler answered (whether the
// operation ran or was refused): the error codes in response order and
// whether it carried data.
func (r *Request) SetResult(codes []string, hasData bool) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.codes = append(r.codes[:0], codes...)
	r.hasData = hasData
	r.answered = true
}

// Answered reports whether SetResult was called.
func (r *Request) Answered() bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.answered
}

// SetCost records the operation's requested (static) and actual cost; a
// negative value means unknown.
func (r *Request) SetCost(requested, actual int) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.costRequested, r.costActual = requested, actual
}

// AddUpstreamCalls counts n calls made to the upstream service.
func (r *Request) AddUpstreamCalls(service string, n int) {
	if r == nil || n <= 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.upstreamCalls == nil {
		r.upstreamCalls = map[string]int{}
	}
	r.upstreamCalls[service] += n
}

// RequestSnapshot is a copy of a Request's fields.
type RequestSnapshot struct {
	OperationName string
	OperationType string
	DocumentID    string
	Subject       string
	Codes         []string
	HasData       bool
	Executed      bool // the GraphQL operation ran (it was not refused first)
	Answered      bool // the GraphQL handler wrote the answer (Codes are its errors)
	CostRequested int  // -1: unknown
	CostActual    int  // -1: unknown
	UpstreamCalls map[string]int
}

// Snapshot copies the record.
func (r *Request) Snapshot() RequestSnapshot {
	if r == nil {
		return RequestSnapshot{CostRequested: -1, CostActual: -1}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return RequestSnapshot{
		OperationName: r.operationName,
		OperationType: r.operationType,
		DocumentID:    r.documentID,
		Subject:       r.subject,
		Codes:         slices.Clone(r.codes),
		HasData:       r.hasData,
		Executed:      r.executed,
		Answered:      r.answered,
		CostRequested: r.costRequested,
		CostActual:    r.costActual,
		UpstreamCalls: maps.Clone(r.upstreamCalls),
	}
}

// ClassifyOutcome says how a request ended (an Outcome* constant) from its
// HTTP status, its error codes and what the record saw: a 5xx is an error;
// any other 4xx, or errors from an operation that never ran, a refusal;
// errors next to data a partial answer.
func ClassifyOutcome(status int, codes []string, r RequestSnapshot) string {
	switch {
	case status >= 500:
		return OutcomeError
	case status >= 400:
		return OutcomeRefused
	case len(codes) == 0:
		return OutcomeOK
	case !r.Executed:
		return OutcomeRefused
	case r.HasData:
		return OutcomePartial
	default:
		return OutcomeError
	}
}
