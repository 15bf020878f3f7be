package gatewaytest

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/throttle/redistest"
)

// StartFunc starts a fresh Env of the BFF under test with tweak applied to
// its configuration after the BFF's own test settings (tweak may be nil):
// the BFF's newEnv.
type StartFunc func(t *testing.T, tweak func(*gateway.Config)) *Env

// OneProduct is the cheapest operation both schemas answer from the
// catalog: one product's name, cost 1.
const OneProduct = `{ product(id: "prd_000001") { name } }`

// BodyOfSize is a JSON request body of exactly n bytes: OneProduct padded
// with a GraphQL comment (comments are not tokens, so only the size grows).
func BodyOfSize(t testing.TB, n int) []byte {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": OneProduct + "\n#"})
	pad := n - len(b)
	if pad < 0 {
		t.Fatalf("body of %d bytes is too small for the query", n)
	}
	b, _ = json.Marshal(map[string]any{"query": OneProduct + "\n#" + strings.Repeat("x", pad)})
	if len(b) != n {
		t.Fatalf("built %d bytes, want %d", len(b), n)
	}
	return b
}

// QueryOfTokens has exactly n lexical tokens and few fields: the frame
// `{ product ( id : "prd_000001" ) { … } }` is 10 tokens, a field with
// `@skip(if: false) @include(if: true)` 15, a bare field 1.
func QueryOfTokens(n int) string {
	rest := n - 10
	var sb strings.Builder
	sb.WriteString(`{ product(id: "prd_000001") {`)
	for ; rest >= 15; rest -= 15 {
		sb.WriteString(" name @skip(if: false) @include(if: true)")
	}
	for ; rest > 0; rest-- {
		sb.WriteString(" name")
	}
	sb.WriteString(" } }")
	return sb.String()
}

// QueryOfAliases aliases n fields of one product.
func QueryOfAliases(n int) string {
	var sb strings.Builder
	sb.WriteString(`{ product(id: "prd_000001") {`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, " a%d: name", i)
	}
	sb.WriteString(" } }")
	return sb.String()
}

// QueryOfRootFields asks for n different products at the root, as a page
// showing n products would.
func QueryOfRootFields(n int) string {
	var sb strings.Builder
	sb.WriteString("{")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, ` p%d: product(id: "prd_%06d") { name }`, i, i)
	}
	sb.WriteString(" }")
	return sb.String()
}

// QueryOfFields selects n fields in all: product and n-1 selections of its
// name (valid GraphQL, merged at execution; counted as written, which is
// what a field-duplication attack relies on).
func QueryOfFields(n int) string {
	return `{ product(id: "prd_000001") {` + strings.Repeat(" name", n-1) + " } }"
}

// QueryOfDirectives puts n directives on one field (only @skip and
// @include apply to fields; more must repeat them).
func QueryOfDirectives(n int) string {
	ds := []string{"@include(if: true)", "@skip(if: false)"}
	var sb strings.Builder
	sb.WriteString(`{ product(id: "prd_000001") { name`)
	for i := 0; i < n; i++ {
		sb.WriteString(" " + ds[i%2])
	}
	sb.WriteString(" } }")
	return sb.String()
}

// LimitCase is one operation limit with a query builder for a given size.
type LimitCase struct {
	Limit string             // extensions.limit (throttle.Limit…)
	Max   int                // the limit the Env enforces
	Build func(n int) string // a query of size n that reads the catalog
	Env   *Env               // the Env enforcing Max; nil: the check's default Env
}

