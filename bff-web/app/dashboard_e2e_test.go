package app_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tandemgw/tandem/shared/upstream"

	dto "github.com/prometheus/client_model/go"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	inventoryv1 "github.com/tandemgw/tandem/shared/gen/inventory/v1"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
	"github.com/tandemgw/tandem/shared/throttle"
)

// dashboardPath is the Grafana dashboard shipped for operators.
const dashboardPath = "../../deploy/grafana/tandem.json"

// Every PromQL query of the Grafana dashboard (panels and template
// variables) names metrics that a running bff-web serves on its admin
// listener, after the Prometheus exporter's translation (dots to
// underscores, unit suffixes, _total, _bucket/_sum/_count of histograms),
// and only labels those metrics carry. The traffic first makes every
// series exist: successes, a partial answer with retries, a circuit breaker
// opened and refusing, a rate limit refusal.
func TestDashboardQueriesNameServedMetrics(t *testing.T) {
	raw, err := os.ReadFile(dashboardPath)
	if err != nil {
		t.Fatal(err)
	}
	exprs := dashboardExprs(t, raw)
	if len(exprs) < 20 {
		t.Fatalf("only %d queries in the dashboard", len(exprs))
	}

	e := newEnv(t, func(c *app.Config) {
		c.Throttle.Rate.Requests = throttle.Window{Limit: 10, Period: time.Hour, Burst: 10}
		inv := c.Upstreams["inventory"]
		inv.Retries = -1
		// Opens once half of at least five calls have failed (the first pages'
		// stock calls succeeded), well within the six failing pages below.
		inv.Breaker = upstream.Breaker{MinRequests: 5, FailureRatio: 0.5, OpenFor: time.Minute}
		c.Upstreams["inventory"] = inv
	})
	admin := httptest.NewServer(e.App.AdminHandler())
	t.Cleanup(admin.Close)
	page := gatewaytest.Request{Query: productPageQuery, Vars: map[string]any{"id": "prd_000042"}, Token: e.Token("usr_000042")}
	e.Do(page).NoErrors(t)
	// Pricing fails every attempt: retried twice, then a partial answer.
	e.Mocks.Faults().Set("pricing", pricingv1.PricingService_BatchGetPrices_FullMethodName, mocks.Fault{Kind: mocks.FaultError, Code: 14})
	if r := e.Do(page); len(r.Errors) == 0 {
		t.Fatalf("price should fail: %s", r.Raw)
	}
	e.Mocks.Faults().ClearService("pricing")
	// Inventory fails every call: the breaker opens, and the last pages'
	// stock is refused without a call.
	e.Mocks.Faults().Set("inventory", inventoryv1.InventoryService_BatchGetStock_FullMethodName, mocks.Fault{Kind: mocks.FaultError, Code: 14})
	for i := 0; i < 6; i++ {
		if r := e.Do(page); len(r.Errors) == 0 {
			t.Fatalf("stock should fail: %s", r.Raw)
		}
	}
	e.Mocks.Faults().ClearService("inventory")
	other := e.Token("usr_000007")
	for i := 0; ; i++ {
		r := e.Do(gatewaytest.Request{Query: gatewaytest.OneProduct, Token: other})
		if r.Status == http.StatusTooManyRequests {
			break
		}
		if i > 10 {
			t.Fatal("no 429")
		}
	}

	served := servedSeries(scrape(t, admin))
	for _, expr := range exprs {
		for _, problem := range checkExpr(expr, served) {
			t.Errorf("%s\n  in: %s", problem, expr)
		}
	}
}

