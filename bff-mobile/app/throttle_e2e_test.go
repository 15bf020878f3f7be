package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/throttle/redistest"
)

// httpResult is a raw answer of the BFF: status, headers and the decoded
// GraphQL body.
type httpResult struct {
	status int
	header http.Header
	raw    []byte
	body   struct {
		Data       json.RawMessage `json:"data"`
		Errors     []gqlError      `json:"errors"`
		Extensions map[string]any  `json:"extensions"`
	}
}

// send sends body to /graphql with hdr. chunked hides the length (no
// Content-Length), as a streaming client would.
func (e *env) send(body []byte, hdr http.Header, chunked bool) httpResult {
	e.T.Helper()
	var rd io.Reader = bytes.NewReader(body)
	if chunked {
		rd = io.MultiReader(rd) // unknown length: sent chunked
	}
	req, err := http.NewRequest(http.MethodPost, e.Server.URL+"/graphql", rd)
	if err != nil {
		e.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := e.Server.Client().Do(req)
	if err != nil {
		e.T.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		e.T.Fatal(err)
	}
	out := httpResult{status: resp.StatusCode, header: resp.Header, raw: raw}
	if err := json.Unmarshal(raw, &out.body); err != nil {
		e.T.Fatalf("status %d, body not JSON: %s", resp.StatusCode, raw)
	}
	return out
}

// query sends one operation with optional variables and headers.
func (e *env) query(q string, vars map[string]any, hdr http.Header) httpResult {
	e.T.Helper()
	b, err := json.Marshal(map[string]any{"query": q, "variables": vars})
	if err != nil {
		e.T.Fatal(err)
	}
	return e.send(b, hdr, false)
}

// totalCalls is the number of calls the mock backends received, every route
// (and unmatched calls) included.
func (e *env) totalCalls() int64 {
	var n int64
	for _, routes := range e.Mocks.Counters().Snapshot() {
		for _, c := range routes {
			n += c
		}
	}
	return n
}

func bearer(tok string) http.Header {
	return http.Header{"Authorization": {"Bearer " + tok}}
}

// code is extensions.code of the first error ("" when there is none).
func (r httpResult) Code() string {
	if len(r.body.Errors) == 0 {
		return ""
	}
	c, _ := r.body.Errors[0].Extensions["code"].(string)
	return c
}

// ext returns extensions[key] of the first error as an int.
func (r httpResult) ext(t *testing.T, key string) int {
	t.Helper()
	if len(r.body.Errors) == 0 {
		t.Fatalf("no error in %s", r.raw)
	}
	f, ok := r.body.Errors[0].Extensions[key].(float64)
	if !ok {
		t.Fatalf("extensions.%s missing in %s", key, r.raw)
	}
	return int(f)
}

// remaining reads r=<n> of policy from the RateLimit header.
func (r httpResult) remaining(t *testing.T, policy string) int {
	t.Helper()
	m := regexp.MustCompile(`"` + regexp.QuoteMeta(policy) + `";r=(\d+)`).FindStringSubmatch(r.header.Get("RateLimit"))
	if m == nil {
		t.Fatalf("RateLimit %q has no %s budget (status %d)", r.header.Get("RateLimit"), policy, r.status)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// costOf reads extensions.cost.<key> of a response.
func (r httpResult) costOf(t *testing.T, key string) int {
	t.Helper()
	c, ok := r.body.Extensions["cost"].(map[string]any)
	if !ok {
		t.Fatalf("no extensions.cost in %s", r.raw)
	}
	f, ok := c[key].(float64)
	if !ok {
		t.Fatalf("extensions.cost.%s missing in %s", key, r.raw)
	}
	return int(f)
}

func (r httpResult) ok(t *testing.T) {
	t.Helper()
	if r.status != http.StatusOK || len(r.body.Errors) > 0 {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
}

// --- operation limits -------------------------------------------------------

const oneProduct = `{ product(id: "prd_000001") { name } }`

// bodyOfSize is a JSON request body of exactly n bytes: a small query padded
// with a GraphQL comment (comments are not tokens, so only the size grows).
func bodyOfSize(t *testing.T, n int) []byte {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": oneProduct + "\n#"})
	pad := n - len(b)
	if pad < 0 {
		t.Fatalf("body of %d bytes is too small for the query", n)
	}
	b, _ = json.Marshal(map[string]any{"query": oneProduct + "\n#" + strings.Repeat("x", pad)})
	if len(b) != n {
		t.Fatalf("built %d bytes, want %d", len(b), n)
	}
	return b
}

// queryOfTokens has exactly n lexical tokens and few fields: the frame
// `{ product ( id : "prd_000001" ) { … } }` is 10 tokens, a field with
// `@skip(if: false) @include(if: true)` 15, a bare field 1.
func queryOfTokens(n int) string {
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

// queryOfAliases aliases n fields of one product.
func queryOfAliases(n int) string {
	var sb strings.Builder
	sb.WriteString(`{ product(id: "prd_000001") {`)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, " a%d: name", i)
	}
	sb.WriteString(" } }")
	return sb.String()
}

// queryOfRootFields asks for n different products at the root, as a page
// showing n products would.
func queryOfRootFields(n int) string {
	var sb strings.Builder
	sb.WriteString("{")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&sb, ` p%d: product(id: "prd_%06d") { name }`, i, i)
	}
	sb.WriteString(" }")
	return sb.String()
}

// queryOfFields selects n fields in all: product and n-1 selections of
// its name (valid GraphQL, merged at execution; counted as written, which
// is what a field-duplication attack relies on).
func queryOfFields(n int) string {
	return `{ product(id: "prd_000001") {` + strings.Repeat(" name", n-1) + " } }"
}

// queryOfDirectives puts n directives on one field (only @skip and
// @include apply to fields; more must repeat them).
func queryOfDirectives(n int) string {
	ds := []string{"@include(if: true)", "@skip(if: false)"}
	var sb strings.Builder
	sb.WriteString(`{ product(id: "prd_000001") { name`)
	for i := 0; i < n; i++ {
		sb.WriteString(" " + ds[i%2])
	}
	sb.WriteString(" } }")
	return sb.String()
}

// limitCase is one operation limit with a query builder for a given size.
type limitCase struct {
	limit string // extensions.limit
	max   int
	build func(n int) string
	env   *env // nil: the shared env at the mobile defaults
}

// Each limit of the shipped mobile defaults: the query one over is refused
// with OPERATION_LIMIT_EXCEEDED {limit, max, actual} and no backend sees a
// call; the query exactly at the limit runs and reaches the catalog. The
// depth limit is checked at a lowered value (mobileDepthLimit) that real
// fields can exceed.
func TestOperationLimitsAtMobileDefaults(t *testing.T) {
	e := newEnv(t, nil)
	op := app.Default().Throttle.Operation
	if op.MaxDepth <= mobileDepthLimit {
		t.Fatalf("mobile default depth limit %d is not above the lowered %d", op.MaxDepth, mobileDepthLimit)
	}
	shallow := newEnv(t, func(c *app.Config) { c.Throttle.Operation.MaxDepth = mobileDepthLimit })
	cases := []limitCase{
		{throttle.LimitTokens, op.MaxTokens, queryOfTokens, nil},
		{throttle.LimitDepth, mobileDepthLimit, queryOfDepth, shallow},
		{throttle.LimitAliases, op.MaxAliases, queryOfAliases, nil},
		{throttle.LimitRootFields, op.MaxRootFields, queryOfRootFields, nil},
		{throttle.LimitFields, op.MaxFields, queryOfFields, nil},
	}
	for _, c := range cases {
		t.Run(c.limit, func(t *testing.T) {
			e := e
			if c.env != nil {
				e = c.env
			}
			e.T = t
			if c.max <= 0 {
				t.Fatalf("mobile default for %s is off", c.limit)
			}
			e.Mocks.Counters().Reset()
			over := e.query(c.build(c.max+1), nil, nil)
			if over.status != http.StatusUnprocessableEntity || over.Code() != throttle.CodeOperationLimit {
				t.Fatalf("over the limit: status %d: %s", over.status, over.raw)
			}
			if got, _ := over.body.Errors[0].Extensions["limit"].(string); got != c.limit {
				t.Fatalf("limit = %q, want %q: %s", got, c.limit, over.raw)
			}
			if over.ext(t, "max") != c.max || over.ext(t, "actual") != c.max+1 {
				t.Fatalf("max/actual wrong, want %d/%d: %s", c.max, c.max+1, over.raw)
			}
			if len(over.body.Data) > 0 && string(over.body.Data) != "null" {
				t.Fatalf("a refused operation has data: %s", over.raw)
			}
			if n := e.totalCalls(); n != 0 {
				t.Fatalf("a refused operation made %d backend calls", n)
			}
			under := e.query(c.build(c.max), nil, nil)
			under.ok(t)
			if e.Mocks.Counters().Total("catalog") == 0 {
				t.Fatal("the operation at the limit did not reach the catalog")
			}
		})
	}
}

// The body limit is enforced before anything reads the body, with a
// declared length (413 naming the actual size) and without one (chunked:
// the read stops at the limit); a body of exactly the limit runs.
func TestBodyLimitAtMobileDefault(t *testing.T) {
	e := newEnv(t, nil)
	maxBytes := int(app.Default().Throttle.Operation.MaxBodyBytes)
	for _, chunked := range []bool{false, true} {
		t.Run(fmt.Sprintf("chunked=%v", chunked), func(t *testing.T) {
			e.T = t
			e.Mocks.Counters().Reset()
			over := e.send(bodyOfSize(t, maxBytes+1), nil, chunked)
			if over.status != http.StatusRequestEntityTooLarge || over.Code() != throttle.CodeOperationLimit {
				t.Fatalf("status %d: %s", over.status, over.raw)
			}
			if l, _ := over.body.Errors[0].Extensions["limit"].(string); l != throttle.LimitBodyBytes || over.ext(t, "max") != maxBytes {
				t.Fatalf("wrong limit: %s", over.raw)
			}
			if !chunked && over.ext(t, "actual") != maxBytes+1 {
				t.Fatalf("actual size missing: %s", over.raw)
			}
			if n := e.totalCalls(); n != 0 {
				t.Fatalf("an oversized body made %d backend calls", n)
			}
			e.send(bodyOfSize(t, maxBytes), nil, chunked).ok(t)
			if e.totalCalls() == 0 {
				t.Fatal("the body at the limit did not reach the catalog")
			}
		})
	}
}

// Batches are refused outright, even a batch of one; a single operation
// (the same one) runs.
func TestBatchesRefusedOnMobile(t *testing.T) {
	e := newEnv(t, nil)
	one := map[string]any{"query": oneProduct}
	for _, n := range []int{2, 1} {
		batch := make([]any, n)
		for i := range batch {
			batch[i] = one
		}
		b, _ := json.Marshal(batch)
		r := e.send(b, nil, false)
		if r.status != http.StatusBadRequest || r.Code() != throttle.CodeBatchNotSupported {
			t.Fatalf("batch of %d: status %d: %s", n, r.status, r.raw)
		}
	}
	if n := e.totalCalls(); n != 0 {
		t.Fatalf("refused batches made %d backend calls", n)
	}
	b, _ := json.Marshal(one)
	e.send(b, nil, false).ok(t)
	if e.totalCalls() == 0 {
		t.Fatal("the single operation did not reach the catalog")
	}
}

// Directives per field: only @skip and @include apply to fields and neither
// repeats, so a document over the shipped limit (2) is refused by
// validation before any limit runs, never reaching a backend. With the
// limit lowered to 1 the limit itself refuses a field with two directives
// and lets one through.
func TestDirectivesPerFieldLimitOnMobile(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		e := newEnv(t, nil)
		maxD := app.Default().Throttle.Operation.MaxDirectivesPerField
		over := e.query(queryOfDirectives(maxD+1), nil, nil)
		if over.status != http.StatusUnprocessableEntity || over.Code() != "GRAPHQL_VALIDATION_FAILED" {
			t.Fatalf("status %d: %s", over.status, over.raw)
		}
		if n := e.totalCalls(); n != 0 {
			t.Fatalf("a refused operation made %d backend calls", n)
		}
		e.query(queryOfDirectives(2), nil, nil).ok(t)
	})
	t.Run("lowered", func(t *testing.T) {
		e := newEnv(t, func(c *app.Config) { c.Throttle.Operation.MaxDirectivesPerField = 1 })
		over := e.query(queryOfDirectives(2), nil, nil)
		if over.status != http.StatusUnprocessableEntity || over.Code() != throttle.CodeOperationLimit {
			t.Fatalf("status %d: %s", over.status, over.raw)
		}
		if l, _ := over.body.Errors[0].Extensions["limit"].(string); l != throttle.LimitDirectivesPerField || over.ext(t, "actual") != 2 {
			t.Fatalf("wrong limit: %s", over.raw)
		}
		if n := e.totalCalls(); n != 0 {
			t.Fatalf("a refused operation made %d backend calls", n)
		}
		e.query(queryOfDirectives(1), nil, nil).ok(t)
		if e.totalCalls() == 0 {
			t.Fatal("the operation at the limit did not reach the catalog")
		}
	})
}

