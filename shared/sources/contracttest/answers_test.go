package contracttest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/tidwall/sjson"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/shared/sources/contracttest"
)

// call is one request to a mock service.
type call struct {
	service, method, target string
	header                  http.Header
	body                    string
}

// answer is what a mock said, and the request it said it to.
type answer struct {
	req    *http.Request
	status int
	header http.Header
	body   []byte
}

func send(t *testing.T, c *mocks.Cluster, k call) answer {
	t.Helper()
	var rd io.Reader
	if k.body != "" {
		rd = strings.NewReader(k.body)
	}
	req, err := http.NewRequestWithContext(t.Context(), k.method, c.URL(k.service)+k.target, rd)
	if err != nil {
		t.Fatal(err)
	}
	for name, v := range k.header {
		req.Header[name] = v
	}
	if k.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", k.method, k.target, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{req: req, status: resp.StatusCode, header: resp.Header, body: body}
}

// sampleCalls drives every route of every REST mock at least once to a
// success, and the common failures (unknown id, malformed id, bad limit)
// on the way. Order matters for orders: the cart is filled before it is
// placed.
func sampleCalls() []call {
	d := data.Load()
	user := d.Orders[0].UserID
	un, _ := data.ParseUserID(user)
	idem := http.Header{"Idempotency-Key": {"contract-answers-1"}}
	place := `{"userId":"` + user + `","shippingAddressId":"` + data.AddressID(un, 1) + `"}`
	return []call{
		{service: "accounts", method: "GET", target: "/users/" + data.UserID(42)},
		{service: "accounts", method: "GET", target: "/users/" + data.UserID(data.NumUsers+1)},
		{service: "accounts", method: "GET", target: "/users/nope"},
		{service: "accounts", method: "GET", target: "/users?ids=" + data.UserID(1) + "," + data.UserID(data.NumUsers+1)},
		{service: "accounts", method: "GET", target: "/users?limit=3"},
		{service: "accounts", method: "GET", target: "/users?limit=0"},
		{service: "accounts", method: "GET", target: "/users/" + data.UserID(42) + "/addresses"},
		{service: "accounts", method: "GET", target: "/addresses?ids=" + data.AddressID(42, 1) + "," + data.AddressID(42, 9)},

		{service: "catalog", method: "GET", target: "/products/" + data.ProductID(42)},
		{service: "catalog", method: "GET", target: "/products/" + data.ProductID(data.NumProducts+1)},
		{service: "catalog", method: "GET", target: "/products?ids=" + data.ProductID(1) + "," + data.ProductID(2)},
		{service: "catalog", method: "GET", target: "/products?q=a&limit=5"},
		{service: "catalog", method: "GET", target: "/products?ids=" + data.ProductID(1) + "," + data.ProductID(data.NumProducts+1) + "&view=basic"},
		{service: "catalog", method: "GET", target: "/products?q=a&limit=5&view=basic"},
		{service: "catalog", method: "GET", target: "/products?view=everything"},
		{service: "catalog", method: "GET", target: "/products?category=" + data.CategoryID(1) + "&limit=2"},
		{service: "catalog", method: "GET", target: "/products?after=not-a-cursor"},
		{service: "catalog", method: "GET", target: "/categories"},
		{service: "catalog", method: "GET", target: "/categories?ids=" + data.CategoryID(1) + "," + data.CategoryID(data.NumCategories)},
		{service: "catalog", method: "GET", target: "/categories/" + data.CategoryID(1)},
		{service: "catalog", method: "GET", target: "/categories/" + data.CategoryID(data.NumCategories)},

		{service: "orders", method: "GET", target: "/orders/" + d.Orders[0].ID},
		{service: "orders", method: "GET", target: "/orders/" + data.OrderID(data.NumOrders+1)},
		{service: "orders", method: "GET", target: "/orders?ids=" + d.Orders[0].ID + "," + d.Orders[1].ID},
		{service: "orders", method: "GET", target: "/orders?userId=" + user + "&limit=2"},
		{service: "orders", method: "GET", target: "/carts/" + user},
		{service: "orders", method: "POST", target: "/carts/" + user + "/lines", body: `{"productId":"` + data.ProductID(3) + `","quantity":2}`},
		{service: "orders", method: "POST", target: "/carts/" + user + "/lines", body: `{"productId":"` + data.ProductID(3) + `","quantity":0}`},
		{service: "orders", method: "POST", target: "/orders", header: idem, body: place},
		{service: "orders", method: "POST", target: "/orders", header: idem, body: place},
		{service: "orders", method: "POST", target: "/orders", body: place},

		{service: "reviews", method: "GET", target: "/reviews/" + data.ReviewID(1)},
		{service: "reviews", method: "GET", target: "/reviews?ids=" + data.ReviewID(1) + "," + data.ReviewID(data.NumReviews+1)},
		{service: "reviews", method: "GET", target: "/products/" + data.ProductID(1) + "/reviews?limit=3"},
		{service: "reviews", method: "GET", target: "/products/" + data.ProductID(1) + "/summary"},
		{service: "reviews", method: "GET", target: "/summaries?productIds=" + data.ProductID(1) + "," + data.ProductID(data.NumProducts)},
		{service: "reviews", method: "GET", target: "/summaries?productIds=bad"},

		{service: "recommendations", method: "GET", target: "/products/" + data.ProductID(42) + "/related?limit=4"},
		{service: "recommendations", method: "GET", target: "/users/" + data.UserID(42) + "/recommendations?limit=4"},
		{service: "recommendations", method: "GET", target: "/users/" + data.UserID(42) + "/recommendations?limit=500"},
	}
}

