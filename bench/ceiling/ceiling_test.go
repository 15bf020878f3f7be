package ceiling_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/tandemgw/tandem/bench/ceiling"
	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/upstream"
)

// startBoth serves bff-web (built as its main builds it, with its default
// throttle settings) and the ceiling against the same mocks.
func startBoth(t *testing.T, first int) (*gatewaytest.Env, *httptest.Server) {
	t.Helper()
	e, srv, _, _ := startRecorded(t, first)
	return e, srv
}

// startRecorded is startBoth with the gRPC request messages of bff-web and
// of the ceiling recorded.
func startRecorded(t *testing.T, first int) (e *gatewaytest.Env, srv *httptest.Server, bffMsgs, ceilingMsgs *messageLog) {
	t.Helper()
	bffMsgs, ceilingMsgs = &messageLog{}, &messageLog{}
	e = gatewaytest.Start(t, gatewaytest.Options{
		Spec:       app.Spec,
		New:        app.New,
		Register:   app.Sources,
		AppOptions: []gateway.Option{gateway.WithUpstreamOptions(upstream.WithUnaryInterceptors(bffMsgs.interceptor()))},
	})
	h, err := ceiling.New(ceiling.Config{
		CatalogURL:    e.Mocks.URL("catalog"),
		ReviewsURL:    e.Mocks.URL("reviews"),
		PricingAddr:   e.Mocks.Addr("pricing"),
		InventoryAddr: e.Mocks.Addr("inventory"),
		First:         first,
		Cost:          throttle.WebDefaults().Cost,
		Timeout:       5 * time.Second,
		DialOptions:   []grpc.DialOption{grpc.WithUnaryInterceptor(ceilingMsgs.interceptor())},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	srv = httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return e, srv, bffMsgs, ceilingMsgs
}

func postCeiling(t *testing.T, srv *httptest.Server, query string) []byte {
	t.Helper()
	resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(`{"query":`+quote(query)+`}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("ceiling answered %d: %s", resp.StatusCode, body)
	}
	return body
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// TestCeilingWritesBFFBytes: for the fan-out query the ceiling's answer is
// byte for byte bff-web's, extensions.cost included, for a full page and a
// short one.
func TestCeilingWritesBFFBytes(t *testing.T) {
	for _, first := range []int{50, 3} {
		e, srv := startBoth(t, first)
		query := ceiling.Query(first)
		bff := e.Do(gatewaytest.Request{Query: query})
		if bff.Status != http.StatusOK || len(bff.Errors) != 0 {
			t.Fatalf("bff-web answered %d: %.300s", bff.Status, bff.Raw)
		}
		got := postCeiling(t, srv, query)
		if !bytes.Equal(got, bff.Raw) {
			t.Fatalf("first %d: the ceiling's answer differs from bff-web's %s", first, firstDifference(got, bff.Raw))
		}
		if !bytes.Contains(got, []byte(`"formatted":"€`)) || !bytes.Contains(got, []byte(`"extensions":{"cost":{"actual":`)) {
			t.Fatalf("the answer lacks formatted prices or the cost extension: %.300s", got)
		}
	}
}

// TestCeilingMakesBFFCalls: at steady state (each warmed by one request)
// one ceiling request makes exactly the backend calls one bff-web request
// makes: per service the same multiset of targets (REST method, path and
// query; gRPC method) and the same gRPC request messages.
func TestCeilingMakesBFFCalls(t *testing.T) {
	e, srv, bffMsgs, ceilingMsgs := startRecorded(t, 50)
	query := ceiling.Query(50)
	e.Do(gatewaytest.Request{Query: query})
	postCeiling(t, srv, query)

	e.Mocks.ResetRequests()
	bffMsgs.take(false)
	if r := e.Do(gatewaytest.Request{Query: query}); r.Status != http.StatusOK || len(r.Errors) != 0 {
		t.Fatalf("bff-web answered %d: %.300s", r.Status, r.Raw)
	}
	bffCalls, bffBodies := upstreamTargets(e.Mocks), bffMsgs.take(false)
	e.Mocks.ResetRequests()
	ceilingMsgs.take(false)
	postCeiling(t, srv, query)
	ceilingCalls, ceilingBodies := upstreamTargets(e.Mocks), ceilingMsgs.take(false)
	if len(bffCalls) == 0 || len(bffBodies) == 0 {
		t.Fatalf("bff-web made no backend calls, or no gRPC calls were recorded: %q %q", bffCalls, bffBodies)
	}
	diffTargets(t, ceilingCalls, bffCalls)
	diffMessages(t, ceilingBodies, bffBodies)
}

func TestCeilingRefusesBadConfig(t *testing.T) {
	good := ceiling.Config{CatalogURL: "http://127.0.0.1:1", ReviewsURL: "http://127.0.0.1:2", PricingAddr: "127.0.0.1:3", InventoryAddr: "127.0.0.1:4", First: 50}
	for name, mutate := range map[string]func(*ceiling.Config){
		"first 0":         func(c *ceiling.Config) { c.First = 0 },
		"first too large": func(c *ceiling.Config) { c.First = ceiling.MaxFirst + 1 },
		"catalog no URL":  func(c *ceiling.Config) { c.CatalogURL = "127.0.0.1:1" },
		"reviews empty":   func(c *ceiling.Config) { c.ReviewsURL = "" },
		"pricing empty":   func(c *ceiling.Config) { c.PricingAddr = "" },
	} {
		cfg := good
		mutate(&cfg)
		if h, err := ceiling.New(cfg); err == nil {
			_ = h.Close()
			t.Errorf("%s: New accepted the configuration", name)
		}
	}
	h, err := ceiling.New(good)
	if err != nil {
		t.Fatalf("a good configuration was refused: %v", err)
	}
	_ = h.Close()
}

// firstDifference describes where a and b first differ.
func firstDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	from := max(0, i-80)
	return "at byte " + strconv.Itoa(i) + " (lengths " + strconv.Itoa(len(a)) + " and " + strconv.Itoa(len(b)) + "):\n ceiling: " +
		string(a[from:min(len(a), i+80)]) + "\n bff-web: " + string(b[from:min(len(b), i+80)])
}
