package throttle

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/execution"
	"github.com/tandemgw/tandem/shared/introspection"
)

const costExtensionName = "Cost"

// CostStats is what the cost extension records on the operation context.
type CostStats struct {
	Requested int // static cost of the operation
	Max       int // ceiling in force (0: none)

	actual atomic.Int64 // added to by the fields as they execute
}

// Actual is the cost of what the operation's execution did so far (see
// CostExtension); 0 before execution.
func (s *CostStats) Actual() int { return int(s.actual.Load()) }

// GetCostStats returns the cost of the operation in ctx, or nil before the
// cost extension has run.
func GetCostStats(ctx context.Context) *CostStats {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	s, _ := graphql.GetOperationContext(ctx).Stats.GetExtension(costExtensionName).(*CostStats)
	return s
}

// DefaultDocumentCacheSize is how many operations the operation limits
// and cost extensions remember their verdicts for, as many as the
// server's query cache (server.DefaultQueryCacheSize) keeps parsed
// documents.
const DefaultDocumentCacheSize = 1000

// maxCostVariants bounds the costs remembered per operation for distinct
// values of the variables its cost depends on (first: $n); further values
// are costed on every request.
const maxCostVariants = 32

// CostExtension computes each operation's static cost after validation and
// before execution, rejects operations over the ceiling with
// COST_LIMIT_EXCEEDED {cost, max}, spends the cost on the Limiter's point
// budgets (RATE_LIMITED when spent), and reports extensions.cost
// {requested, actual, max} on the response.
//
// The static cost is computed once per operation: the server's query
// cache hands every request with the same query text the same parsed
// document, and the cost is remembered by its operation (and by the values
// of the variables it depends on, if any). The actual cost is summed while
// the fields execute (a field observer), not by reading the response
// back.
type CostExtension struct {
	cfg    CostConfig
	schema *ast.Schema
	calc   *Calculator
	lim    *Limiter
	logger *slog.Logger
	docs   *lru.Cache[*ast.OperationDefinition, *costInfo]

	cacheSize           int
	exemptIntrospection bool
}

var (
	_ interface {
		graphql.HandlerExtension
		graphql.OperationContextMutator
		graphql.ResponseInterceptor
	} = (*CostExtension)(nil)
	_ interface {
		graphql.RootFieldInterceptor
		execution.FieldObserver
	} = actualCostExtension{}
)

// actualCostExtension is the cost extension when actual costs are
// reported: only then does it observe fields (execution.FieldObserver;
// the server installs one field interceptor for every observer), since
// each observed field costs a call.
type actualCostExtension struct{ *CostExtension }

// costInfo is what the extension remembers of one operation.
type costInfo struct {
	use  introspection.Use // only computed when introspection is exempt
	vars []string          // variables the cost depends on, sorted
	cost int               // the cost, when vars is empty

	mu     sync.Mutex
	byVars map[string]int // cost by the values of vars
}

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

// WithIntrospectionExempt lets introspection operations (__schema or
// __type, and otherwise only __typename; see introspection.Only) past the
// cost ceiling and the point budgets. GraphiQL's schema query costs some
// 16,000 points on the web schema: over any sensible ceiling, and enough to
// spend a caller's budget on opening the page. The operation limits bound
// what such an operation may select (ExemptIntrospection). Meant for dev
// mode, the only mode that serves introspection. Default: off.
func WithIntrospectionExempt(exempt bool) CostOption {
	return func(e *CostExtension) { e.exemptIntrospection = exempt }
}

// WithCostCacheSize sets how many operations' costs are remembered.
// Zero or less means DefaultDocumentCacheSize.
func WithCostCacheSize(n int) CostOption {
	return func(e *CostExtension) { e.cacheSize = n }
}

