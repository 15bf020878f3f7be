package app_test

// What an operator sees of bff-web: the access log line of each request,
// the metrics on the admin listener. Both through the real handler against
// the in-process mocks.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
	"github.com/tandemgw/tandem/shared/throttle"
)

// operatorsEnv is bff-web with a small request budget per principal (so a
// 429 is a few requests away) and its loaders' batches.
func operatorsEnv(t *testing.T, tweak func(*app.Config)) *env {
	return newEnv(t, func(c *app.Config) {
		c.Throttle.Rate.Requests = throttle.Window{Limit: 3, Period: time.Hour, Burst: 3}
		if tweak != nil {
			tweak(c)
		}
	})
}

// lastAccessLine is the access log line of the request just answered: the
// line is written before the response is complete, so it is there once Do
// returns.
func lastAccessLine(t *testing.T, e *env) map[string]any {
	t.Helper()
	lines := e.Logs.AccessLines(t)
	if len(lines) == 0 {
		t.Fatal("no access log line")
	}
	return lines[len(lines)-1]
}

// field reads a log field as a string (numbers as JSON would print them).
func field(line map[string]any, key string) string {
	v, ok := line[key]
	if !ok {
		return "<absent>"
	}
	if f, ok := v.(float64); ok {
		return fmt.Sprint(f)
	}
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// wantFields fails unless line holds each key with the value given
// ("<absent>" for a key that must not be there).
func wantFields(t *testing.T, line map[string]any, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := field(line, k); got != v {
			t.Errorf("%s = %s, want %s\nline: %v", k, got, v, line)
		}
	}
}

// deeper nests one level past the web depth limit, as a named operation.
func deeper() string {
	return "query TooDeep " + queryOfDepth(app.Default().Throttle.Operation.MaxDepth+1)
}

