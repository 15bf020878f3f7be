package throttle

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Stable error codes in extensions.code.
const (
	// CodeOperationLimit: the operation's shape is over a limit; extensions
	// carry {limit, max, actual} (actual is omitted for the body size when
	// the body was cut off).
	CodeOperationLimit = "OPERATION_LIMIT_EXCEEDED"
	// CodeCostLimit: the operation's static cost is over the ceiling;
	// extensions carry {cost, max}.
	CodeCostLimit = "COST_LIMIT_EXCEEDED"
	// CodeRateLimited: a rate budget is spent; extensions carry
	// {policy, retryAfter} (seconds).
	CodeRateLimited = "RATE_LIMITED"
	// CodeRateLimitUnavailable: the shared rate limit store is unreachable
	// and configured to fail closed.
	CodeRateLimitUnavailable = "RATE_LIMIT_UNAVAILABLE"
	// CodeBatchNotSupported: the body is a JSON array of operations.
	CodeBatchNotSupported = "BATCH_NOT_SUPPORTED"
)

// Limit names used in extensions.limit of OPERATION_LIMIT_EXCEEDED.
const (
	LimitBodyBytes          = "bodyBytes"
	LimitTokens             = "tokens"
	LimitDepth              = "depth"
	LimitAliases            = "aliases"
	LimitRootFields         = "rootFields"
	LimitDirectivesPerField = "directivesPerField"
	LimitFields             = "fields"
)

var registerCodes sync.Once

// registerErrorKinds makes gqlgen answer operation and cost limit errors like
// validation errors (HTTP 422, or 400 for application/graphql-response+json)
// instead of 200.
func registerErrorKinds() {
	registerCodes.Do(func() {
		errcode.RegisterErrorType(CodeOperationLimit, errcode.KindProtocol)
		errcode.RegisterErrorType(CodeCostLimit, errcode.KindProtocol)
	})
}

func limitError(limit string, maxV, actual int) *gqlerror.Error {
	return &gqlerror.Error{
		Message: "operation exceeds the " + limit + " limit of " + strconv.Itoa(maxV),
		Extensions: map[string]any{
			"code":   CodeOperationLimit,
			"limit":  limit,
			"max":    maxV,
			"actual": actual,
		},
	}
}

// retrySeconds rounds a wait up to whole seconds, at least 1.
func retrySeconds(d interface{ Seconds() float64 }) int {
	s := d.Seconds()
	n := int(s)
	if float64(n) < s {
		n++
	}
	return max(n, 1)
}

// writeError writes a GraphQL-shaped error response outside gqlgen.
func writeError(w http.ResponseWriter, status int, err *gqlerror.Error) {
	body, _ := json.Marshal(struct {
		Errors gqlerror.List `json:"errors"`
	}{gqlerror.List{err}})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
