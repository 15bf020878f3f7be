package mocks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/tandemgw/tandem/mocks"
	inventoryv1 "github.com/tandemgw/tandem/shared/gen/inventory/v1"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
	shippingv1 "github.com/tandemgw/tandem/shared/gen/shipping/v1"
	"github.com/tandemgw/tandem/shared/sources/contracttest"
)

func startCluster(t *testing.T) *mocks.Cluster {
	t.Helper()
	c, err := mocks.Start(t.Context(), mocks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return c
}

var (
	contractsOnce sync.Once
	contracts     map[string]*contracttest.Router
	contractsErr  error
)

func openapiPath(name string) string { return filepath.Join("..", "schema", "openapi", name+".yaml") }

// loadContracts loads and validates the OpenAPI document of every REST
// service and of the admin API, each with a router that maps a request to
// its operation the same way the mocks route it.
func loadContracts(t *testing.T) map[string]*contracttest.Router {
	t.Helper()
	contractsOnce.Do(func() {
		contracts = map[string]*contracttest.Router{}
		names := []string{"mocks-admin"}
		for _, s := range mocks.Services() {
			if s.Protocol == "rest" {
				names = append(names, s.Name)
			}
		}
		for _, name := range names {
			doc, err := openapi3.NewLoader().LoadFromFile(openapiPath(name))
			if err != nil {
				contractsErr = err
				return
			}
			if err := doc.Validate(context.Background()); err != nil {
				contractsErr = err
				return
			}
			contracts[name] = contracttest.NewRouter(doc)
		}
	})
	if contractsErr != nil {
		t.Fatalf("load OpenAPI documents: %v", contractsErr)
	}
	return contracts
}

// client calls the REST mocks and validates every response against the
// service's OpenAPI document, status code included.
type client struct {
	t  *testing.T
	c  *mocks.Cluster
	ct map[string]*contracttest.Router
}

func newClient(t *testing.T, c *mocks.Cluster) *client {
	return &client{t: t, c: c, ct: loadContracts(t)}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// errorCode returns the code of a JSON error body.
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	r.decode(t, &e)
	if e.Error.Message == "" {
		t.Fatalf("error body without message: %s", r.Body)
	}
	return e.Error.Code
}

func (cl *client) get(service, target string) response {
	cl.t.Helper()
	return cl.do(service, http.MethodGet, target, nil, nil)
}

// do sends a request to service ("mocks-admin" for the admin API) and
// validates the answer against the contract.
func (cl *client) do(service, method, target string, hdr http.Header, body any) response {
	cl.t.Helper()
	base := cl.c.URL(service)
	if service == "mocks-admin" {
		base = cl.c.AdminURL()
	}
	var rd io.Reader
	var raw []byte
	if body != nil {
		if b, ok := body.(string); ok {
			raw = []byte(b)
		} else {
			var err error
			if raw, err = json.Marshal(body); err != nil {
				cl.t.Fatal(err)
			}
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(cl.t.Context(), method, base+target, rd)
	if err != nil {
		cl.t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cl.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		cl.t.Fatal(err)
	}
	cl.validate(service, req, raw, resp, out)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: out}
}

// validate checks an answer against the operation the request maps to.
// Requests to paths the contract does not have must be answered 404/405.
func (cl *client) validate(service string, req *http.Request, reqBody []byte, resp *http.Response, body []byte) {
	cl.t.Helper()
	ct := cl.ct[service]
	if ct == nil {
		cl.t.Fatalf("no contract for %s", service)
	}
	if ct.Operation(req) == "" {
		if resp.StatusCode != http.StatusNotFound && resp.StatusCode != http.StatusMethodNotAllowed {
			cl.t.Errorf("%s %s is not in the contract but answered %d", req.Method, req.URL.Path, resp.StatusCode)
		}
		return
	}
	if reqBody != nil {
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	if err := ct.CheckAnswer(req, resp.StatusCode, resp.Header, body); err != nil {
		msg := err.Error()
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
		cl.t.Errorf("%s %s answered %d, which violates %s.yaml: %s\nbody: %.500s", req.Method, req.URL, resp.StatusCode, service, msg, body)
	}
}

func dial(t *testing.T, addr string) *grpc.ClientConn {
	t.Helper()
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func inventoryClient(t *testing.T, c *mocks.Cluster) inventoryv1.InventoryServiceClient {
	return inventoryv1.NewInventoryServiceClient(dial(t, c.Addr("inventory")))
}

func pricingClient(t *testing.T, c *mocks.Cluster) pricingv1.PricingServiceClient {
	return pricingv1.NewPricingServiceClient(dial(t, c.Addr("pricing")))
}

func shippingClient(t *testing.T, c *mocks.Cluster) shippingv1.ShippingServiceClient {
	return shippingv1.NewShippingServiceClient(dial(t, c.Addr("shipping")))
}