// Outside dev mode validation errors do not suggest field names (which
// would let a caller map the schema with introspection off); dev mode does.
func TestNoFieldSuggestionsOutsideDevOnMobile(t *testing.T) {
	const typo = `{ product(id: "prd_000001") { nam } }`
	for _, dev := range []bool{false, true} {
		e := newEnv(t, func(c *app.Config) { c.Dev = dev })
		r := e.query(typo, nil, nil)
		if r.status != http.StatusUnprocessableEntity || len(r.body.Errors) == 0 {
			t.Fatalf("dev=%v: status %d: %s", dev, r.status, r.raw)
		}
		suggests := strings.Contains(strings.ToLower(string(r.raw)), "did you mean")
		if suggests != dev {
			t.Fatalf("dev=%v: suggestions=%v: %s", dev, suggests, r.raw)
		}
		if n := e.totalCalls(); n != 0 {
			t.Fatalf("an invalid operation made %d backend calls", n)
		}
	}
}

// --- cost ------------------------------------------------------------------

const searchOf = `query($n: Int!) { search(query: "a", first: $n) { nodes { id name } } }`

// searchCost is the static cost of searchOf: search weighs 2 and returns n
// product cards of 1.
func searchCost(n int) int { return 2 + n }

// An operation over the mobile ceiling (1000) is refused with its cost and
// the ceiling in extensions, before any backend call. Pages are at most 20
// on this surface, so only an abusive page size gets there; a legitimate
// search runs and reports its cost; every response carries extensions.cost.
func TestCostCeilingOnMobile(t *testing.T) {
	e := newEnv(t, nil)
	maxCost := app.Default().Throttle.Cost.MaxCost
	n := maxCost - 1 // searchCost(n) = maxCost+1

	over := e.query(searchOf, map[string]any{"n": n}, nil)
	if over.status != http.StatusUnprocessableEntity || over.Code() != throttle.CodeCostLimit {
		t.Fatalf("status %d: %s", over.status, over.raw)
	}
	if over.ext(t, "cost") != searchCost(n) || over.ext(t, "max") != maxCost {
		t.Fatalf("want cost %d max %d: %s", searchCost(n), maxCost, over.raw)
	}
	if over.costOf(t, "requested") != searchCost(n) {
		t.Fatalf("extensions.cost of the refused operation: %s", over.raw)
	}
	if c := e.totalCalls(); c != 0 {
		t.Fatalf("an operation over the cost ceiling made %d backend calls", c)
	}

	under := e.query(searchOf, map[string]any{"n": 20}, nil)
	under.ok(t)
	if under.costOf(t, "requested") != searchCost(20) || under.costOf(t, "max") != maxCost {
		t.Fatalf("extensions.cost: %s", under.raw)
	}
	if a := under.costOf(t, "actual"); a <= 0 || a > searchCost(20) {
		t.Fatalf("extensions.cost.actual = %d: %s", a, under.raw)
	}

	cheap := e.query(oneProduct, nil, nil)
	cheap.ok(t)
	if cheap.costOf(t, "requested") != 1 {
		t.Fatalf("cost of one product: %s", cheap.raw)
	}
	missing := e.query(`{ product(id: "prd_999999") { name } }`, nil, nil)
	if len(missing.body.Errors) == 0 || missing.costOf(t, "requested") != 1 {
		t.Fatalf("field error response: %s", missing.raw)
	}
}

