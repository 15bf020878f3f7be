package app_test

// End-to-end tests of the throttle through bff-mobile's real handler at the
// mobile defaults: operation limits, the cost ceiling, the points and request
// budgets and the Redis store's failure modes. The checks themselves are
// shared with bff-web (gatewaytest); this file holds what is mobile's own:
// its defaults and its queries.

import (
	"fmt"
	"testing"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/throttle"
)

// mobileDepthLimit is the depth limit TestOperationLimitsAtMobileDefaults
// lowers the mobile default to. The mobile schema is flat (three levels at
// most), so only introspection could reach the shipped limit, and only in
// dev mode, which exempts introspection from the limits; real fields at a
// lowered limit check the depth rule itself, outside dev mode.
const mobileDepthLimit = 2

// queryOfDepth nests n (1 to 3) real fields, each reaching the catalog:
// product (1), product › name (2), search › nodes › name (3).
func queryOfDepth(n int) string {
	switch n {
	case 1:
		return `{ product(id: "prd_000001") { __typename } }`
	case 2:
		return `{ product(id: "prd_000001") { name } }`
	case 3:
		return `{ search(query: "a", first: 1) { nodes { name } } }`
	}
	panic(fmt.Sprintf("queryOfDepth(%d): the mobile schema is three levels deep", n))
}

// Each limit of the shipped mobile defaults: the query one over is refused
// with OPERATION_LIMIT_EXCEEDED {limit, max, actual} and no backend sees a
// call; the query exactly at the limit runs and reaches the catalog. The
// depth limit is checked at a lowered value (mobileDepthLimit) that real
// fields can exceed.
func TestOperationLimitsAtMobileDefaults(t *testing.T) {
	op := app.Default().Throttle.Operation
	if op.MaxDepth <= mobileDepthLimit {
		t.Fatalf("mobile default depth limit %d is not above the lowered %d", op.MaxDepth, mobileDepthLimit)
	}
	shallow := newEnv(t, func(c *app.Config) { c.Throttle.Operation.MaxDepth = mobileDepthLimit }).Env
	gatewaytest.CheckOperationLimits(t, newEnv(t, nil).Env, []gatewaytest.LimitCase{
		{Limit: throttle.LimitTokens, Max: op.MaxTokens, Build: gatewaytest.QueryOfTokens},
		{Limit: throttle.LimitDepth, Max: mobileDepthLimit, Build: queryOfDepth, Env: shallow},
		{Limit: throttle.LimitAliases, Max: op.MaxAliases, Build: gatewaytest.QueryOfAliases},
		{Limit: throttle.LimitRootFields, Max: op.MaxRootFields, Build: gatewaytest.QueryOfRootFields},
		{Limit: throttle.LimitFields, Max: op.MaxFields, Build: gatewaytest.QueryOfFields},
	})
}

// The body limit is enforced before anything reads the body, with a
// declared length (413 naming the actual size) and without one (chunked:
// the read stops at the limit); a body of exactly the limit runs.
func TestBodyLimitAtMobileDefault(t *testing.T) {
	gatewaytest.CheckBodyLimit(t, newEnv(t, nil).Env, int(app.Default().Throttle.Operation.MaxBodyBytes))
}

// Batches are refused outright, even a batch of one; a single operation
// (the same one) runs.
func TestBatchesRefusedOnMobile(t *testing.T) {
	gatewaytest.CheckBatchesRefused(t, newEnv(t, nil).Env)
}

// Directives per field: only @skip and @include apply to fields and neither
// repeats, so a document over the shipped limit (2) is refused by
// validation before any limit runs, never reaching a backend. With the
// limit lowered to 1 the limit itself refuses a field with two directives
// and lets one through.
func TestDirectivesPerFieldLimitOnMobile(t *testing.T) {
	gatewaytest.CheckDirectivesPerField(t, startEnv, app.Default().Throttle.Operation.MaxDirectivesPerField)
}

// Outside dev mode validation errors do not suggest field names (which
// would let a caller map the schema with introspection off); dev mode does.
func TestNoFieldSuggestionsOutsideDevOnMobile(t *testing.T) {
	gatewaytest.CheckNoFieldSuggestionsOutsideDev(t, startEnv)
}

const searchOf = `query($n: Int!) { search(query: "a", first: $n) { nodes { id name } } }`

// searchCost is the static cost of searchOf: search weighs 2 and returns n
// product cards of 1.
func searchCost(n int) int { return 2 + n }

// An operation over the mobile ceiling (1000) is refused with its cost and
// the ceiling in extensions, before any backend call. Pages are at most 20
// on this surface, so only an abusive page size gets there; a legitimate
// search runs and reports its cost; every response carries extensions.cost.
func TestCostCeilingOnMobile(t *testing.T) {
	maxCost := app.Default().Throttle.Cost.MaxCost
	n := maxCost - 1 // searchCost(n) = maxCost+1
	gatewaytest.CheckCostCeiling(t, newEnv(t, nil).Env, maxCost,
		gatewaytest.CostCase{Query: searchOf, Vars: map[string]any{"n": n}, Cost: searchCost(n)},
		gatewaytest.CostCase{Query: searchOf, Vars: map[string]any{"n": 20}, Cost: searchCost(20)})
}

// The points budget is spent by each operation's cost: the remaining points
// drop by exactly the cost of each operation, so costlier operations
// exhaust the budget in fewer requests; the operation that no longer fits
// is refused with 429 RATE_LIMITED (points) before any backend call, while
// a cheaper one still fits.
func TestPointsBudgetDrainsByCostOnMobile(t *testing.T) {
	gatewaytest.CheckPointsBudgetDrain(t, startEnv, `{ search(query: "a", first: 20) { nodes { name } } }`)
}

// Request budgets through the real BFF: every response carries the policy
// and the remaining budget; the request over the budget is 429 with
// Retry-After and RATE_LIMITED and reaches no backend. Budgets are per JWT
// subject (two users from the identity provider do not share), and
// anonymous callers are keyed by their IP, apart from both users.
func TestRequestRateLimitPerSubjectOnMobile(t *testing.T) {
	gatewaytest.CheckRequestRateLimitPerSubject(t, startEnv)
}

// Anonymous callers are keyed by client IP: behind a trusted proxy each
// forwarded client has its own budget, and a forged X-Forwarded-For entry
// left of the proxy's does not buy a fresh one. Without trusted proxies the
// header is ignored and every caller on 127.0.0.1 shares one budget.
func TestRequestRateLimitPerClientIPOnMobile(t *testing.T) {
	gatewaytest.CheckRequestRateLimitPerClientIP(t, startEnv)
}

// With the Redis store, Redis failing mid-run (killed, or hung with its
// connections open) gives the configured behaviour within the Redis
// timeout: fail open answers from the replica's local limiter (200, budget
// headers), fail closed refuses with 503 RATE_LIMIT_UNAVAILABLE and
// Retry-After before any backend call.
func TestRedisFailureModesOnMobile(t *testing.T) {
	gatewaytest.CheckRedisFailureModes(t, startEnv)
}
