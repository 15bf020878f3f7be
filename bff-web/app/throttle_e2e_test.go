package app_test

// End-to-end tests of the throttle through bff-web's real handler at the
// web defaults: operation limits, the cost ceiling, the points and request
// budgets and the Redis store's failure modes. The checks themselves are
// shared with bff-mobile (gatewaytest); this file holds what is web's own:
// its defaults and its queries.

import (
	"strings"
	"testing"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/throttle"
)

// queryOfDepth nests n fields: product (1) › category (2) › parent… › id (n).
func queryOfDepth(n int) string {
	return `{ product(id: "prd_000001") { category { ` + strings.Repeat("parent { ", n-3) + "id" + strings.Repeat(" }", n-3) + " } } }"
}

// Each limit of the shipped web defaults: the query one over is refused
// with OPERATION_LIMIT_EXCEEDED {limit, max, actual} and no backend sees a
// call; the query exactly at the limit runs and reaches the catalog.
func TestOperationLimitsAtWebDefaults(t *testing.T) {
	op := app.Default().Throttle.Operation
	gatewaytest.CheckOperationLimits(t, newEnv(t, nil).Env, []gatewaytest.LimitCase{
		{Limit: throttle.LimitTokens, Max: op.MaxTokens, Build: gatewaytest.QueryOfTokens},
		{Limit: throttle.LimitDepth, Max: op.MaxDepth, Build: queryOfDepth},
		{Limit: throttle.LimitAliases, Max: op.MaxAliases, Build: gatewaytest.QueryOfAliases},
		{Limit: throttle.LimitRootFields, Max: op.MaxRootFields, Build: gatewaytest.QueryOfRootFields},
		{Limit: throttle.LimitFields, Max: op.MaxFields, Build: gatewaytest.QueryOfFields},
	})
}

// The body limit is enforced before anything reads the body, with a
// declared length (413 naming the actual size) and without one (chunked:
// the read stops at the limit); a body of exactly the limit runs.
func TestBodyLimitAtWebDefault(t *testing.T) {
	gatewaytest.CheckBodyLimit(t, newEnv(t, nil).Env, int(app.Default().Throttle.Operation.MaxBodyBytes))
}

// Batches are refused outright, even a batch of one; a single operation
// (the same one) runs.
func TestBatchesRefusedOnWeb(t *testing.T) {
	gatewaytest.CheckBatchesRefused(t, newEnv(t, nil).Env)
}

// Directives per field: only @skip and @include apply to fields and neither
// repeats, so a document over the shipped limit (4) is refused by
// validation before any limit runs, never reaching a backend. With the
// limit lowered to 1 the limit itself refuses a field with two directives
// and lets one through.
func TestDirectivesPerFieldLimitOnWeb(t *testing.T) {
	gatewaytest.CheckDirectivesPerField(t, startEnv, app.Default().Throttle.Operation.MaxDirectivesPerField)
}

// Outside dev mode validation errors do not suggest field names (which
// would let a caller map the schema with introspection off); dev mode does.
func TestNoFieldSuggestionsOutsideDevOnWeb(t *testing.T) {
	gatewaytest.CheckNoFieldSuggestionsOutsideDev(t, startEnv)
}

const productsWithReviews = `query($n: Int!) { products(first: $n) { nodes { id reviews(first: 100) { nodes { id } } } } }`

// productsWithReviewsCost is the static cost of productsWithReviews: the
// connection (1) and n products, each 1 plus its review connection (1)
// with 100 reviews of 1.
func productsWithReviewsCost(n int) int { return 1 + n*(1+1+100) }

// An operation over the web ceiling (5000) is refused with its cost and the
// ceiling in extensions, before any backend call; one just under it runs
// and reports its cost; every response carries extensions.cost.
func TestCostCeilingOnWeb(t *testing.T) {
	maxCost := app.Default().Throttle.Cost.MaxCost
	n := (maxCost - 1) / 102 // the largest page size still under the ceiling
	if productsWithReviewsCost(n) > maxCost || productsWithReviewsCost(n+1) <= maxCost {
		t.Fatalf("page sizes %d/%d do not straddle the ceiling %d", n, n+1, maxCost)
	}
	gatewaytest.CheckCostCeiling(t, newEnv(t, nil).Env, maxCost,
		gatewaytest.CostCase{Query: productsWithReviews, Vars: map[string]any{"n": n + 1}, Cost: productsWithReviewsCost(n + 1)},
		gatewaytest.CostCase{Query: productsWithReviews, Vars: map[string]any{"n": n}, Cost: productsWithReviewsCost(n)})
}

// The points budget is spent by each operation's cost: the remaining points
// drop by exactly the cost of each operation, so costlier operations
// exhaust the budget in fewer requests; the operation that no longer fits
// is refused with 429 RATE_LIMITED (points) before any backend call, while
// a cheaper one still fits.
func TestPointsBudgetDrainsByCostOnWeb(t *testing.T) {
	gatewaytest.CheckPointsBudgetDrain(t, startEnv, `{ products(first: 40) { nodes { name } } }`)
}

// Request budgets through the real BFF: every response carries the policy
// and the remaining budget; the request over the budget is 429 with
// Retry-After and RATE_LIMITED and reaches no backend. Budgets are per JWT
// subject (two users from the identity provider do not share), and
// anonymous callers are keyed by their IP, apart from both users.
func TestRequestRateLimitPerSubjectOnWeb(t *testing.T) {
	gatewaytest.CheckRequestRateLimitPerSubject(t, startEnv)
}

// Anonymous callers are keyed by client IP: behind a trusted proxy each
// forwarded client has its own budget, and a forged X-Forwarded-For entry
// left of the proxy's does not buy a fresh one. Without trusted proxies the
// header is ignored and every caller on 127.0.0.1 shares one budget.
func TestRequestRateLimitPerClientIPOnWeb(t *testing.T) {
	gatewaytest.CheckRequestRateLimitPerClientIP(t, startEnv)
}

// With the Redis store, Redis failing mid-run (killed, or hung with its
// connections open) gives the configured behaviour within the Redis
// timeout: fail open answers from the replica's local limiter (200, budget
// headers), fail closed refuses with 503 RATE_LIMIT_UNAVAILABLE and
// Retry-After before any backend call.
func TestRedisFailureModesOnWeb(t *testing.T) {
	gatewaytest.CheckRedisFailureModes(t, startEnv)
}

// extensions.cost.actual through the generated executor counts every
// object as it was returned: the connection, each product, each product's
// review connection and each review it holds.
func TestActualCostOnWeb(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(gql{query: productsWithReviews, vars: map[string]any{"n": 4}})
	r.NoErrors(t)
	var got struct {
		Products struct {
			Nodes []struct {
				Reviews struct{ Nodes []struct{ ID string } }
			}
		}
	}
	r.Decode(t, &got)
	if len(got.Products.Nodes) != 4 {
		t.Fatalf("want 4 products: %s", r.Raw)
	}
	want, reviews := 1, 0
	for _, p := range got.Products.Nodes {
		want += 1 + 1 + len(p.Reviews.Nodes)
		reviews += len(p.Reviews.Nodes)
	}
	if reviews == 0 {
		t.Fatalf("the products have no reviews: the check would not count list items: %s", r.Raw)
	}
	if a := r.Cost(t, "actual"); a != want {
		t.Errorf("extensions.cost.actual = %d, want %d (requested %d)", a, want, r.Cost(t, "requested"))
	}
}
