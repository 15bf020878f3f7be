package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tandemgw/tandem/bff-web/app"
	inventoryv1 "github.com/tandemgw/tandem/shared/gen/inventory/v1"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
)

const viewerOrdersQuery = `query($first: Int!) {
  viewer {
    orders(first: $first) {
      nodes {
        id
        lines {
          quantity
          unitPrice { amountMinor }
          product {
            id
            name
            price { current { amountMinor currency } }
            stock { available inStock }
          }
        }
      }
      pageInfo { hasNextPage }
    }
  }
}`

// userWithOrders finds the user with the most orders among the first page
// of users (asking the orders API, not guessing), then places orders for
// them through the orders API until they have at least want. The seeded data
// spreads 30,000 orders uniformly over 3,000 users, so no seeded user has 50
// (the most is in the low twenties); topping up keeps the test honest about
// "the viewer's first 50 orders".
func (e *env) userWithOrders(want int) string {
	e.T.Helper()
	var users struct {
		Items []struct{ ID string }
	}
	e.BackendJSON("accounts", "/users", url.Values{"limit": {"100"}}, &users)
	best, bestN := "", -1
	for _, u := range users.Items {
		var page struct{ Items []struct{ ID string } }
		e.BackendJSON("orders", "/orders", url.Values{"userId": {u.ID}, "limit": {"100"}}, &page)
		if len(page.Items) > bestN {
			best, bestN = u.ID, len(page.Items)
		}
	}
	if best == "" {
		e.T.Fatal("accounts lists no users")
	}
	var addrs struct{ Items []struct{ ID string } }
	e.BackendJSON("accounts", "/users/"+best+"/addresses", nil, &addrs)
	if len(addrs.Items) == 0 {
		e.T.Fatalf("%s has no address", best)
	}
	var products struct{ Items []struct{ ID string } }
	e.BackendJSON("catalog", "/products", url.Values{"limit": {"100"}}, &products)
	next := 0
	for n := bestN; n < want; n++ {
		for range 3 { // three distinct products per order
			p := products.Items[next%len(products.Items)].ID
			next++
			e.BackendPost("orders", "/carts/"+best+"/lines", nil, map[string]any{"productId": p, "quantity": 1})
		}
		e.BackendPost("orders", "/orders", http.Header{"Idempotency-Key": {fmt.Sprintf("callcount-%s-%d", best, n)}},
			map[string]any{"userId": best, "shippingAddressId": addrs.Items[0].ID})
	}
	return best
}