// dashboardExprs returns the PromQL of every panel target and every query
// template variable.
func dashboardExprs(t *testing.T, raw []byte) []string {
	t.Helper()
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
		Templating struct {
			List []struct {
				Type  string `json:"type"`
				Query any    `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			if strings.TrimSpace(tg.Expr) == "" {
				t.Errorf("panel %q has a target without a query", p.Title)
			}
			out = append(out, tg.Expr)
		}
	}
	for _, v := range d.Templating.List {
		if v.Type != "query" {
			continue
		}
		q, _ := v.Query.(map[string]any)
		s, _ := q["query"].(string)
		// label_values(metric, label) is a selector of metric and a label.
		if m := regexp.MustCompile(`^label_values\((\w+),\s*(\w+)\)$`).FindStringSubmatch(s); m != nil {
			s = "sum by (" + m[2] + ") (" + m[1] + ")"
		}
		out = append(out, s)
	}
	return out
}

// servedSeries maps every series name a scrape exposes to the label names
// its series carry (histograms expose _bucket with le, _sum and _count).
func servedSeries(fams map[string]*dto.MetricFamily) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for name, f := range fams {
		labels := map[string]bool{}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = true
			}
		}
		if f.GetType() == dto.MetricType_HISTOGRAM {
			bucket := map[string]bool{"le": true}
			for l := range labels {
				bucket[l] = true
			}
			out[name+"_bucket"], out[name+"_sum"], out[name+"_count"] = bucket, labels, labels
			continue
		}
		out[name] = labels
	}
	return out
}

var (
	selectorRe  = regexp.MustCompile(`([a-zA-Z_:][a-zA-Z0-9_:]*)\s*\{([^}]*)\}`)
	matcherRe   = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)`)
	groupingRe  = regexp.MustCompile(`\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)`)
	rangeRe     = regexp.MustCompile(`\[[^\]]*\]`)
	identRe     = regexp.MustCompile(`[a-zA-Z_:][a-zA-Z0-9_:]*(\s*\()?`)
	promqlFuncs = []string{"sum", "avg", "max", "min", "count", "rate", "irate", "increase", "histogram_quantile",
		"clamp_min", "clamp_max", "abs", "topk", "bottomk", "label_replace", "delta", "deriv", "time"}
	promqlWords = []string{"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset"}
)

// checkExpr lists what in expr the scrape does not serve: a metric name,
// or a label used in a matcher or a grouping that none of the expression's
// metrics carries. A small PromQL reader: selectors with their matchers,
// groupings, ranges, functions and Grafana's $variables.
func checkExpr(expr string, served map[string]map[string]bool) []string {
	var problems []string
	s := regexp.MustCompile(`\$\w+`).ReplaceAllString(expr, "")
	s = rangeRe.ReplaceAllString(s, "")
	metrics := map[string]bool{}
	var labelsUsed []string
	for _, m := range selectorRe.FindAllStringSubmatch(s, -1) {
		metrics[m[1]] = true
		for _, mm := range matcherRe.FindAllStringSubmatch(m[2], -1) {
			labelsUsed = append(labelsUsed, mm[1])
		}
	}
	s = selectorRe.ReplaceAllString(s, " ")
	for _, g := range groupingRe.FindAllStringSubmatch(s, -1) {
		for _, l := range strings.Split(g[2], ",") {
			if l = strings.TrimSpace(l); l != "" {
				labelsUsed = append(labelsUsed, l)
			}
		}
	}
	s = groupingRe.ReplaceAllString(s, " ")
	s = regexp.MustCompile(`"[^"]*"`).ReplaceAllString(s, " ")
	for _, id := range identRe.FindAllString(s, -1) {
		if strings.HasSuffix(id, "(") {
			if name := strings.TrimSpace(strings.TrimSuffix(id, "(")); !slices.Contains(promqlFuncs, name) && !slices.Contains(promqlWords, name) {
				problems = append(problems, "unknown function "+name)
			}
			continue
		}
		if slices.Contains(promqlWords, id) || slices.Contains(promqlFuncs, id) {
			continue
		}
		metrics[id] = true
	}
	if len(metrics) == 0 {
		problems = append(problems, "no metric found")
	}
	for m := range metrics {
		if _, ok := served[m]; !ok {
			problems = append(problems, "metric "+m+" is not served")
		}
	}
	for _, l := range labelsUsed {
		found := false
		for m := range metrics {
			if served[m][l] {
				found = true
			}
		}
		if !found {
			problems = append(problems, "label "+l+" is on none of its metrics")
		}
	}
	return problems
}

// The checker itself catches a misspelt metric, a label the metric lacks,
// and a histogram suffix on a counter.
func TestDashboardCheckerCatchesMistakes(t *testing.T) {
	served := map[string]map[string]bool{
		"graphql_operation_requests_total":            {"service_name": true, "outcome": true},
		"http_server_request_duration_seconds_bucket": {"service_name": true, "le": true},
	}
	good := `histogram_quantile(0.95, sum by (le, service_name) (rate(http_server_request_duration_seconds_bucket{service_name=~"$bff"}[$__rate_interval])))`
	if p := checkExpr(good, served); len(p) != 0 {
		t.Fatalf("good query flagged: %v", p)
	}
	for _, bad := range []string{
		`sum(rate(graphql_operation_request_total[5m]))`,
		`sum by (upstream_service) (rate(graphql_operation_requests_total[5m]))`,
		`sum(rate(graphql_operation_requests_total_bucket[5m]))`,
		`sum(rate(graphql_operation_requests_total{bff="web"}[5m]))`,
		`frobnicate(graphql_operation_requests_total)`,
	} {
		if len(checkExpr(bad, served)) == 0 {
			t.Errorf("not flagged: %s", bad)
		}
	}
}