// CheckOperationLimits proves each operation limit of cases on e (or the
// case's own Env): the query one over the limit is refused with 400
// OPERATION_LIMIT_EXCEEDED {limit, max, actual}, no data, and no backend
// sees a call; the query exactly at the limit runs and reaches the catalog.
func CheckOperationLimits(t *testing.T, e *Env, cases []LimitCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Limit, func(t *testing.T) {
			e := e
			if c.Env != nil {
				e = c.Env
			}
			e.T = t
			if c.Max <= 0 {
				t.Fatalf("default for %s is off", c.Limit)
			}
			e.Mocks.Counters().Reset()
			over := e.Do(Request{Query: c.Build(c.Max + 1)})
			if over.Status != http.StatusBadRequest || over.Code() != errcode.OperationLimitExceeded {
				t.Fatalf("over the limit: status %d: %s", over.Status, over.Raw)
			}
			if got, _ := over.Errors[0].Extensions["limit"].(string); got != c.Limit {
				t.Fatalf("limit = %q, want %q: %s", got, c.Limit, over.Raw)
			}
			if over.Ext(t, "max") != c.Max || over.Ext(t, "actual") != c.Max+1 {
				t.Fatalf("max/actual wrong, want %d/%d: %s", c.Max, c.Max+1, over.Raw)
			}
			if len(over.Data) > 0 && string(over.Data) != "null" {
				t.Fatalf("a refused operation has data: %s", over.Raw)
			}
			if n := e.TotalCalls(); n != 0 {
				t.Fatalf("a refused operation made %d backend calls", n)
			}
			e.Do(Request{Query: c.Build(c.Max)}).NoErrors(t)
			if e.Mocks.Counters().Total("catalog") == 0 {
				t.Fatal("the operation at the limit did not reach the catalog")
			}
		})
	}
}

// CheckBodyLimit proves the body limit maxBytes on e is enforced before
// anything reads the body, with a declared length (413
// OPERATION_LIMIT_EXCEEDED naming the actual size) and without one
// (chunked: the read stops at the limit), never reaching a backend; a body
// of exactly the limit runs.
func CheckBodyLimit(t *testing.T, e *Env, maxBytes int) {
	t.Helper()
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			e.T = t
			e.Mocks.Counters().Reset()
			over := e.Do(Request{Body: BodyOfSize(t, maxBytes+1), Chunked: chunked})
			if over.Status != http.StatusRequestEntityTooLarge || over.Code() != errcode.OperationLimitExceeded {
				t.Fatalf("status %d: %s", over.Status, over.Raw)
			}
			if l, _ := over.Errors[0].Extensions["limit"].(string); l != throttle.LimitBodyBytes || over.Ext(t, "max") != maxBytes {
				t.Fatalf("wrong limit: %s", over.Raw)
			}
			if !chunked && over.Ext(t, "actual") != maxBytes+1 {
				t.Fatalf("actual size missing: %s", over.Raw)
			}
			if n := e.TotalCalls(); n != 0 {
				t.Fatalf("an oversized body made %d backend calls", n)
			}
			e.Do(Request{Body: BodyOfSize(t, maxBytes), Chunked: chunked}).NoErrors(t)
			if e.TotalCalls() == 0 {
				t.Fatal("the body at the limit did not reach the catalog")
			}
		})
	}
}

// CheckBatchesRefused proves batches are refused outright with 400
// BATCH_NOT_SUPPORTED, even a batch of one, without a backend call, while
// the same operation sent alone runs.
func CheckBatchesRefused(t *testing.T, e *Env) {
	t.Helper()
	one := map[string]any{"query": OneProduct}
	for _, n := range []int{2, 1} {
		batch := make([]any, n)
		for i := range batch {
			batch[i] = one
		}
		b, _ := json.Marshal(batch)
		r := e.Do(Request{Body: b})
		if r.Status != http.StatusBadRequest || r.Code() != errcode.BatchNotSupported {
			t.Fatalf("batch of %d: status %d: %s", n, r.Status, r.Raw)
		}
	}
	if n := e.TotalCalls(); n != 0 {
		t.Fatalf("refused batches made %d backend calls", n)
	}
	b, _ := json.Marshal(one)
	e.Do(Request{Body: b}).NoErrors(t)
	if e.TotalCalls() == 0 {
		t.Fatal("the single operation did not reach the catalog")
	}
}

