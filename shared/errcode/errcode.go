// Package errcode is the closed set of error codes the gateway puts into
// extensions.code of its GraphQL answers. Clients, dashboards and the
// README's error table rely on these values, so they live in one place and
// never change meaning; a new failure gets a new code here, documented,
// before any package uses it.
//
// It is not the backends' codes: the error enums of schema/openapi (and
// the gRPC status codes) are the contracts of the services behind the
// gateway, which shared/upstream classifies into the codes below. It does
// not decide HTTP statuses either; the status each code is answered with
// is documented here, and chosen where the answer is written.
//
// extensions.code always holds a plain string (string(c)), never a Code:
// gqlgen reads it with a string type assertion to pick the HTTP status of
// request errors, as do the access log and the metrics. New builds such an
// error; Of reads a code back from either form.
package errcode

import "github.com/vektah/gqlparser/v2/gqlerror"

// Code is a stable, client-visible error classification: the value of
// extensions.code.
type Code string

// The codes. "Request" marks an error of a request that does not execute:
// it has no data entry and is HTTP 400 with
// application/graphql-response+json, 200 with application/json (GraphQL
// over HTTP). Field errors come with data and HTTP 200.
const (
	// Unauthenticated: a field needs a signed-in caller (200), or the
	// request carries a present but invalid token (401, with
	// extensions.reason).
	Unauthenticated Code = "UNAUTHENTICATED"
	// Forbidden: the caller's token holds none of a field's scope sets in
	// full (200).
	Forbidden Code = "FORBIDDEN"
	// BadUserInput: an argument out of range, or caller input that cannot
	// travel to a backend (an id with a comma, a header value with a line
	// break); the backend is not called (200).
	BadUserInput Code = "BAD_USER_INPUT"
	// NotFound: a backend knows no such entity (200).
	NotFound Code = "NOT_FOUND"
	// UpstreamUnavailable: a backend is down or unreachable, its circuit
	// breaker is open or its bulkhead full (200, with extensions.service).
	UpstreamUnavailable Code = "UPSTREAM_UNAVAILABLE"
	// UpstreamTimeout: a backend did not answer in time, or the request's
	// budget ran out first (200, with extensions.service).
	UpstreamTimeout Code = "UPSTREAM_TIMEOUT"
	// UpstreamError: a backend failed or answered something the gateway
	// cannot read (200, with extensions.service).
	UpstreamError Code = "UPSTREAM_ERROR"
	// BadRequest: a backend refused the request a field made (200, with
	// extensions.service); or the HTTP request is not a GraphQL request:
	// no body, not JSON, a parameter of the wrong type, no query, a
	// malformed persistedQuery extension (request, 400 either way).
	BadRequest Code = "BAD_REQUEST"
	// Conflict: the request conflicts with a backend's state, such as an
	// idempotency key reused with a different request (200).
	Conflict Code = "CONFLICT"
	// RequestTimeout: the request's own deadline passed while a field was
	// resolving (200).
	RequestTimeout Code = "REQUEST_TIMEOUT"
	// InternalServerError: a bug of the gateway; the cause is logged, the
	// client sees only "internal server error" (200 for a field, 500 when
	// no answer could be encoded).
	InternalServerError Code = "INTERNAL_SERVER_ERROR"
	// GraphQLParseFailed: the query does not parse (request). gqlgen sets
	// it; the value is gqlgen's errcode.ParseFailed.
	GraphQLParseFailed Code = "GRAPHQL_PARSE_FAILED"
	// GraphQLValidationFailed: the query does not validate against the
	// schema, or a variable does not coerce (request). gqlgen sets it; the
	// value is gqlgen's errcode.ValidationFailed.
	GraphQLValidationFailed Code = "GRAPHQL_VALIDATION_FAILED"
	// OperationLimitExceeded: the operation's shape is over a limit
	// (request, with extensions {limit, max, actual}); a body over the
	// size limit is 413.
	OperationLimitExceeded Code = "OPERATION_LIMIT_EXCEEDED"
	// CostLimitExceeded: the operation's static cost is over the ceiling
	// (request, with extensions {cost, max}).
	CostLimitExceeded Code = "COST_LIMIT_EXCEEDED"
	// IntrospectionDisabled: __schema or __type outside dev mode (422).
	IntrospectionDisabled Code = "INTROSPECTION_DISABLED"
	// PersistedQueryNotFound: a hash without text that no store knows; the
	// message is "PersistedQueryNotFound", which Apollo's links look for
	// before they send the text (200 either way).
	PersistedQueryNotFound Code = "PERSISTED_QUERY_NOT_FOUND"
	// PersistedQueryNotInList: the operation or documentId is in no
	// trusted document manifest (request).
	PersistedQueryNotInList Code = "PERSISTED_QUERY_NOT_IN_LIST"
	// PersistedQueryHashMismatch: extensions.persistedQuery.sha256Hash is
	// not the SHA-256 of the text sent with it (400).
	PersistedQueryHashMismatch Code = "PERSISTED_QUERY_HASH_MISMATCH"
	// CSRFPreflightRequired: a request a browser could send cross-site
	// without a preflight (400).
	CSRFPreflightRequired Code = "CSRF_PREFLIGHT_REQUIRED"
	// BadPinHeader: a trusted caller's pin header is malformed (400).
	BadPinHeader Code = "BAD_PIN_HEADER"
	// BatchNotSupported: the body is a JSON array of operations (400).
	BatchNotSupported Code = "BATCH_NOT_SUPPORTED"
	// MethodNotAllowed: a method other than GET, POST or OPTIONS, or a
	// mutation over GET (405, with Allow).
	MethodNotAllowed Code = "METHOD_NOT_ALLOWED"
	// NotAcceptable: Accept admits neither
	// application/graphql-response+json nor application/json (406).
	NotAcceptable Code = "NOT_ACCEPTABLE"
	// UnsupportedMediaType: a POST whose Content-Type is not
	// application/json (415).
	UnsupportedMediaType Code = "UNSUPPORTED_MEDIA_TYPE"
	// Overloaded: the replica's CPU is saturated and the request waited in
	// the admission queue longer than it allows (503, with
	// extensions.retryAfter and Retry-After).
	Overloaded Code = "OVERLOADED"
	// RateLimited: a rate budget is spent (429, with extensions {policy,
	// retryAfter, …}, Retry-After and RateLimit headers).
	RateLimited Code = "RATE_LIMITED"
	// RateLimitUnavailable: the shared rate limit store is unreachable and
	// configured to fail closed (503).
	RateLimitUnavailable Code = "RATE_LIMIT_UNAVAILABLE"
)

