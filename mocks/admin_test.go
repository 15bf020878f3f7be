package mocks_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/tandemgw/tandem/mocks"
)

// The admin API reads and resets counters and sets, lists and clears
// faults; every answer is validated against mocks-admin.yaml.
func TestAdminAPI(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)

	if r := cl.get("mocks-admin", "/healthz"); r.Status != 200 {
		t.Fatalf("healthz: %d", r.Status)
	}
	var svcs struct{ Items []mocks.ServiceStatus }
	cl.get("mocks-admin", "/services").decode(t, &svcs)
	if len(svcs.Items) != len(mocks.Services()) || svcs.Items[1].Addr != c.Addr(svcs.Items[1].Name) {
		t.Fatalf("services: %+v", svcs)
	}

	cl.get("catalog", "/products/prd_000001")
	cl.get("catalog", "/products/prd_000002")
	var all struct{ Services map[string]map[string]int64 }
	cl.get("mocks-admin", "/counters").decode(t, &all)
	if all.Services["catalog"][productRoute] != 2 || all.Services["catalog"]["GET /categories"] != 0 {
		t.Fatalf("counters: %v", all.Services["catalog"])
	}
	var one struct {
		Total  int64
		Routes map[string]int64
	}
	cl.get("mocks-admin", "/counters/catalog").decode(t, &one)
	if one.Total != 2 || c.Counters().Total("catalog") != 2 || c.Counters().Snapshot()["catalog"][productRoute] != 2 {
		t.Fatalf("catalog counters: %+v", one)
	}
	if r := cl.do("mocks-admin", "DELETE", "/counters", nil, nil); r.Status != http.StatusNoContent || c.Counters().Total("catalog") != 0 {
		t.Fatalf("reset: %d", r.Status)
	}
	if r := cl.get("mocks-admin", "/counters/nope"); r.Status != 404 {
		t.Fatalf("unknown service: %d", r.Status)
	}

	set := map[string]any{"service": "catalog", "route": productRoute, "fault": map[string]any{"kind": "error", "status": 500, "latency": "1ms"}}
	var entry mocks.FaultEntry
	r := cl.do("mocks-admin", "POST", "/faults", nil, set)
	r.decode(t, &entry)
	if r.Status != 200 || entry.Fault.Kind != mocks.FaultError || entry.Fault.Every != 1 || entry.Fault.Latency != time.Millisecond {
		t.Fatalf("set fault: %d %s", r.Status, r.Body)
	}
	if st, _, _ := rawGet(t.Context(), c.URL("catalog")+"/products/prd_000001"); st != 500 {
		t.Fatalf("faulted call: %d", st)
	}
	cl.do("mocks-admin", "POST", "/faults", nil, map[string]any{"service": "pricing", "route": "", "fault": map[string]any{"kind": "error", "grpcCode": "NOT_FOUND"}})
	var list struct{ Items []mocks.FaultEntry }
	cl.get("mocks-admin", "/faults").decode(t, &list)
	if len(list.Items) != 2 || list.Items[1].Service != "pricing" || list.Items[1].Fault.Code.String() != "NotFound" {
		t.Fatalf("faults: %+v", list)
	}
	if r := cl.do("mocks-admin", "DELETE", "/faults?service=catalog&route="+url.QueryEscape(productRoute), nil, nil); r.Status != 204 || len(c.Faults().List()) != 1 {
		t.Fatalf("remove one: %d %v", r.Status, c.Faults().List())
	}
	if r := cl.do("mocks-admin", "DELETE", "/faults", nil, nil); r.Status != 204 || len(c.Faults().List()) != 0 {
		t.Fatalf("clear: %d", r.Status)
	}

	for _, tc := range []struct {
		body   any
		status int
	}{
		{map[string]any{"service": "nope", "route": "", "fault": map[string]any{"kind": "hang"}}, 404},
		{map[string]any{"service": "catalog", "route": "GET /nope", "fault": map[string]any{"kind": "hang"}}, 404},
		{map[string]any{"service": "catalog", "route": "", "fault": map[string]any{"kind": "boom"}}, 400},
		{map[string]any{"service": "catalog", "route": "", "fault": map[string]any{"kind": "latency", "latency": "soon"}}, 400},
		{map[string]any{"service": "catalog", "route": "", "fault": map[string]any{"kind": "hang", "extra": 1}}, 400},
		{map[string]any{"service": "catalog", "route": ""}, 400},
		{`not json`, 400},
	} {
		if r := cl.do("mocks-admin", "POST", "/faults", nil, tc.body); r.Status != tc.status {
			t.Errorf("%v: %d, want %d: %s", tc.body, r.Status, tc.status, r.Body)
		}
	}
	if r := cl.do("mocks-admin", "DELETE", "/faults?route=x", nil, nil); r.Status != 400 {
		t.Errorf("route without service: %d", r.Status)
	}
}

// HandleAdmin mounts extra handlers (the identity provider's) on the admin
// endpoint.
func TestHandleAdmin(t *testing.T) {
	c := startCluster(t)
	c.HandleAdmin("GET /idp/ping", http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	if st, _, err := rawGet(t.Context(), c.AdminURL()+"/idp/ping"); err != nil || st != http.StatusTeapot {
		t.Fatalf("mounted handler: %d %v", st, err)
	}
}

func TestStartRejectsUnknownService(t *testing.T) {
	if _, err := mocks.Start(t.Context(), mocks.Options{Addrs: map[string]string{"nope": "127.0.0.1:0"}}); err == nil {
		t.Fatal("unknown service accepted")
	}
}