// CheckDirectivesPerField proves the directives-per-field limit. Only @skip
// and @include apply to fields and neither repeats, so at the shipped limit
// (shipped, at least 2) a document over it is refused by validation
// (GRAPHQL_VALIDATION_FAILED) before any limit runs, never reaching a
// backend, and two directives run. With the limit lowered to 1 the limit
// itself refuses a field with two directives (OPERATION_LIMIT_EXCEEDED,
// actual 2) and lets one through to the catalog.
func CheckDirectivesPerField(t *testing.T, start StartFunc, shipped int) {
	t.Helper()
	t.Run("default", func(t *testing.T) {
		e := start(t, nil)
		over := e.Do(Request{Query: QueryOfDirectives(shipped + 1)})
		if over.Status != http.StatusBadRequest || over.Code() != errcode.GraphQLValidationFailed {
			t.Fatalf("status %d: %s", over.Status, over.Raw)
		}
		if n := e.TotalCalls(); n != 0 {
			t.Fatalf("a refused operation made %d backend calls", n)
		}
		e.Do(Request{Query: QueryOfDirectives(2)}).NoErrors(t)
	})
	t.Run("lowered", func(t *testing.T) {
		e := start(t, func(c *gateway.Config) { c.Throttle.Operation.MaxDirectivesPerField = 1 })
		over := e.Do(Request{Query: QueryOfDirectives(2)})
		if over.Status != http.StatusBadRequest || over.Code() != errcode.OperationLimitExceeded {
			t.Fatalf("status %d: %s", over.Status, over.Raw)
		}
		if l, _ := over.Errors[0].Extensions["limit"].(string); l != throttle.LimitDirectivesPerField || over.Ext(t, "actual") != 2 {
			t.Fatalf("wrong limit: %s", over.Raw)
		}
		if n := e.TotalCalls(); n != 0 {
			t.Fatalf("a refused operation made %d backend calls", n)
		}
		e.Do(Request{Query: QueryOfDirectives(1)}).NoErrors(t)
		if e.TotalCalls() == 0 {
			t.Fatal("the operation at the limit did not reach the catalog")
		}
	})
}

// CheckNoFieldSuggestionsOutsideDev proves that outside dev mode validation
// errors do not suggest field names (which would let a caller map the
// schema with introspection off), that dev mode does, and that the invalid
// operation reaches no backend either way.
func CheckNoFieldSuggestionsOutsideDev(t *testing.T, start StartFunc) {
	t.Helper()
	const typo = `{ product(id: "prd_000001") { nam } }`
	for _, dev := range []bool{false, true} {
		e := start(t, func(c *gateway.Config) { c.Dev = dev })
		r := e.Do(Request{Query: typo})
		if r.Status != http.StatusBadRequest || len(r.Errors) == 0 {
			t.Fatalf("dev=%v: status %d: %s", dev, r.Status, r.Raw)
		}
		suggests := strings.Contains(strings.ToLower(string(r.Raw)), "did you mean")
		if suggests != dev {
			t.Fatalf("dev=%v: suggestions=%v: %s", dev, suggests, r.Raw)
		}
		if n := e.TotalCalls(); n != 0 {
			t.Fatalf("an invalid operation made %d backend calls", n)
		}
	}
}

// CostCase is an operation with its static cost.
type CostCase struct {
	Query string
	Vars  map[string]any
	Cost  int // the operation's static cost
}