// all is every code, in the order above.
var all = [...]Code{
	Unauthenticated, Forbidden, BadUserInput, NotFound,
	UpstreamUnavailable, UpstreamTimeout, UpstreamError,
	BadRequest, Conflict, RequestTimeout, InternalServerError,
	GraphQLParseFailed, GraphQLValidationFailed,
	OperationLimitExceeded, CostLimitExceeded, IntrospectionDisabled,
	PersistedQueryNotFound, PersistedQueryNotInList, PersistedQueryHashMismatch,
	CSRFPreflightRequired, BadPinHeader, BatchNotSupported,
	MethodNotAllowed, NotAcceptable, UnsupportedMediaType,
	Overloaded, RateLimited, RateLimitUnavailable,
}

// All returns every code, for documentation checks; the slice is a copy.
func All() []Code { return append([]Code(nil), all[:]...) }

// Known reports whether c is one of the codes of this package.
func (c Code) Known() bool {
	for _, k := range all {
		if c == k {
			return true
		}
	}
	return false
}

// String returns the wire value.
func (c Code) String() string { return string(c) }

// New returns a client-facing error with message and extensions
// {"code": c}, the code as a plain string.
func New(c Code, message string) *gqlerror.Error {
	return &gqlerror.Error{Message: message, Extensions: map[string]any{"code": string(c)}}
}

// Of returns extensions.code of an error's extensions, whether it holds a
// string or a Code; "" when there is none.
func Of(extensions map[string]any) Code {
	switch c := extensions["code"].(type) {
	case string:
		return Code(c)
	case Code:
		return c
	}
	return ""
}
