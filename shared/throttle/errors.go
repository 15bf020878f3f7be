package throttle

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	gqlcode "github.com/99designs/gqlgen/graphql/errcode"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/errcode"
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
		gqlcode.RegisterErrorType(string(errcode.OperationLimitExceeded), gqlcode.KindProtocol)
		gqlcode.RegisterErrorType(string(errcode.CostLimitExceeded), gqlcode.KindProtocol)
	})
}

func limitError(limit string, maxV, actual int) *gqlerror.Error {
	return &gqlerror.Error{
		Message: "operation exceeds the " + limit + " limit of " + strconv.Itoa(maxV),
		Extensions: map[string]any{
			"code":   string(errcode.OperationLimitExceeded),
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
