package throttle

import (
	"context"
	"errors"
	"log/slog"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

const costExtensionName = "Cost"

// CostStats is what the cost extension records on the operation context.
type CostStats struct {
	Requested int // static cost of the operation
	Max       int // ceiling in force (0: none)
}

// GetCostStats returns the cost of the operation in ctx, or nil before the
// cost extension has run.
func GetCostStats(ctx context.Context) *CostStats {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	s, _ := graphql.GetOperationContext(ctx).Stats.GetExtension(costExtensionName).(*CostStats)
	return s
}

// CostExtension computes each operation's static cost after validation and
// before execution, rejects operations over the ceiling with
// COST_LIMIT_EXCEEDED {cost, max}, spends the cost on the Limiter's point
// budgets (RATE_LIMITED when spent), and reports extensions.cost
// {requested, actual, max} on the response.
type CostExtension struct {
	cfg    CostConfig
	schema *ast.Schema
	calc   *Calculator
	lim    *Limiter
	logger *slog.Logger

	exemptIntrospection bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
} = (*CostExtension)(nil)

// CostOption configures the cost extension.
type CostOption func(*CostExtension)

// WithPointsLimiter charges each operation's cost to l's point budgets.
// Default: none (cost is checked against the ceiling and reported only).
// l.Middleware must wrap the GraphQL handler.
func WithPointsLimiter(l *Limiter) CostOption {
	return func(e *CostExtension) { e.lim = l }
}

// WithCostLogger sets the logger. Default: slog.Default().
func WithCostLogger(l *slog.Logger) CostOption {
	return func(e *CostExtension) { e.logger = l }
}

// WithIntrospectionExempt lets operations that select only introspection
// fields past the cost ceiling and the point budgets, as ExemptIntrospection
// does for the operation limits. GraphiQL's schema query costs some 16,000
// points on the web schema: over any sensible ceiling, and enough to spend a
// caller's budget on opening the page. Meant for dev mode, the only mode
// that serves introspection. Default: off.
func WithIntrospectionExempt(exempt bool) CostOption {
	return func(e *CostExtension) { e.exemptIntrospection = exempt }
}

// NewCostExtension returns the cost extension for schema (nil: the
// executable schema the extension is added to).
func NewCostExtension(schema *ast.Schema, cfg CostConfig, opts ...CostOption) graphql.HandlerExtension {
	registerErrorKinds()
	e := &CostExtension{cfg: cfg, schema: schema, logger: slog.Default()}
	for _, o := range opts {
		o(e)
	}
	if schema != nil {
		e.calc = NewCalculator(schema, cfg)
	}
	return e
}

// ExtensionName implements graphql.HandlerExtension.
func (e *CostExtension) ExtensionName() string { return costExtensionName }

// Validate implements graphql.HandlerExtension.
func (e *CostExtension) Validate(es graphql.ExecutableSchema) error {
	if e.calc == nil {
		if es == nil || es.Schema() == nil {
			return errors.New("throttle: cost extension needs a schema")
		}
		e.schema = es.Schema()
		e.calc = NewCalculator(e.schema, e.cfg)
	}
	return nil
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (e *CostExtension) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	if e.exemptIntrospection && IntrospectionOnly(opCtx.Operation.SelectionSet) {
		return nil
	}
	cost := e.calc.Cost(opCtx.Operation, opCtx.Variables)
	opCtx.Stats.SetExtension(costExtensionName, &CostStats{Requested: cost, Max: e.cfg.MaxCost})
	if e.cfg.MaxCost > 0 && cost > e.cfg.MaxCost {
		return &gqlerror.Error{
			Message:    "operation cost " + strconv.Itoa(cost) + " exceeds the limit of " + strconv.Itoa(e.cfg.MaxCost),
			Extensions: map[string]any{"code": CodeCostLimit, "cost": cost, "max": e.cfg.MaxCost},
		}
	}
	if e.lim == nil || !e.lim.HasPointPolicies() {
		return nil
	}
	st := stateFrom(ctx)
	if st == nil {
		e.logger.LogAttrs(ctx, slog.LevelError, "cost points cannot be charged: the throttle middleware does not wrap the GraphQL handler")
		return &gqlerror.Error{
			Message:    "internal server error",
			Extensions: map[string]any{"code": "INTERNAL_SERVER_ERROR"},
		}
	}
	return st.chargePoints(ctx, cost)
}

// InterceptResponse implements graphql.ResponseInterceptor: it adds
// extensions.cost to every response of an operation whose cost is known.
func (e *CostExtension) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	stats := GetCostStats(ctx)
	if stats == nil {
		return resp
	}
	cost := map[string]any{"requested": stats.Requested}
	if stats.Max > 0 {
		cost["max"] = stats.Max
	}
	if e.cfg.ReportActual && len(resp.Data) > 0 {
		opCtx := graphql.GetOperationContext(ctx)
		if actual, err := e.calc.ActualCost(opCtx.Operation, opCtx.Variables, resp.Data); err == nil {
			cost["actual"] = actual
		}
	}
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["cost"] = cost
	return resp
}