// One line per request, once the response is done, with the fields an
// operator needs: trace id, BFF, operation, subject (never the token),
// client address and application, status, outcome and error codes,
// duration, bytes out, cost, and the calls made to each backend (the
// mocks' own counters agree). A successful, a partial, and refused (401,
// 400, 429) requests; no key appears twice in a line.
func TestAccessLogLines(t *testing.T) {
	e := operatorsEnv(t, noRetries)
	token := e.Token("usr_000042")

	// Successful, continuing the client's trace, from a named client app.
	r := e.Do(gatewaytest.Request{
		Query: productPageQuery, Vars: map[string]any{"id": "prd_000042"}, Token: token,
		// identity: the body as received is the body as sent, so its size
		// is the bytes the log line counts.
		Header: http.Header{"Traceparent": {clientTraceparent}, "Apollographql-Client-Name": {"web-shop"}, "Accept-Encoding": {"identity"}},
	})
	r.NoErrors(t)
	line := lastAccessLine(t, e)
	wantFields(t, line, map[string]string{
		"msg": "request", "level": "INFO", "bff": "bff-web", "trace_id": clientTraceID,
		"http.request.method": "POST", "http.response.status_code": "200",
		"http.response.body.size": fmt.Sprint(len(r.Raw)),
		"graphql.operation.name":  "ProductPage", "graphql.operation.type": "query",
		"subject": "usr_000042", "client.app": "web-shop", "client.address": "127.0.0.1",
		"outcome": "ok", "error.codes": "<absent>", "graphql.document.id": "<absent>",
		"service": "<absent>", "cost.requested": field(r.Extensions["cost"].(map[string]any), "requested"),
	})
	if d, ok := line["duration_ms"].(float64); !ok || d <= 0 {
		t.Errorf("duration_ms %v", line["duration_ms"])
	}
	wantUpstreamCalls(t, e, line)

	// Partial: pricing is down; the price is null, the rest is answered.
	e.Mocks.Counters().Reset()
	e.Mocks.Faults().Set("pricing", pricingv1.PricingService_BatchGetPrices_FullMethodName,
		mocks.Fault{Kind: mocks.FaultError, Code: 14})
	r = e.Do(gatewaytest.Request{Query: productPageQuery, Vars: map[string]any{"id": "prd_000042"}, Token: token})
	e.Mocks.Faults().ClearService("pricing")
	if r.Status != http.StatusOK || len(r.Errors) != 1 {
		t.Fatalf("partial: status %d: %s", r.Status, r.Raw)
	}
	line = lastAccessLine(t, e)
	wantFields(t, line, map[string]string{
		"http.response.status_code": "200", "outcome": "partial", "error.codes": `["UPSTREAM_UNAVAILABLE"]`,
		"graphql.operation.name": "ProductPage", "subject": "usr_000042",
	})
	wantUpstreamCalls(t, e, line)
	// The failure's own line names the backend as upstream.service, next
	// to the gateway's bff, and never as a second "service".
	var failure map[string]any
	for _, rec := range e.Logs.Records(t) {
		if rec["msg"] == "upstream failure" {
			failure = rec
		}
	}
	if failure == nil {
		t.Fatal("no upstream failure line")
	}
	wantFields(t, failure, map[string]string{"bff": "bff-web", "upstream.service": "pricing", "service": "<absent>"})

	// Refused with 401: an expired token. No subject, no operation, no call.
	expired, err := e.IdP.Mint("usr_000042", nil, time.Hour, map[string]any{"exp": time.Now().Add(-time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	r = e.Do(gatewaytest.Request{Query: productPageQuery, Vars: map[string]any{"id": "prd_000042"}, Token: expired})
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("expired token: status %d", r.Status)
	}
	wantFields(t, lastAccessLine(t, e), map[string]string{
		"http.response.status_code": "401", "outcome": "refused", "error.codes": `["UNAUTHENTICATED"]`,
		"subject": "<absent>", "graphql.operation.name": "<absent>", "upstream.calls": "<absent>",
		"http.response.body.size": fmt.Sprint(len(r.Raw)),
	})

	// Refused before execution: over the depth limit, anonymous (400, a
	// request error, for a client accepting application/graphql-response+json).
	r = e.Do(gatewaytest.Request{Query: deeper()})
	if r.Status != http.StatusBadRequest {
		t.Fatalf("too deep: status %d: %s", r.Status, r.Raw)
	}
	wantFields(t, lastAccessLine(t, e), map[string]string{
		"http.response.status_code": "400", "outcome": "refused", "error.codes": `["OPERATION_LIMIT_EXCEEDED"]`,
		"graphql.operation.name": "TooDeep", "graphql.operation.type": "query", "subject": "<absent>",
		"upstream.calls": "<absent>",
	})

	// Refused with 429: another user spends the request budget (3).
	other := e.Token("usr_000007")
	for i := 0; ; i++ {
		r = e.Do(gatewaytest.Request{Query: `query One { product(id: "prd_000001") { name } }`, Token: other})
		if r.Status == http.StatusTooManyRequests {
			break
		}
		if i == 3 {
			t.Fatalf("no 429 after %d requests", i+1)
		}
	}
	wantFields(t, lastAccessLine(t, e), map[string]string{
		"http.response.status_code": "429", "outcome": "refused", "error.codes": `["RATE_LIMITED"]`,
		"subject": "usr_000007", "graphql.operation.name": "<absent>", "upstream.calls": "<absent>",
	})
}

// wantUpstreamCalls checks line's upstream.calls against the calls the
// mocks counted since their counters were last reset.
func wantUpstreamCalls(t *testing.T, e *env, line map[string]any) {
	t.Helper()
	calls, _ := line["upstream.calls"].(map[string]any)
	want := map[string]float64{}
	for svc, routes := range e.Mocks.Counters().Snapshot() {
		for _, n := range routes {
			want[svc] += float64(n)
		}
		if want[svc] == 0 {
			delete(want, svc)
		}
	}
	got := map[string]float64{}
	for svc, n := range calls {
		got[svc], _ = n.(float64)
	}
	if len(want) == 0 || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("upstream.calls %v, the mocks counted %v", got, want)
	}
}

// scrape GETs /metrics from the admin listener and parses it.
func scrape(t *testing.T, admin *httptest.Server) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := admin.Client().Get(admin.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin /metrics: %d", resp.StatusCode)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return fams
}

// sample sums the value of name's series whose labels include labels
// (counter or gauge value, histogram count).
func sample(fams map[string]*dto.MetricFamily, name string, labels map[string]string) (float64, bool) {
	f, ok := fams[name]
	if !ok {
		return 0, false
	}
	sum, found := 0.0, false
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		found = true
		switch {
		case m.Counter != nil:
			sum += m.GetCounter().GetValue()
		case m.Gauge != nil:
			sum += m.GetGauge().GetValue()
		case m.Histogram != nil:
			sum += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return sum, found
}

// After known traffic (two product pages, one with pricing down and
// retried, and refusals: 401, 413, a request error, a batch, 429) the admin listener's
// /metrics counts each request by operation, outcome and code, refused
// ones included; HTTP-level series by status; and per backend the calls
// (as the mocks counted them), errors by code, retries, client latency
// series, batch sizes and breaker state; rate-limit decisions; nothing in
// flight. The public port answers 404 for /metrics.
func TestMetricsOnAdminListener(t *testing.T) {
	e := operatorsEnv(t, nil)
	admin := httptest.NewServer(e.App.AdminHandler())
	t.Cleanup(admin.Close)
	token := e.Token("usr_000042")
	page := gatewaytest.Request{Query: productPageQuery, Vars: map[string]any{"id": "prd_000042"}, Token: token}

	e.Do(page).NoErrors(t)
	e.Mocks.Faults().Set("pricing", pricingv1.PricingService_BatchGetPrices_FullMethodName,
		mocks.Fault{Kind: mocks.FaultError, Code: 14})
	if r := e.Do(page); len(r.Errors) != 1 {
		t.Fatalf("want one error with pricing down: %s", r.Raw)
	}
	e.Mocks.Faults().ClearService("pricing")
	if r := e.Do(gatewaytest.Request{Query: productPageQuery, Vars: map[string]any{"id": "prd_000042"},
		Header: http.Header{"Authorization": {"Bearer not.a.token"}}}); r.Status != http.StatusUnauthorized {
		t.Fatalf("401 expected, got %d", r.Status)
	}
	if r := e.Do(gatewaytest.Request{Query: deeper()}); r.Status != http.StatusBadRequest {
		t.Fatalf("400 expected, got %d", r.Status)
	}
	batch, _ := json.Marshal([]any{map[string]any{"query": gatewaytest.OneProduct}})
	if r := e.Do(gatewaytest.Request{Body: batch}); r.Status != http.StatusBadRequest {
		t.Fatalf("400 expected, got %d", r.Status)
	}
	big := `{"query":"{ __typename }","variables":{"pad":"` + strings.Repeat("x", int(app.Default().Throttle.Operation.MaxBodyBytes)) + `"}}`
	if r := e.Do(gatewaytest.Request{Body: []byte(big)}); r.Status != http.StatusRequestEntityTooLarge {
		t.Fatalf("413 expected, got %d", r.Status)
	}
	// The third request of usr_000042 (the 401 never reached the limiter)
	// is the last of the budget; the fourth is refused.
	e.Do(gatewaytest.Request{Query: `{ product(id: "prd_000001") { name } }`, Token: token}).NoErrors(t)
	if r := e.Do(page); r.Status != http.StatusTooManyRequests {
		t.Fatalf("429 expected, got %d: %s", r.Status, r.Raw)
	}

	// The public port has no metrics and no profiler.
	for _, path := range []string{"/metrics", "/debug/pprof/"} {
		resp, err := e.Server.Client().Get(e.Server.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("public %s: %d, want 404", path, resp.StatusCode)
		}
	}

	fams := scrape(t, admin)
	bff := map[string]string{"service_name": "bff-web"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range bff {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	want := func(name string, labels map[string]string, n float64) {
		t.Helper()
		got, ok := sample(fams, name, labels)
		if !ok || got != n {
			t.Errorf("%s%v = %v (found %v), want %v", name, labels, got, ok, n)
		}
	}
	atLeast := func(name string, labels map[string]string, n float64) {
		t.Helper()
		if got, _ := sample(fams, name, labels); got < n {
			t.Errorf("%s%v = %v, want at least %v", name, labels, got, n)
		}
	}

	// Requests by operation, outcome and first error code.
	req := "graphql_operation_requests_total"
	want(req, with("graphql_operation_name", "ProductPage", "outcome", "ok"), 1)
	want(req, with("graphql_operation_name", "ProductPage", "outcome", "partial", "error_type", "UPSTREAM_UNAVAILABLE"), 1)
	want(req, with("graphql_operation_name", "unknown", "outcome", "refused", "error_type", "UNAUTHENTICATED"), 1)
	want(req, with("graphql_operation_name", "TooDeep", "outcome", "refused", "error_type", "OPERATION_LIMIT_EXCEEDED"), 1)
	want(req, with("graphql_operation_name", "unknown", "outcome", "refused", "error_type", "BATCH_NOT_SUPPORTED"), 1)
	want(req, with("graphql_operation_name", "unknown", "outcome", "refused", "error_type", "OPERATION_LIMIT_EXCEEDED"), 1)
	want(req, with("graphql_operation_name", "unknown", "outcome", "refused", "error_type", "RATE_LIMITED"), 1)
	want(req, with("graphql_operation_name", "anonymous", "outcome", "ok"), 1)
	want(req, bff, 8)
	want("graphql_operation_duration_seconds", with("graphql_operation_name", "ProductPage", "outcome", "ok"), 1)
	want("graphql_operation_errors_total", with("graphql_operation_name", "ProductPage", "error_type", "UPSTREAM_UNAVAILABLE"), 1)
	want("graphql_operation_cost", with("graphql_operation_name", "ProductPage", "cost_kind", "requested"), 2)

	// HTTP level: every request, by status.
	httpDur := "http_server_request_duration_seconds"
	for status, n := range map[string]float64{"200": 3, "401": 1, "400": 2, "413": 1, "429": 1} {
		want(httpDur, with("http_response_status_code", status, "http_route", "/graphql", "http_request_method", "POST"), n)
	}
	want("http_server_active_requests", bff, 0)

	// Per backend: the gateway's calls are the mocks' calls; pricing's
	// failure was retried twice (BatchGetPrices is idempotent).
	counted := e.Mocks.Counters().Snapshot()
	for _, svc := range []string{"catalog", "pricing", "inventory", "reviews"} {
		var n float64
		for _, c := range counted[svc] {
			n += float64(c)
		}
		if n == 0 {
			t.Fatalf("%s was never called", svc)
		}
		var attempts float64
		calls, _ := sample(fams, "tandem_upstream_call_duration_seconds", with("upstream_service", svc))
		retries, _ := sample(fams, "tandem_upstream_retries_total", with("upstream_service", svc))
		attempts = calls + retries
		if attempts != n {
			t.Errorf("%s: %v calls + %v retries, the mock counted %v", svc, calls, retries, n)
		}
		client := "http_client_request_duration_seconds"
		if svc == "pricing" || svc == "inventory" {
			client = "rpc_client_call_duration_seconds"
		}
		want(client, with("upstream_service", svc), n)
		want("tandem_upstream_breaker_state", with("upstream_service", svc, "state", "closed"), 1)
		want("tandem_upstream_breaker_state", with("upstream_service", svc, "state", "open"), 0)
	}
	want("tandem_upstream_call_duration_seconds", with("upstream_service", "pricing", "error_type", "UPSTREAM_UNAVAILABLE"), 1)
	want("tandem_upstream_retries_total", with("upstream_service", "pricing"), 2)
	atLeast("tandem_dataloader_batch_size", with("upstream_service", "pricing", "dataloader_name", "price"), 1)

	// Rate limits: every decision by policy; the one refusal.
	// Five requests reached the limiter (the 401, the batch and the 413
	// were refused before it): four within the requests budget and one
	// over it; the three operations that ran spent points.
	decisions := "tandem_ratelimit_decisions_total"
	want(decisions, with("ratelimit_policy", "requests", "ratelimit_decision", "allowed"), 4)
	want(decisions, with("ratelimit_policy", "requests", "ratelimit_decision", "limited"), 1)
	want(decisions, with("ratelimit_policy", "concurrency", "ratelimit_decision", "allowed"), 5)
	want(decisions, with("ratelimit_policy", "points", "ratelimit_decision", "allowed"), 3)

	// Admission: nothing running or waiting once the traffic is done, a
	// limit of at least its floor, nobody refused.
	want("tandem_admission_running", bff, 0)
	want("tandem_admission_waiting", bff, 0)
	want("tandem_admission_overloaded_total", bff, 0)
	atLeast("tandem_admission_limit", bff, 1)

	// The Go runtime and the process are there too.
	for _, n := range []string{"go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := fams[n]; !ok {
			t.Errorf("%s missing", n)
		}
	}
}