// TestViewerOrdersBatchPerLevel: the viewer's first 50 orders with every
// line's product, price and stock cost one call per backend per nesting
// level — one orders page, one catalog batch, one pricing batch, one
// inventory batch — never one per item.
func TestViewerOrdersBatchPerLevel(t *testing.T) {
	e := newEnv(t, func(c *app.Config) {
		for _, id := range []string{"catalog", "pricing", "inventory"} {
			u := c.Upstreams[id]
			// One batch may carry every id of the page (the services take
			// up to 500; the default cap of 100 would split ~150 products
			// into two concurrent calls). The batch window stays the
			// production one: the batching plan hands each level's keys
			// over at once, whatever the scheduling.
			u.MaxBatch = 500
			c.Upstreams[id] = u
		}
	})
	user := e.userWithOrders(50)
	e.Mocks.Counters().Reset()
	e.Mocks.ResetRequests()

	r := e.do(gql{query: viewerOrdersQuery, vars: map[string]any{"first": 50}, token: e.Token(user)})
	r.NoErrors(t)
	var data struct {
		Viewer struct {
			Orders struct {
				Nodes []struct {
					ID    string
					Lines []struct {
						Product *struct {
							ID    string
							Name  string
							Price *struct{ Current struct{ AmountMinor int } }
							Stock *struct{ Available int }
						}
					}
				}
			}
		}
	}
	r.Decode(t, &data)
	nodes := data.Viewer.Orders.Nodes
	if len(nodes) != 50 {
		t.Fatalf("got %d orders, want 50", len(nodes))
	}
	distinct := map[string]bool{}
	lines := 0
	for _, o := range nodes {
		for _, l := range o.Lines {
			lines++
			if l.Product == nil || l.Product.Name == "" || l.Product.Price == nil || l.Product.Stock == nil {
				t.Fatalf("order %s has an incomplete line: %s", o.ID, r.Raw)
			}
			distinct[l.Product.ID] = true
		}
	}
	if len(distinct) < 50 {
		t.Fatalf("only %d distinct products over %d lines: the test needs many to mean anything", len(distinct), lines)
	}
	t.Logf("%d orders, %d lines, %d distinct products", len(nodes), lines, len(distinct))

	c := e.Mocks.Counters()
	want := []struct {
		service, route string
	}{
		{"orders", "GET /orders"},
		{"catalog", "GET /products"},
		{"pricing", pricingv1.PricingService_BatchGetPrices_FullMethodName},
		{"inventory", inventoryv1.InventoryService_BatchGetStock_FullMethodName},
	}
	for _, w := range want {
		if n := c.Get(w.service, w.route); n != 1 {
			t.Errorf("%s %s: %d calls, want 1", w.service, w.route, n)
		}
		if n := c.Total(w.service); n != 1 {
			t.Errorf("%s: %d calls in total, want 1 (no per-item calls): %v", w.service, n, c.Snapshot()[w.service])
		}
	}
	// accounts: once, for the viewer's account locale, which decides the
	// currency of every price on the page; reviews: not at all.
	if n := c.Total("accounts"); n != 1 {
		t.Errorf("accounts: %d calls, want 1 (the viewer's market): %v", n, c.Snapshot()["accounts"])
	}
	if n := c.Total("reviews"); n != 0 {
		t.Errorf("reviews was called %d times for a query that does not need it", n)
	}
	// The one catalog call carried every distinct product.
	for _, req := range e.Mocks.Requests("catalog") {
		if req.Route != "GET /products" {
			continue
		}
		u, err := url.Parse(req.Target)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(strings.Split(u.Query().Get("ids"), ",")); got != len(distinct) {
			t.Errorf("catalog batch carried %d ids, want %d", got, len(distinct))
		}
		// The page shows no description or image: the catalog sends
		// summaries (the field's @rest brief view).
		if v := u.Query().Get("view"); v != "basic" {
			t.Errorf("catalog batch asked for view %q, want basic: %s", v, req.Target)
		}
	}
}

// fanOutQuery is the listing the performance figures are measured on: one
// catalog search, then reviews, pricing and inventory for all 50 products.
const fanOutQuery = `{ products(first: 50) { nodes { id name brand ratingSummary { average count } price { current { amountMinor currency formatted } } stock { inStock } } } }`

// TestFanOutBatchesUnderLoad: 32 concurrent clients run the fan-out query
// while every core is kept busy by spinning goroutines, with the production
// batch window. Each request still makes exactly one call per backend per
// level: batching follows the query, not the scheduler.
func TestFanOutBatchesUnderLoad(t *testing.T) {
	e := newEnv(t, func(c *app.Config) {
		c.Throttle.Rate.Concurrency = 1 << 10
		// Batch settings stay the production ones. Under -race with every
		// core spinning a call can outlast the 2s attempt timeout; a retry
		// would then count as a second call, so this test makes attempts
		// long and single: what it counts is batching, not resilience.
		for id, u := range c.Upstreams {
			u.Timeout, u.Retries = time.Minute, -1
			c.Upstreams[id] = u
		}
	})
	const clients, perClient = 32, 2

	// Busy CPUs: as many spinners as cores, stopped when the load is done.
	stop := make(chan struct{})
	var spinners sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		spinners.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				for i := 0; i < 1e5; i++ {
					_ = i * i
				}
			}
		})
	}
	e.Mocks.Counters().Reset()

	body, err := json.Marshal(map[string]any{"query": fanOutQuery})
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, clients*perClient)
	var load sync.WaitGroup
	for range clients {
		load.Go(func() {
			for range perClient {
				errs <- postFanOut(e.Server.Client(), e.Server.URL+"/graphql", body)
			}
		})
	}
	load.Wait()
	close(stop)
	spinners.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	const requests = clients * perClient
	c := e.Mocks.Counters()
	for _, w := range []struct{ service, route string }{
		{"catalog", "GET /products"},
		{"reviews", "GET /summaries"},
		{"pricing", pricingv1.PricingService_BatchGetPrices_FullMethodName},
		{"inventory", inventoryv1.InventoryService_BatchGetStock_FullMethodName},
	} {
		if n := c.Get(w.service, w.route); n != requests {
			t.Errorf("%s %s: %d calls for %d requests, want one each", w.service, w.route, n, requests)
		}
		if n := c.Total(w.service); n != requests {
			t.Errorf("%s: %d calls in total for %d requests: %v", w.service, n, requests, c.Snapshot()[w.service])
		}
	}
	if n := c.Total("accounts"); n != 0 {
		t.Errorf("accounts: %d calls for anonymous requests", n)
	}
}