// CheckCostCeiling proves the cost ceiling maxCost on e: over (costing more
// than maxCost) is refused with 400 COST_LIMIT_EXCEEDED, its cost and the
// ceiling in extensions and in extensions.cost, before any backend call;
// under (at most maxCost) runs and reports requested, max and an actual
// cost in (0, requested] (lists counted as returned); a cheap operation
// (OneProduct) and one with a field error report their cost too.
func CheckCostCeiling(t *testing.T, e *Env, maxCost int, over, under CostCase) {
	t.Helper()
	if over.Cost <= maxCost || under.Cost > maxCost {
		t.Fatalf("costs %d/%d do not straddle the ceiling %d", under.Cost, over.Cost, maxCost)
	}
	r := e.Do(Request{Query: over.Query, Vars: over.Vars})
	if r.Status != http.StatusBadRequest || r.Code() != errcode.CostLimitExceeded {
		t.Fatalf("status %d: %s", r.Status, r.Raw)
	}
	if r.Ext(t, "cost") != over.Cost || r.Ext(t, "max") != maxCost {
		t.Fatalf("want cost %d max %d: %s", over.Cost, maxCost, r.Raw)
	}
	if r.Cost(t, "requested") != over.Cost {
		t.Fatalf("extensions.cost of the refused operation: %s", r.Raw)
	}
	if c := e.TotalCalls(); c != 0 {
		t.Fatalf("an operation over the cost ceiling made %d backend calls", c)
	}

	r = e.Do(Request{Query: under.Query, Vars: under.Vars})
	r.NoErrors(t)
	if r.Cost(t, "requested") != under.Cost || r.Cost(t, "max") != maxCost {
		t.Fatalf("extensions.cost: %s", r.Raw)
	}
	// actual counts the lists as returned (never more than requested).
	if a := r.Cost(t, "actual"); a <= 0 || a > under.Cost {
		t.Fatalf("extensions.cost.actual = %d: %s", a, r.Raw)
	}

	// A cheap operation and one with a field error carry it too.
	cheap := e.Do(Request{Query: OneProduct})
	cheap.NoErrors(t)
	if cheap.Cost(t, "requested") != 1 {
		t.Fatalf("cost of one product: %s", cheap.Raw)
	}
	missing := e.Do(Request{Query: `{ product(id: "prd_999999") { name } }`})
	if len(missing.Errors) == 0 || missing.Cost(t, "requested") != 1 {
		t.Fatalf("field error response: %s", missing.Raw)
	}
}

// CheckPointsBudgetDrain proves the points budget is spent by each
// operation's cost: with a budget of 1000 points that does not refill
// during the test, the remaining points drop by exactly the cost of each
// operation, so expensive (which must cost over ten times OneProduct)
// exhausts the budget in the predicted number of requests; the operation
// that no longer fits is refused with 429 RATE_LIMITED (policy points,
// Retry-After) before any backend call, while what is left still pays for
// cheap operations one by one, and then none.
func CheckPointsBudgetDrain(t *testing.T, start StartFunc, expensive string) {
	t.Helper()
	const burst = 1000
	e := start(t, func(c *gateway.Config) {
		// A day-long window: the budget refills by one point every 86s, so
		// nothing refills during the test and the arithmetic is exact.
		c.Throttle.Rate.Points = throttle.Window{Limit: burst, Period: 24 * time.Hour, Burst: burst}
		c.Throttle.Rate.Anonymous = throttle.AnonymousRates{} // the same budgets for signed-out callers
		c.Throttle.Cost.MaxCost = burst
	})

	cheap := e.Do(Request{Query: OneProduct})
	cheap.NoErrors(t)
	c1 := cheap.Cost(t, "requested")
	left := cheap.Remaining(t, throttle.PolicyPoints)
	if left != burst-c1 {
		t.Fatalf("after a cost-%d operation %d points left, want %d", c1, left, burst-c1)
	}

	exp := e.Do(Request{Query: expensive})
	exp.NoErrors(t)
	c2 := exp.Cost(t, "requested")
	if c2 <= 10*c1 {
		t.Fatalf("expensive operation costs %d, cheap %d", c2, c1)
	}
	if got := exp.Remaining(t, throttle.PolicyPoints); got != left-c2 {
		t.Fatalf("after a cost-%d operation %d points left, want %d", c2, got, left-c2)
	}
	left -= c2

	accepted := 0
	for {
		r := e.Do(Request{Query: expensive})
		if r.Status == http.StatusTooManyRequests {
			if r.Code() != errcode.RateLimited {
				t.Fatalf("429 without RATE_LIMITED: %s", r.Raw)
			}
			if p, _ := r.Errors[0].Extensions["policy"].(string); p != throttle.PolicyPoints {
				t.Fatalf("refused by %q, want points: %s", p, r.Raw)
			}
			if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 {
				t.Fatalf("Retry-After = %q", r.Header.Get("Retry-After"))
			}
			break
		}
		r.NoErrors(t)
		accepted++
		left -= c2
		if got := r.Remaining(t, throttle.PolicyPoints); got != left {
			t.Fatalf("%d points left, want %d", got, left)
		}
		if accepted > burst {
			t.Fatal("the points budget never ran out")
		}
	}
	if want := (burst - c1 - c2) / c2; accepted != want {
		t.Fatalf("accepted %d more expensive operations, want %d", accepted, want)
	}
	if left >= c2 || left < c1 {
		t.Fatalf("%d points left: test needs c1 <= left < c2 (%d, %d)", left, c1, c2)
	}

	// The refused operation never ran.
	e.Mocks.Counters().Reset()
	refused := e.Do(Request{Query: expensive})
	if refused.Status != http.StatusTooManyRequests || e.TotalCalls() != 0 {
		t.Fatalf("status %d, %d backend calls", refused.Status, e.TotalCalls())
	}
	// What is left still pays for cheap operations, one by one.
	for i := 0; i < left/c1; i++ {
		e.Do(Request{Query: OneProduct}).NoErrors(t)
	}
	if r := e.Do(Request{Query: OneProduct}); r.Status != http.StatusTooManyRequests {
		t.Fatalf("budget spent, yet status %d: %s", r.Status, r.Raw)
	}
}