// The points budget is spent by each operation's cost: the remaining points
// drop by exactly the cost of each operation, so costlier operations
// exhaust the budget in fewer requests; the operation that no longer fits
// is refused with 429 RATE_LIMITED (points) before any backend call, while
// a cheaper one still fits.
func TestPointsBudgetDrainsByCostOnMobile(t *testing.T) {
	const burst = 1000
	e := newEnv(t, func(c *app.Config) {
		// A day-long window: the budget refills by one point every 86s, so
		// nothing refills during the test and the arithmetic is exact.
		c.Throttle.Rate.Points = throttle.Window{Limit: burst, Period: 24 * time.Hour, Burst: burst}
		c.Throttle.Cost.MaxCost = burst
	})
	const expensive = `{ search(query: "a", first: 20) { nodes { name } } }`

	cheap := e.query(oneProduct, nil, nil)
	cheap.ok(t)
	c1 := cheap.costOf(t, "requested")
	left := cheap.remaining(t, throttle.PolicyPoints)
	if left != burst-c1 {
		t.Fatalf("after a cost-%d operation %d points left, want %d", c1, left, burst-c1)
	}

	exp := e.query(expensive, nil, nil)
	exp.ok(t)
	c2 := exp.costOf(t, "requested")
	if c2 <= 10*c1 {
		t.Fatalf("expensive operation costs %d, cheap %d", c2, c1)
	}
	if got := exp.remaining(t, throttle.PolicyPoints); got != left-c2 {
		t.Fatalf("after a cost-%d operation %d points left, want %d", c2, got, left-c2)
	}
	left -= c2

	accepted := 0
	for {
		r := e.query(expensive, nil, nil)
		if r.status == http.StatusTooManyRequests {
			if r.Code() != throttle.CodeRateLimited {
				t.Fatalf("429 without RATE_LIMITED: %s", r.raw)
			}
			if p, _ := r.body.Errors[0].Extensions["policy"].(string); p != throttle.PolicyPoints {
				t.Fatalf("refused by %q, want points: %s", p, r.raw)
			}
			if ra, err := strconv.Atoi(r.header.Get("Retry-After")); err != nil || ra < 1 {
				t.Fatalf("Retry-After = %q", r.header.Get("Retry-After"))
			}
			break
		}
		r.ok(t)
		accepted++
		left -= c2
		if got := r.remaining(t, throttle.PolicyPoints); got != left {
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
	refused := e.query(expensive, nil, nil)
	if refused.status != http.StatusTooManyRequests || e.totalCalls() != 0 {
		t.Fatalf("status %d, %d backend calls", refused.status, e.totalCalls())
	}
	// What is left still pays for cheap operations, one by one.
	for i := 0; i < left/c1; i++ {
		e.query(oneProduct, nil, nil).ok(t)
	}
	if r := e.query(oneProduct, nil, nil); r.status != http.StatusTooManyRequests {
		t.Fatalf("budget spent, yet status %d: %s", r.status, r.raw)
	}
}

// --- request rate limits ---------------------------------------------------

// Request budgets through the real BFF: every response carries the policy
// and the remaining budget; the request over the budget is 429 with
// Retry-After and RATE_LIMITED and reaches no backend. Budgets are per JWT
// subject (two users from the identity provider do not share), and
// anonymous callers are keyed by their IP, apart from both users.
func TestRequestRateLimitPerSubjectOnMobile(t *testing.T) {
	const limit = 3
	e := newEnv(t, func(c *app.Config) {
		c.Throttle.Rate.Requests = throttle.Window{Limit: limit, Period: time.Hour, Burst: limit}
	})
	alice, bob := bearer(e.Token("usr_000001")), bearer(e.Token("usr_000002"))

	for i := 1; i <= limit; i++ {
		r := e.query(oneProduct, nil, alice)
		r.ok(t)
		if got := r.header.Get("RateLimit-Policy"); !strings.Contains(got, `"requests";q=3;w=3600`) {
			t.Fatalf("RateLimit-Policy = %q", got)
		}
		if got := r.remaining(t, throttle.PolicyRequests); got != limit-i {
			t.Fatalf("request %d: %d left, want %d", i, got, limit-i)
		}
	}
	e.Mocks.Counters().Reset()
	over := e.query(oneProduct, nil, alice)
	if over.status != http.StatusTooManyRequests || over.Code() != throttle.CodeRateLimited {
		t.Fatalf("status %d: %s", over.status, over.raw)
	}
	if p, _ := over.body.Errors[0].Extensions["policy"].(string); p != throttle.PolicyRequests {
		t.Fatalf("policy %q: %s", p, over.raw)
	}
	ra, err := strconv.Atoi(over.header.Get("Retry-After"))
	if err != nil || ra < 1 || ra > 3600 || over.ext(t, "retryAfter") != ra {
		t.Fatalf("Retry-After %q, extensions %s", over.header.Get("Retry-After"), over.raw)
	}
	if over.header.Get("RateLimit-Policy") == "" || over.remaining(t, throttle.PolicyRequests) != 0 {
		t.Fatalf("429 without rate limit headers: %v", over.header)
	}
	if n := e.totalCalls(); n != 0 {
		t.Fatalf("a rate limited request made %d backend calls", n)
	}

	// Another user, and an anonymous caller, have budgets of their own.
	r := e.query(oneProduct, nil, bob)
	r.ok(t)
	if got := r.remaining(t, throttle.PolicyRequests); got != limit-1 {
		t.Fatalf("second user: %d left, want %d", got, limit-1)
	}
	for i := 1; i <= limit; i++ {
		r := e.query(oneProduct, nil, nil)
		r.ok(t)
		if got := r.remaining(t, throttle.PolicyRequests); got != limit-i {
			t.Fatalf("anonymous %d: %d left, want %d", i, got, limit-i)
		}
	}
	if r := e.query(oneProduct, nil, nil); r.status != http.StatusTooManyRequests {
		t.Fatalf("anonymous over budget: status %d", r.status)
	}
	// The anonymous budget of 127.0.0.1 is spent; the users' are not.
	e.query(oneProduct, nil, bob).ok(t)
}

// Anonymous callers are keyed by client IP: behind a trusted proxy each
// forwarded client has its own budget, and a forged X-Forwarded-For entry
// left of the proxy's does not buy a fresh one. Without trusted proxies the
// header is ignored and every caller on 127.0.0.1 shares one budget.
func TestRequestRateLimitPerClientIPOnMobile(t *testing.T) {
	const limit = 2
	xff := func(v string) http.Header { return http.Header{"X-Forwarded-For": {v}} }
	t.Run("trusted proxy", func(t *testing.T) {
		e := newEnv(t, func(c *app.Config) {
			c.Throttle.Rate.Requests = throttle.Window{Limit: limit, Period: time.Hour, Burst: limit}
			c.Throttle.Rate.TrustedProxies = []string{"127.0.0.1/32"}
		})
		for i := 0; i < limit; i++ {
			e.query(oneProduct, nil, xff("203.0.113.7")).ok(t)
		}
		if r := e.query(oneProduct, nil, xff("198.51.100.1, 203.0.113.7")); r.status != http.StatusTooManyRequests {
			t.Fatalf("forged X-Forwarded-For escaped the limit: status %d", r.status)
		}
		r := e.query(oneProduct, nil, xff("203.0.113.8"))
		r.ok(t)
		if got := r.remaining(t, throttle.PolicyRequests); got != limit-1 {
			t.Fatalf("second client: %d left", got)
		}
	})
	t.Run("no trusted proxy", func(t *testing.T) {
		e := newEnv(t, func(c *app.Config) {
			c.Throttle.Rate.Requests = throttle.Window{Limit: limit, Period: time.Hour, Burst: limit}
		})
		for i := 0; i < limit; i++ {
			e.query(oneProduct, nil, xff(fmt.Sprintf("203.0.113.%d", i+1))).ok(t)
		}
		if r := e.query(oneProduct, nil, xff("203.0.113.99")); r.status != http.StatusTooManyRequests {
			t.Fatalf("an untrusted X-Forwarded-For bought a fresh budget: status %d", r.status)
		}
	})
}

// --- Redis failure ---------------------------------------------------------

// redisFaultTimeout is the store timeout of the fault tests.
const redisFaultTimeout = 150 * time.Millisecond

// faultSlack is what a request may take beyond the Redis timeout (the rest
// of the request, on a loaded machine under -race).
const faultSlack = 350 * time.Millisecond

// With the Redis store, Redis failing mid-run (killed, or hung with its
// connections open) gives the configured behaviour within the Redis
// timeout: fail open answers from the replica's local limiter (200, budget
// headers), fail closed refuses with 503 RATE_LIMIT_UNAVAILABLE and
// Retry-After before any backend call.
func TestRedisFailureModesOnMobile(t *testing.T) {
	redistest.Require(t)
	// go-redis logs dial failures with the address through its own global
	// logger; main routes it away (throttle.InstallRedisLogger), so do we.
	throttle.InstallRedisLogger(slog.New(slog.DiscardHandler))
	for _, mode := range []throttle.FailureMode{throttle.FailOpen, throttle.FailClosed} {
		for _, how := range []string{"killed", "hung"} {
			t.Run(string(mode)+"/"+how, func(t *testing.T) {
				rs := redistest.Start(t)
				prefix := "tandem:test:" + t.Name() + ":"
				e := newEnv(t, func(c *app.Config) {
					c.Throttle.Rate.Requests = throttle.Window{Limit: 100, Period: time.Hour, Burst: 100}
					c.Throttle.Store = throttle.StoreConfig{Kind: "redis", RedisAddr: rs.Addr,
						Timeout: redisFaultTimeout, FailureMode: mode, KeyPrefix: prefix}
				})
				r := e.query(oneProduct, nil, nil)
				r.ok(t)
				if got := r.remaining(t, throttle.PolicyRequests); got != 99 {
					t.Fatalf("%d left, want 99", got)
				}
				assertRedisKeys(t, rs.Addr, prefix)

				if how == "killed" {
					rs.Stop()
				} else if err := rs.Pause(); err != nil {
					t.Fatal(err)
				}
				e.Mocks.Counters().Reset()
				start := time.Now()
				r = e.query(oneProduct, nil, nil)
				elapsed := time.Since(start)
				t.Logf("Redis %s: answered in %v (timeout %v)", how, elapsed, redisFaultTimeout)
				if elapsed > redisFaultTimeout+faultSlack {
					t.Fatalf("answered after %v with Redis %s (timeout %v)", elapsed, how, redisFaultTimeout)
				}
				switch mode {
				case throttle.FailOpen:
					r.ok(t)
					// The local limiter decides: a fresh budget on this replica.
					if got := r.remaining(t, throttle.PolicyRequests); got != 99 {
						t.Fatalf("fail open: %d left, want 99 from the local limiter", got)
					}
				case throttle.FailClosed:
					if r.status != http.StatusServiceUnavailable || r.Code() != throttle.CodeRateLimitUnavailable || r.header.Get("Retry-After") == "" {
						t.Fatalf("fail closed: status %d: %s", r.status, r.raw)
					}
					if n := e.totalCalls(); n != 0 {
						t.Fatalf("fail closed made %d backend calls", n)
					}
					if strings.Contains(string(r.raw), rs.Addr) {
						t.Fatalf("the response leaks the Redis address: %s", r.raw)
					}
				}
				// The next request does not wait for Redis again.
				start = time.Now()
				e.query(oneProduct, nil, nil)
				if el := time.Since(start); el > faultSlack {
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