// TestMocksAnswerTheirContracts drives every route of every REST mock and
// validates each answer against the service's OpenAPI document: the
// status must be one the operation lists, and the body must match its
// schema. The mocks answer with the types generated from the same
// documents, so a contract edit without make generate, or a mock that
// builds its answer another way, fails here. Every route must be reached
// with a success at least once.
func TestMocksAnswerTheirContracts(t *testing.T) {
	c, err := mocks.Start(t.Context(), mocks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })

	routers := map[string]*contracttest.Router{}
	succeeded := map[string]map[string]bool{}
	for _, k := range sampleCalls() {
		r := routers[k.service]
		if r == nil {
			r = contracttest.NewRouter(contracttest.Load(t, filepath.Join(openapiDir, k.service+".yaml")))
			routers[k.service] = r
			succeeded[k.service] = map[string]bool{}
		}
		a := send(t, c, k)
		if err := r.CheckAnswer(a.req, a.status, a.header, a.body); err != nil {
			t.Errorf("%s %s %s answered %d, which breaks %s.yaml: %v\nbody: %.400s", k.service, k.method, k.target, a.status, k.service, err, a.body)
		}
		if a.status/100 == 2 {
			succeeded[k.service][r.Operation(a.req)] = true
		}
	}
	for _, s := range mocks.Services() {
		if s.Protocol != "rest" {
			continue
		}
		doc := contracttest.Load(t, filepath.Join(openapiDir, s.Name+".yaml"))
		r := contracttest.NewRouter(doc)
		for _, route := range c.Routes(s.Name) {
			if succeeded[s.Name][route] {
				continue
			}
			// A route no sample call reached is called with the examples
			// its contract gives for its parameters.
			k, ok := exampleCall(doc, s.Name, route)
			if !ok {
				t.Errorf("%s %s: no sample call reached it with a success; give its parameters examples in the contract or add a call to sampleCalls", s.Name, route)
				continue
			}
			a := send(t, c, k)
			if err := r.CheckAnswer(a.req, a.status, a.header, a.body); err != nil {
				t.Errorf("%s %s %s answered %d, which breaks %s.yaml: %v\nbody: %.400s", k.service, k.method, k.target, a.status, k.service, err, a.body)
			}
			if a.status/100 != 2 {
				t.Errorf("%s %s: the contract's examples got %d: %.400s", s.Name, k.target, a.status, a.body)
			}
		}
	}
}

// exampleCall builds a call of route ("GET /users/{userId}/wishlist") from
// the example of each of its path and required query parameters.
func exampleCall(doc *openapi3.T, service, route string) (call, bool) {
	method, path, _ := strings.Cut(route, " ")
	item := doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		return call{}, false
	}
	q := url.Values{}
	for _, p := range item.GetOperation(method).Parameters {
		v := p.Value
		if v == nil || (v.In == "query" && !v.Required) {
			continue
		}
		if v.Example == nil {
			return call{}, false
		}
		ex := fmt.Sprint(v.Example)
		switch v.In {
		case "path":
			path = strings.ReplaceAll(path, "{"+v.Name+"}", url.PathEscape(ex))
		case "query":
			q.Set(v.Name, ex)
		}
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return call{service: service, method: method, target: path}, true
}