// NewCostExtension returns the cost extension for schema (nil: the
// executable schema the extension is added to): a *CostExtension, wrapped
// as a field observer when cfg.ReportActual asks for actual costs.
func NewCostExtension(schema *ast.Schema, cfg CostConfig, opts ...CostOption) graphql.HandlerExtension {
	registerErrorKinds()
	e := &CostExtension{cfg: cfg, schema: schema, logger: slog.Default()}
	for _, o := range opts {
		o(e)
	}
	if e.cacheSize <= 0 {
		e.cacheSize = DefaultDocumentCacheSize
	}
	e.docs, _ = lru.New[*ast.OperationDefinition, *costInfo](e.cacheSize) // errs only on a size <= 0
	if schema != nil {
		e.calc = NewCalculator(schema, cfg)
	}
	if cfg.ReportActual {
		return actualCostExtension{e}
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
	op := opCtx.Operation
	if op == nil {
		return nil
	}
	info, cost := e.staticCost(op, opCtx.Variables)
	if e.exemptIntrospection && info.use == introspection.Only {
		return nil
	}
	opCtx.Stats.SetExtension(costExtensionName, &CostStats{Requested: cost, Max: e.cfg.MaxCost})
	if e.cfg.MaxCost > 0 && cost > e.cfg.MaxCost {
		return &gqlerror.Error{
			Message:    "operation cost " + strconv.Itoa(cost) + " exceeds the limit of " + strconv.Itoa(e.cfg.MaxCost),
			Extensions: map[string]any{"code": string(errcode.CostLimitExceeded), "cost": cost, "max": e.cfg.MaxCost},
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
			Extensions: map[string]any{"code": string(errcode.InternalServerError)},
		}
	}
	return st.chargePoints(ctx, cost)
}

// staticCost returns what is remembered of op, computing it on first
// sight, and op's cost with vars. An introspection operation that is
// exempt is not costed (its cost is 0).
func (e *CostExtension) staticCost(op *ast.OperationDefinition, vars map[string]any) (*costInfo, int) {
	if info, ok := e.docs.Get(op); ok {
		if info.use == introspection.Only && e.exemptIntrospection {
			return info, 0
		}
		if len(info.vars) == 0 {
			return info, info.cost
		}
		var arr [64]byte
		key := variantKey(arr[:0], info.vars, vars)
		info.mu.Lock()
		cost, ok := info.byVars[string(key)]
		info.mu.Unlock()
		if ok {
			return info, cost
		}
		cost = e.calc.Cost(op, vars)
		info.mu.Lock()
		if len(info.byVars) < maxCostVariants {
			info.byVars[string(key)] = cost
		}
		info.mu.Unlock()
		return info, cost
	}
	info := &costInfo{}
	if e.exemptIntrospection {
		info.use = introspection.Classify(op)
		if info.use == introspection.Only {
			e.docs.Add(op, info)
			return info, 0
		}
	}
	r := e.calc.cost(op, vars)
	info.vars = r.vars
	if len(r.vars) == 0 {
		info.cost = r.cost
	} else {
		info.byVars = map[string]int{string(variantKey(nil, r.vars, vars)): r.cost}
	}
	e.docs.Add(op, info)
	return info, r.cost
}

// variantKey appends to buf the values of names in vars, each with its
// type (a float 50.5 and a json.Number "50.5" differ; %#v prints maps
// sorted). Looking the key up as string(key) does not allocate.
func variantKey(buf []byte, names []string, vars map[string]any) []byte {
	for _, n := range names {
		buf = append(buf, n...)
		buf = append(buf, '=')
		switch v := vars[n].(type) {
		case nil:
			buf = append(buf, "nil"...)
		case json.Number:
			buf = append(buf, 'N')
			buf = append(buf, v...)
		case string:
			buf = strconv.AppendQuote(buf, v)
		case int:
			buf = strconv.AppendInt(append(buf, 'i'), int64(v), 10)
		case int64:
			buf = strconv.AppendInt(append(buf, 'I'), v, 10)
		case bool:
			buf = strconv.AppendBool(buf, v)
		default:
			buf = fmt.Appendf(buf, "%#v", v)
		}
		buf = append(buf, ';')
	}
	return buf
}

// actualKey keys the operation's actualTally in each root field's context.
type actualKey struct{}

// actualTally is what the field observer needs of the operation, placed
// in each root field's context: a field finds it a few contexts up, where
// the operation context sits beneath every value the server, the
// middlewares and the executor added, and a response has hundreds of
// weighted fields.
type actualTally struct {
	stats *CostStats
	vars  map[string]any
}

// InterceptRootField implements graphql.RootFieldInterceptor.
func (e actualCostExtension) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	if stats := GetCostStats(ctx); stats != nil {
		ctx = context.WithValue(ctx, actualKey{}, &actualTally{stats: stats, vars: graphql.GetOperationContext(ctx).Variables})
	}
	return next(ctx)
}

// ObserveField implements execution.FieldObserver: it adds each executed
// field's cost to the operation's actual cost. Plain leaves
// (execution.ResolveLeaf) are not observed: tools/gqlgen picks only fields
// without cost for them.
func (e actualCostExtension) ObserveField(ctx context.Context, fctx *graphql.FieldContext, res any, _ error) {
	if fctx.Field.Field == nil || fctx.Field.Definition == nil {
		return
	}
	fc := e.calc.info(fctx.Field.Definition)
	weight := fc.weight
	if !fc.hasWeight && e.schema.Mutation != nil && fctx.Object == e.schema.Mutation.Name {
		weight = e.calc.mutationWeight
	}
	if weight == 0 && !fc.argCost {
		return
	}
	if tally, _ := ctx.Value(actualKey{}).(*actualTally); tally != nil {
		var vars map[string]any
		if fc.argCost {
			vars = tally.vars
		}
		tally.stats.actual.Add(int64(e.calc.executedCost(fc, weight, fctx.Field.Field, vars, res)))
	}
}

// InterceptResponse implements graphql.ResponseInterceptor: it adds
// extensions.cost to every response of an operation whose cost is known.
// The actual cost is complete when the response is: every field has
// executed by then.
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
		cost["actual"] = stats.Actual()
	}
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	resp.Extensions["cost"] = cost
	return resp
}
