package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// DefaultRequestBudget bounds a GraphQL operation unless configured.
const DefaultRequestBudget = 3 * time.Second

// RequestBudget is how long one GraphQL request may take from the moment
// it reaches the server, per operation type. The budget is the
// context deadline of the operation: every upstream attempt gets the
// smaller of its own timeout and what is left (shared/upstream), retries
// stop when another attempt no longer fits, and the rest travels to the
// services (X-Tandem-Deadline-Ms, the gRPC deadline). Fields still waiting
// when it runs out answer UPSTREAM_TIMEOUT; the others are kept.
type RequestBudget struct {
	// Default applies to operations without their own budget; default 3s.
	Default time.Duration `yaml:"default"`
	// Query and Mutation override Default for their operation type;
	// default: Default.
	Query    time.Duration `yaml:"query"`
	Mutation time.Duration `yaml:"mutation"`
}

// WithDefaults returns b with zero fields filled in.
func (b RequestBudget) WithDefaults() RequestBudget {
	if b.Default <= 0 {
		b.Default = DefaultRequestBudget
	}
	if b.Query <= 0 {
		b.Query = b.Default
	}
	if b.Mutation <= 0 {
		b.Mutation = b.Default
	}
	return b
}

// Validate reports budgets that cannot work.
func (b RequestBudget) Validate() error {
	if b.Default < 0 || b.Query < 0 || b.Mutation < 0 {
		return errors.New("requestBudget: durations must not be negative")
	}
	for name, d := range map[string]time.Duration{"default": b.Default, "query": b.Query, "mutation": b.Mutation} {
		if d > 5*time.Minute {
			return fmt.Errorf("requestBudget.%s %s is longer than 5 minutes", name, d)
		}
	}
	return nil
}

// For returns the budget of an operation type (subscriptions have none).
func (b RequestBudget) For(op ast.Operation) time.Duration {
	switch op {
	case ast.Query:
		return b.Query
	case ast.Mutation:
		return b.Mutation
	}
	return 0
}

// budgetExtension puts the operation's deadline on its context: the
// request's arrival (withArrival) plus the budget of its operation type.
// It is an operation interceptor, not an HTTP middleware, because the
// budget depends on the operation type, known only once the document is
// parsed; counting from the arrival keeps reading, parsing, validation
// and the middlewares inside the budget.
type budgetExtension struct{ budget RequestBudget }

type arrivalKey struct{}

// withArrival records when a request reached the server.
func withArrival(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), arrivalKey{}, time.Now())))
	})
}

// arrival is when the request of ctx reached the server (now when unknown,
// as for an operation run without the server's handler).
func arrival(ctx context.Context) time.Time {
	if t, ok := ctx.Value(arrivalKey{}).(time.Time); ok {
		return t
	}
	return time.Now()
}

var (
	_ graphql.HandlerExtension     = budgetExtension{}
	_ graphql.OperationInterceptor = budgetExtension{}
)

func (budgetExtension) ExtensionName() string                   { return "RequestBudget" }
func (budgetExtension) Validate(graphql.ExecutableSchema) error { return nil }
func (e budgetExtension) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil {
		return next(ctx)
	}
	d := e.budget.For(oc.Operation.Operation)
	if d <= 0 {
		return next(ctx)
	}
	ctx, cancel := context.WithDeadline(ctx, arrival(ctx).Add(d))
	h := next(ctx)
	// Release the timer with the last response: the only one of most
	// operations, the one without hasNext of a deferred one (whose later
	// payloads run under this deadline too).
	var once sync.Once
	return func(ctx context.Context) *graphql.Response {
		resp := h(ctx)
		if resp == nil || resp.HasNext == nil || !*resp.HasNext {
			once.Do(cancel)
		}
		return resp
	}
}
