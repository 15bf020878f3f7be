package ceiling_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/tandemgw/tandem/bench/ceiling"
	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/config"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/upstream"
)

// orderHistoryFirst is the page size the harness asks for.
const orderHistoryFirst = 50

// startOrderHistory serves bff-web (its defaults, market.accountTTL
// included) and the order history ceiling against the same mocks, the
// gRPC request messages of both recorded.
func startOrderHistory(t *testing.T) (e *gatewaytest.Env, srv *httptest.Server, bffMsgs, ceilingMsgs *messageLog) {
	t.Helper()
	bffMsgs, ceilingMsgs = &messageLog{}, &messageLog{}
	e = gatewaytest.Start(t, gatewaytest.Options{
		Spec:       app.Spec,
		New:        app.New,
		Register:   app.Sources,
		AppOptions: []gateway.Option{gateway.WithUpstreamOptions(upstream.WithUnaryInterceptors(bffMsgs.interceptor()))},
	})
	h, err := ceiling.NewOrderHistory(ceiling.OrderHistoryConfig{
		OrdersURL:     e.Mocks.URL("orders"),
		CatalogURL:    e.Mocks.URL("catalog"),
		AccountsURL:   e.Mocks.URL("accounts"),
		PricingAddr:   e.Mocks.Addr("pricing"),
		InventoryAddr: e.Mocks.Addr("inventory"),
		First:         orderHistoryFirst,
		Cost:          throttle.WebDefaults().Cost,
		AccountTTL:    config.DefaultMarketAccountTTL,
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

// orderHistoryRequest is the harness's request: the query, its variables
// and the viewer's token.
func orderHistoryRequest(token, acceptLanguage string) gatewaytest.Request {
	return gatewaytest.Request{Query: ceiling.OrderHistoryQuery, Vars: map[string]any{"first": orderHistoryFirst}, Token: token, AcceptLanguage: acceptLanguage}
}

func postOrderHistory(t *testing.T, srv *httptest.Server, r gatewaytest.Request) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader(`{"query":`+quote(r.Query)+`,"variables":{"first":50}}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+r.Token)
	if r.AcceptLanguage != "" {
		req.Header.Set("Accept-Language", r.AcceptLanguage)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the ceiling answered %d: %s", resp.StatusCode, body)
	}
	return body
}

// placeOrders gives user n new orders of three products each, none in
// another: from 34 orders on, the newest 50 have more products than one
// batch call takes, as the harness's viewer has.
func placeOrders(e *gatewaytest.Env, user string, n int) {
	e.T.Helper()
	var addrs struct{ Items []struct{ ID string } }
	e.BackendJSON("accounts", "/users/"+user+"/addresses", nil, &addrs)
	if len(addrs.Items) == 0 {
		e.T.Fatalf("%s has no address", user)
	}
	for i := range n {
		for j := range 3 {
			e.BackendPost("orders", "/carts/"+user+"/lines", nil, map[string]any{"productId": fmt.Sprintf("prd_%06d", 1000+3*i+j), "quantity": 1 + j})
		}
		e.BackendPost("orders", "/orders", http.Header{"Idempotency-Key": {fmt.Sprintf("ceiling-%s-%d", user, i)}},
			map[string]any{"userId": user, "shippingAddressId": addrs.Items[0].ID})
	}
}

// manyProductsViewer is the viewer placeOrders gives 50 orders.
const manyProductsViewer = "usr_000099"

// TestOrderHistoryWritesBFFBytes: the ceiling's answer to the order
// history is byte for byte bff-web's, extensions.cost included, for
// viewers in different markets and one whose products take two batches.
func TestOrderHistoryWritesBFFBytes(t *testing.T) {
	e, srv, _, _ := startOrderHistory(t)
	placeOrders(e, manyProductsViewer, orderHistoryFirst)
	for _, c := range []struct{ user, acceptLanguage string }{
		{"usr_000042", ""},
		{"usr_000007", "de-DE"},
		{"usr_000013", "fr-FR,fr;q=0.9"},
		{manyProductsViewer, ""},
	} {
		r := orderHistoryRequest(e.Token(c.user, "orders:read"), c.acceptLanguage)
		bff := e.Do(r)
		if bff.Status != http.StatusOK || len(bff.Errors) != 0 {
			t.Fatalf("%s: bff-web answered %d: %.300s", c.user, bff.Status, bff.Raw)
		}
		got := postOrderHistory(t, srv, r)
		if !bytes.Equal(got, bff.Raw) {
			t.Fatalf("%s: the ceiling's answer differs from bff-web's %s", c.user, firstDifference(got, bff.Raw))
		}
		if !bytes.Contains(got, []byte(`"lines":[{"quantity":`)) || !bytes.Contains(got, []byte(`"stock":{"available":`)) ||
			!bytes.Contains(got, []byte(`"extensions":{"cost":{"actual":`)) {
			t.Fatalf("%s: the answer lacks lines, stock or the cost extension: %.300s", c.user, got)
		}
	}
}

// TestOrderHistoryMakesBFFCalls: the first request of a viewer, and every
// later one (its account's locale remembered), make exactly the backend
// calls bff-web makes for them: the same targets per service and the same
// gRPC request messages (keys compared as sets: bff-web batches them from
// a map).
func TestOrderHistoryMakesBFFCalls(t *testing.T) {
	e, srv, bffMsgs, ceilingMsgs := startOrderHistory(t)
	placeOrders(e, manyProductsViewer, orderHistoryFirst)
	for _, user := range []string{"usr_000042", manyProductsViewer} {
		t.Run(user, func(t *testing.T) { compareOrderHistoryCalls(t, e, srv, bffMsgs, ceilingMsgs, user) })
	}
}

func compareOrderHistoryCalls(t *testing.T, e *gatewaytest.Env, srv *httptest.Server, bffMsgs, ceilingMsgs *messageLog, user string) {
	r := orderHistoryRequest(e.Token(user, "orders:read"), "")
	for _, when := range []string{"first request", "steady state"} {
		e.Mocks.ResetRequests()
		bffMsgs.take(true)
		if resp := e.Do(r); resp.Status != http.StatusOK || len(resp.Errors) != 0 {
			t.Fatalf("bff-web answered %d: %.300s", resp.Status, resp.Raw)
		}
		bffCalls, bffBodies := upstreamTargets(e.Mocks), bffMsgs.take(true)
		e.Mocks.ResetRequests()
		ceilingMsgs.take(true)
		postOrderHistory(t, srv, r)
		ceilingCalls, ceilingBodies := upstreamTargets(e.Mocks), ceilingMsgs.take(true)
		if len(bffCalls["orders"]) == 0 || len(bffBodies) == 0 {
			t.Fatalf("%s: bff-web called no orders or no gRPC service: %q %q", when, bffCalls, bffBodies)
		}
		if user == manyProductsViewer && (len(bffCalls["catalog"]) != 2 || len(bffCalls["pricing"]) != 2 || len(bffCalls["inventory"]) != 2) {
			t.Errorf("%s: the viewer's products took %d catalog, %d pricing and %d inventory calls, want 2 each", when,
				len(bffCalls["catalog"]), len(bffCalls["pricing"]), len(bffCalls["inventory"]))
		}
		if got := len(bffCalls["accounts"]); (when == "first request") != (got == 1) {
			t.Errorf("%s: bff-web read the account %d times", when, got)
		}
		t.Run(when, func(t *testing.T) {
			diffTargets(t, ceilingCalls, bffCalls)
			diffMessages(t, ceilingBodies, bffBodies)
		})
	}
}

func TestOrderHistoryRefusesBadConfigAndAnonymousRequests(t *testing.T) {
	good := ceiling.OrderHistoryConfig{OrdersURL: "http://127.0.0.1:1", CatalogURL: "http://127.0.0.1:2", AccountsURL: "http://127.0.0.1:3",
		PricingAddr: "127.0.0.1:4", InventoryAddr: "127.0.0.1:5", First: 50}
	for name, mutate := range map[string]func(*ceiling.OrderHistoryConfig){
		"first 0":         func(c *ceiling.OrderHistoryConfig) { c.First = 0 },
		"orders no URL":   func(c *ceiling.OrderHistoryConfig) { c.OrdersURL = "127.0.0.1:1" },
		"accounts empty":  func(c *ceiling.OrderHistoryConfig) { c.AccountsURL = "" },
		"inventory empty": func(c *ceiling.OrderHistoryConfig) { c.InventoryAddr = "" },
		"first too large": func(c *ceiling.OrderHistoryConfig) { c.First = ceiling.MaxFirst + 1 },
	} {
		cfg := good
		mutate(&cfg)
		if h, err := ceiling.NewOrderHistory(cfg); err == nil {
			_ = h.Close()
			t.Errorf("%s: NewOrderHistory accepted the configuration", name)
		}
	}
	h, err := ceiling.NewOrderHistory(good)
	if err != nil {
		t.Fatalf("a good configuration was refused: %v", err)
	}
	defer h.Close()
	for _, auth := range []string{"", "Basic dXNlcjpwYXNz", "Bearer not-a-jwt", "Bearer a.e30.c"} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{}`))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusUnauthorized {
			t.Errorf("Authorization %q: HTTP %d, want 401", auth, rec.Code)
		}
	}
}