// TestCheckAnswerCatchesDrift: the validator the test above relies on
// rejects a real mock answer once it is tampered with, and rejects the
// untouched answer against a broken copy of the schema.
func TestCheckAnswerCatchesDrift(t *testing.T) {
	c, err := mocks.Start(t.Context(), mocks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	path := filepath.Join(openapiDir, "reviews.yaml")
	good := contracttest.NewRouter(contracttest.Load(t, path))
	a := send(t, c, call{service: "reviews", method: "GET", target: "/reviews/" + data.ReviewID(7)})
	if err := good.CheckAnswer(a.req, a.status, a.header, a.body); err != nil {
		t.Fatalf("the untouched answer: %v", err)
	}

	tamper := func(edit func([]byte) ([]byte, error)) []byte {
		t.Helper()
		out, err := edit(bytes.Clone(a.body))
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	tampered := map[string][]byte{
		"renamed field":      tamper(func(b []byte) ([]byte, error) { return bytes.Replace(b, []byte(`"rating"`), []byte(`"stars"`), 1), nil }),
		"retyped field":      tamper(func(b []byte) ([]byte, error) { return sjson.SetBytes(b, "rating", "5") }),
		"missing field":      tamper(func(b []byte) ([]byte, error) { return sjson.DeleteBytes(b, "createdAt") }),
		"unknown field":      tamper(func(b []byte) ([]byte, error) { return sjson.SetBytes(b, "helpful", 3) }),
		"out of range":       tamper(func(b []byte) ([]byte, error) { return sjson.SetBytes(b, "rating", 6) }),
		"malformed id":       tamper(func(b []byte) ([]byte, error) { return sjson.SetBytes(b, "productId", "42") }),
		"not a date-time":    tamper(func(b []byte) ([]byte, error) { return sjson.SetBytes(b, "createdAt", "yesterday") }),
		"not even an object": []byte(`[]`),
	}
	for name, body := range tampered {
		if err := good.CheckAnswer(a.req, a.status, a.header, body); err == nil {
			t.Errorf("%s: %s passed", name, body)
		}
	}
	if err := good.CheckAnswer(a.req, http.StatusTeapot, a.header, a.body); err == nil {
		t.Error("a status the operation does not list passed")
	}

	// A broken copy of the contract: the same answer no longer fits.
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	broken := map[string]func(*openapi3.T){
		"rating retyped": func(doc *openapi3.T) {
			doc.Components.Schemas["Review"].Value.Properties["rating"].Value.Type = &openapi3.Types{openapi3.TypeString}
		},
		"new required property": func(doc *openapi3.T) {
			s := doc.Components.Schemas["Review"].Value
			s.Properties["helpful"] = openapi3.NewIntegerSchema().NewRef()
			s.Required = append(s.Required, "helpful")
		},
		"property dropped": func(doc *openapi3.T) {
			s := doc.Components.Schemas["Review"].Value
			delete(s.Properties, "title")
			s.Required = slices.DeleteFunc(slices.Clone(s.Required), func(p string) bool { return p == "title" })
		},
	}
	for name, breakIt := range broken {
		doc, err := openapi3.NewLoader().LoadFromData(raw)
		if err != nil {
			t.Fatal(err)
		}
		breakIt(doc)
		if err := contracttest.NewRouter(doc).CheckAnswer(a.req, a.status, a.header, a.body); err == nil {
			t.Errorf("%s: the mock's answer still passed", name)
		}
	}

	// And the error envelope: an answer that leaks more than code and message.
	nf := send(t, c, call{service: "reviews", method: "GET", target: "/reviews/" + data.ReviewID(data.NumReviews+1)})
	if err := good.CheckAnswer(nf.req, nf.status, nf.header, nf.body); err != nil {
		t.Fatalf("the untouched 404: %v", err)
	}
	var leak map[string]any
	if err := json.Unmarshal(nf.body, &leak); err != nil {
		t.Fatal(err)
	}
	leak["error"].(map[string]any)["stack"] = "goroutine 1 [running]"
	body, _ := json.Marshal(leak)
	if err := good.CheckAnswer(nf.req, nf.status, nf.header, body); err == nil {
		t.Error("an error body with a stack trace passed")
	}
}