// postFanOut runs the fan-out query once and checks the answer is whole.
func postFanOut(client *http.Client, url string, body []byte) error {
	resp, err := client.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var out struct {
		Errors []json.RawMessage
		Data   struct {
			Products struct {
				Nodes []struct {
					ID            string
					RatingSummary *struct{ Count int }
					Price         *struct{ Current struct{ Formatted string } }
					Stock         *struct{ InStock bool }
				}
			}
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return fmt.Errorf("status %d: %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || len(out.Errors) > 0 || len(out.Data.Products.Nodes) != 50 {
		first := ""
		if len(out.Errors) > 0 {
			first = string(out.Errors[0])
		}
		return fmt.Errorf("status %d, %d errors (first: %s), %d products", resp.StatusCode, len(out.Errors), first, len(out.Data.Products.Nodes))
	}
	for _, n := range out.Data.Products.Nodes {
		if n.RatingSummary == nil || n.Price == nil || n.Price.Current.Formatted == "" || n.Stock == nil {
			return fmt.Errorf("product %s is incomplete", n.ID)
		}
	}
	return nil
}

// TestProductPageCallsPerLevel: the web product page (the README's
// example) makes one call per batch endpoint per level of the page:
// the product; then its categories (the whole small list serves the
// category and its parent), price, stock, rating summary, reviews and
// related list; then the related products; then their prices.
func TestProductPageCallsPerLevel(t *testing.T) {
	e := newEnv(t, nil)
	q, err := os.ReadFile("../../e2e/testdata/web_product_page.graphql")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a second request makes the same calls: nothing leaks between requests
		e.Mocks.Counters().Reset()
		e.do(gql{query: string(q), vars: map[string]any{"id": "prd_000042"}}).NoErrors(t)
		c := e.Mocks.Counters()
		for _, w := range []struct {
			service, route string
			calls          int
		}{
			{"catalog", "GET /products", 2}, // the product; the related products
			{"catalog", "GET /categories", 1},
			{"pricing", pricingv1.PricingService_BatchGetPrices_FullMethodName, 2}, // the product; the related products
			{"inventory", inventoryv1.InventoryService_BatchGetStock_FullMethodName, 1},
			{"reviews", "GET /summaries", 1},
			{"reviews", "GET /products/{productId}/reviews", 1},
			{"recommendations", "GET /products/{productId}/related", 1},
		} {
			if n := c.Get(w.service, w.route); n != int64(w.calls) {
				t.Errorf("%s %s: %d calls, want %d", w.service, w.route, n, w.calls)
			}
		}
		var total int64
		for _, routes := range c.Snapshot() {
			for _, n := range routes {
				total += n
			}
		}
		if total != 9 {
			t.Errorf("%d backend calls in all, want 9: %v", total, c.Snapshot())
		}
	}
}