// CheckRequestRateLimitPerSubject proves request budgets (3 an hour here)
// through the real BFF: every response carries the policy and the
// remaining budget; the request over the budget is 429 with Retry-After
// (matching extensions.retryAfter), RATE_LIMITED, policy requests and the
// budget headers, and reaches no backend. Budgets are per JWT subject (two
// users from the identity provider do not share), and anonymous callers
// are keyed by their IP, apart from both users.
func CheckRequestRateLimitPerSubject(t *testing.T, start StartFunc) {
	t.Helper()
	const limit = 3
	e := start(t, func(c *gateway.Config) {
		c.Throttle.Rate.Requests = throttle.Window{Limit: limit, Period: time.Hour, Burst: limit}
		c.Throttle.Rate.Anonymous = throttle.AnonymousRates{} // the same budgets for signed-out callers
	})
	alice, bob := e.Token("usr_000001"), e.Token("usr_000002")

	for i := 1; i <= limit; i++ {
		r := e.Do(Request{Query: OneProduct, Token: alice})
		r.NoErrors(t)
		if got := r.Header.Get("RateLimit-Policy"); !strings.Contains(got, `"requests";q=3;w=3600`) {
			t.Fatalf("RateLimit-Policy = %q", got)
		}
		if got := r.Remaining(t, throttle.PolicyRequests); got != limit-i {
			t.Fatalf("request %d: %d left, want %d", i, got, limit-i)
		}
	}
	e.Mocks.Counters().Reset()
	over := e.Do(Request{Query: OneProduct, Token: alice})
	if over.Status != http.StatusTooManyRequests || over.Code() != errcode.RateLimited {
		t.Fatalf("status %d: %s", over.Status, over.Raw)
	}
	if p, _ := over.Errors[0].Extensions["policy"].(string); p != throttle.PolicyRequests {
		t.Fatalf("policy %q: %s", p, over.Raw)
	}
	ra, err := strconv.Atoi(over.Header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 3600 || over.Ext(t, "retryAfter") != ra {
		t.Fatalf("Retry-After %q, extensions %s", over.Header.Get("Retry-After"), over.Raw)
	}
	if over.Header.Get("RateLimit-Policy") == "" || over.Remaining(t, throttle.PolicyRequests) != 0 {
		t.Fatalf("429 without rate limit headers: %v", over.Header)
	}
	if n := e.TotalCalls(); n != 0 {
		t.Fatalf("a rate limited request made %d backend calls", n)
	}

	// Another user, and an anonymous caller, have budgets of their own.
	r := e.Do(Request{Query: OneProduct, Token: bob})
	r.NoErrors(t)
	if got := r.Remaining(t, throttle.PolicyRequests); got != limit-1 {
		t.Fatalf("second user: %d left, want %d", got, limit-1)
	}
	for i := 1; i <= limit; i++ {
		r := e.Do(Request{Query: OneProduct})
		r.NoErrors(t)
		if got := r.Remaining(t, throttle.PolicyRequests); got != limit-i {
			t.Fatalf("anonymous %d: %d left, want %d", i, got, limit-i)
		}
	}
	if r := e.Do(Request{Query: OneProduct}); r.Status != http.StatusTooManyRequests {
		t.Fatalf("anonymous over budget: status %d", r.Status)
	}
	// The anonymous budget of 127.0.0.1 is spent; the users' are not.
	e.Do(Request{Query: OneProduct, Token: bob}).NoErrors(t)
}

// CheckRequestRateLimitPerClientIP proves anonymous callers are keyed by
// client IP: behind a trusted proxy (the top-level trustedProxies setting)
// each forwarded client has its own budget, and a forged X-Forwarded-For
// entry left of the proxy's does not buy a fresh one. Without trusted proxies the header is ignored and every
// caller on 127.0.0.1 shares one budget.
func CheckRequestRateLimitPerClientIP(t *testing.T, start StartFunc) {
	t.Helper()
	const limit = 2
	xff := func(v string) Request {
		return Request{Query: OneProduct, Header: http.Header{"X-Forwarded-For": {v}}}
	}
	t.Run("trusted proxy", func(t *testing.T) {
		e := start(t, func(c *gateway.Config) {
			c.Throttle.Rate.Requests = throttle.Window{Limit: limit, Period: time.Hour, Burst: limit}
			c.Throttle.Rate.Anonymous = throttle.AnonymousRates{} // the same budgets for signed-out callers
			c.TrustedProxies = []string{"127.0.0.1/32"}
		})
		for i := 0; i < limit; i++ {
			e.Do(xff("203.0.113.7")).NoErrors(t)
		}
		if r := e.Do(xff("198.51.100.1, 203.0.113.7")); r.Status != http.StatusTooManyRequests {
			t.Fatalf("forged X-Forwarded-For escaped the limit: status %d", r.Status)
		}
		r := e.Do(xff("203.0.113.8"))
		r.NoErrors(t)
		if got := r.Remaining(t, throttle.PolicyRequests); got != limit-1 {
			t.Fatalf("second client: %d left", got)
		}
	})
	t.Run("no trusted proxy", func(t *testing.T) {
		e := start(t, func(c *gateway.Config) {
			c.Throttle.Rate.Requests = throttle.Window{Limit: limit, Period: time.Hour, Burst: limit}
			c.Throttle.Rate.Anonymous = throttle.AnonymousRates{} // the same budgets for signed-out callers
		})
		for i := 0; i < limit; i++ {
			e.Do(xff(fmt.Sprintf("203.0.113.%d", i+1))).NoErrors(t)
		}
		if r := e.Do(xff("203.0.113.99")); r.Status != http.StatusTooManyRequests {
			t.Fatalf("an untrusted X-Forwarded-For bought a fresh budget: status %d", r.Status)
		}
	})
}

// redisFaultTimeout is the store timeout of CheckRedisFailureModes.
const redisFaultTimeout = 150 * time.Millisecond

// faultSlack is what a request may take beyond the Redis timeout (the rest
// of the request, on a loaded machine under -race).
const faultSlack = 350 * time.Millisecond

// CheckRedisFailureModes proves that with the Redis store (the BFF writes
// its rate limit state under the configured key prefix) Redis failing
// mid-run, killed or hung with its connections open, gives the configured
// behaviour within the Redis timeout: fail open answers from the replica's
// local limiter (200, a fresh budget in the headers), fail closed refuses
// with 503 RATE_LIMIT_UNAVAILABLE and Retry-After before any backend call,
// without the Redis address in the answer; the next request does not wait
// for Redis again. It skips when no redis-server is installed
// (redistest.Require).
func CheckRedisFailureModes(t *testing.T, start StartFunc) {
	t.Helper()
	redistest.Require(t)
	// go-redis logs dial failures with the address through its own global
	// logger; main routes it away (throttle.InstallRedisLogger), so do we.
	throttle.InstallRedisLogger(slog.New(slog.DiscardHandler))
	for _, mode := range []throttle.FailureMode{throttle.FailOpen, throttle.FailClosed} {
		for _, how := range []string{"killed", "hung"} {
			t.Run(string(mode)+"/"+how, func(t *testing.T) {
				rs := redistest.Start(t)
				prefix := "tandem:test:" + t.Name() + ":"
				e := start(t, func(c *gateway.Config) {
					c.Throttle.Rate.Requests = throttle.Window{Limit: 100, Period: time.Hour, Burst: 100}
					c.Throttle.Rate.Anonymous = throttle.AnonymousRates{} // the same budgets for signed-out callers
					c.Throttle.Store = throttle.StoreConfig{Kind: "redis", RedisAddr: rs.Addr,
						Timeout: redisFaultTimeout, FailureMode: mode, KeyPrefix: prefix}
				})
				r := e.Do(Request{Query: OneProduct})
				r.NoErrors(t)
				if got := r.Remaining(t, throttle.PolicyRequests); got != 99 {
					t.Fatalf("%d left, want 99", got)
				}
				assertRedisKeys(t, rs.Addr, prefix)

				if how == "killed" {
					rs.Stop()
				} else if err := rs.Pause(); err != nil {
					t.Fatal(err)
				}
				e.Mocks.Counters().Reset()
				began := time.Now()
				r = e.Do(Request{Query: OneProduct})
				elapsed := time.Since(began)
				t.Logf("Redis %s: answered in %v (timeout %v)", how, elapsed, redisFaultTimeout)
				if elapsed > redisFaultTimeout+faultSlack {
					t.Fatalf("answered after %v with Redis %s (timeout %v)", elapsed, how, redisFaultTimeout)
				}
				switch mode {
				case throttle.FailOpen:
					r.NoErrors(t)
					// The local limiter decides: a fresh budget on this replica.
					if got := r.Remaining(t, throttle.PolicyRequests); got != 99 {
						t.Fatalf("fail open: %d left, want 99 from the local limiter", got)
					}
				case throttle.FailClosed:
					if r.Status != http.StatusServiceUnavailable || r.Code() != errcode.RateLimitUnavailable || r.Header.Get("Retry-After") == "" {
						t.Fatalf("fail closed: status %d: %s", r.Status, r.Raw)
					}
					if n := e.TotalCalls(); n != 0 {
						t.Fatalf("fail closed made %d backend calls", n)
					}
					if strings.Contains(string(r.Raw), rs.Addr) {
						t.Fatalf("the response leaks the Redis address: %s", r.Raw)
					}
				}
				// The next request does not wait for Redis again.
				began = time.Now()
				e.Do(Request{Query: OneProduct})
				if el := time.Since(began); el > faultSlack {
					t.Fatalf("second request after the failure took %v", el)
				}
			})
		}
	}
}

// assertRedisKeys fails unless the BFF wrote rate limit state under prefix
// (redis_rate puts its own "rate:" in front).
func assertRedisKeys(t *testing.T, addr, prefix string) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer func() { _ = c.Close() }()
	keys, err := c.Keys(context.Background(), "*"+prefix+"*").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) == 0 {
		t.Fatalf("no rate limit keys under %q in Redis", prefix)
	}
}
