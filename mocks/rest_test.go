package mocks_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/mocks/data"
)

type batch struct {
	Items   []json.RawMessage `json:"items"`
	Missing []string          `json:"missing"`
}

// The batch form answers found items in request order, each equal to the
// single form's answer, lists unknown ids once, and drops duplicates.
func TestBatchAndSingleFormsAgree(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	for _, tc := range []struct {
		service, single, batch string
		known                  []string
		unknown                string
	}{
		{"accounts", "/users/%s", "/users?ids=", []string{"usr_000001", "usr_003000", "usr_001234"}, "usr_999999"},
		{"catalog", "/products/%s", "/products?ids=", []string{"prd_000042", "prd_000001", "prd_005000"}, "prd_000000"},
		{"catalog", "/categories/%s", "/categories?ids=", []string{"cat_40", "cat_01", "cat_09"}, "cat_41"},
		{"orders", "/orders/%s", "/orders?ids=", []string{"ord_030000", "ord_000001", "ord_012345"}, "ord_030001"},
		{"reviews", "/reviews/%s", "/reviews?ids=", []string{"rev_040000", "rev_000001", "rev_020000"}, "rev_040001"},
		{"reviews", "/products/%s/summary", "/summaries?productIds=", []string{"prd_000001", "prd_004999", "prd_000042"}, "prd_005001"},
		{"wishlists", "/users/%s/wishlist", "/wishlists?userIds=", []string{"usr_000001", "usr_003000", "usr_001234"}, "usr_999999"},
	} {
		t.Run(tc.service+tc.batch, func(t *testing.T) {
			req := append([]string{tc.known[0], tc.unknown}, tc.known...) // known[0] twice
			resp := cl.get(tc.service, tc.batch+strings.Join(req, ","))
			if resp.Status != http.StatusOK {
				t.Fatalf("batch: %d %s", resp.Status, resp.Body)
			}
			var b batch
			resp.decode(t, &b)
			if len(b.Items) != len(tc.known) || !reflect.DeepEqual(b.Missing, []string{tc.unknown}) {
				t.Fatalf("batch: %d items, missing %v", len(b.Items), b.Missing)
			}
			for i, id := range tc.known {
				one := cl.get(tc.service, fmt.Sprintf(tc.single, id))
				if one.Status != http.StatusOK {
					t.Fatalf("single %s: %d", id, one.Status)
				}
				var a, bi any
				one.decode(t, &a)
				if err := json.Unmarshal(b.Items[i], &bi); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(a, bi) {
					t.Fatalf("%s: single and batch differ:\n%v\n%v", id, a, bi)
				}
			}
			if one := cl.get(tc.service, fmt.Sprintf(tc.single, tc.unknown)); one.Status != http.StatusNotFound || one.errorCode(t) != "NOT_FOUND" {
				t.Fatalf("single unknown: %d %s", one.Status, one.Body)
			}
		})
	}

	t.Run("addresses", func(t *testing.T) {
		var all struct{ Items []data.Address }
		cl.get("accounts", "/users/usr_000007/addresses").decode(t, &all)
		var idList []string
		for _, a := range all.Items {
			idList = append(idList, a.ID)
		}
		var b struct {
			Items   []data.Address
			Missing []string
		}
		cl.get("accounts", "/addresses?ids="+strings.Join(append(idList, "adr_000007_9"), ",")).decode(t, &b)
		if !reflect.DeepEqual(b.Items, all.Items) || !reflect.DeepEqual(b.Missing, []string{"adr_000007_9"}) {
			t.Fatalf("addresses differ: %+v vs %+v", b, all)
		}
		var u data.User
		cl.get("accounts", "/users/usr_000007").decode(t, &u)
		if u.DefaultAddressID != idList[0] {
			t.Fatalf("default address %s not first of %v", u.DefaultAddressID, idList)
		}
	})
}

type page[T any] struct {
	Items    []T `json:"items"`
	PageInfo struct {
		EndCursor   string `json:"endCursor"`
		HasNextPage bool   `json:"hasNextPage"`
	} `json:"pageInfo"`
}

// walk follows a paginated list to its end and returns every id in order.
func walk[T any](t *testing.T, cl *client, service, target string, id func(T) string) []string {
	t.Helper()
	var out []string
	after := ""
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		u := target
		if after != "" {
			u += "&after=" + url.QueryEscape(after)
		}
		resp := cl.get(service, u)
		if resp.Status != http.StatusOK {
			t.Fatalf("%s: %d %s", u, resp.Status, resp.Body)
		}
		var p page[T]
		resp.decode(t, &p)
		for _, it := range p.Items {
			out = append(out, id(it))
		}
		if !p.PageInfo.HasNextPage {
			return out
		}
		if p.PageInfo.EndCursor == "" {
			t.Fatal("hasNextPage without endCursor")
		}
		after = p.PageInfo.EndCursor
	}
}

func noDuplicates(t *testing.T, got []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, id := range got {
		if seen[id] {
			t.Fatalf("%s appears twice", id)
		}
		seen[id] = true
	}
}

// Walking a list to its end yields every item once, in list order.
func TestPaginationWalksEverything(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	d := data.Load()

	products := walk(t, cl, "catalog", "/products?limit=100", func(p data.Product) string { return p.ID })
	if len(products) != data.NumProducts {
		t.Fatalf("walked %d products", len(products))
	}
	for i, id := range products {
		if id != data.ProductID(i+1) {
			t.Fatalf("product %d is %s", i, id)
		}
	}

	users := walk(t, cl, "accounts", "/users?limit=77", func(u data.User) string { return u.ID })
	if len(users) != data.NumUsers {
		t.Fatalf("walked %d users", len(users))
	}
	noDuplicates(t, users)

	// A category filter includes sub-categories; every product of a
	// top-level category is found exactly once.
	inCat := walk(t, cl, "catalog", "/products?category=cat_01&limit=33", func(p data.Product) string { return p.ID })
	want := 0
	for n := 1; n <= data.NumProducts; n++ {
		if d.InCategory(n, 1) {
			want++
		}
	}
	if len(inCat) != want || want == 0 {
		t.Fatalf("category walk: %d, want %d", len(inCat), want)
	}
	noDuplicates(t, inCat)

	// Every order of several users, newest first, with no gaps.
	total := 0
	for _, u := range []int{1, 2, 1500, 3000} {
		uid := data.UserID(u)
		got := walk(t, cl, "orders", "/orders?userId="+uid+"&limit=3", func(o data.Order) string { return o.ID })
		wantOrders := d.OrdersByUser[u-1]
		if len(got) != len(wantOrders) {
			t.Fatalf("%s: %d orders, want %d", uid, len(got), len(wantOrders))
		}
		for i, n := range wantOrders {
			if got[i] != data.OrderID(n) {
				t.Fatalf("%s: order %d is %s, want %s", uid, i, got[i], data.OrderID(n))
			}
		}
		for i := 1; i < len(wantOrders); i++ {
			if d.Orders[wantOrders[i]-1].CreatedAt.After(d.Orders[wantOrders[i-1]-1].CreatedAt) {
				t.Fatalf("%s: orders not newest first", uid)
			}
		}
		total += len(got)
	}
	if total == 0 {
		t.Fatal("no orders walked")
	}

	// The most reviewed product's reviews.
	most := 0
	for i, l := range d.ReviewsByProduct {
		if len(l) > len(d.ReviewsByProduct[most]) {
			most = i
		}
	}
	pid := data.ProductID(most + 1)
	revs := walk(t, cl, "reviews", "/products/"+pid+"/reviews?limit=7", func(r data.Review) string { return r.ID })
	if len(revs) != len(d.ReviewsByProduct[most]) || len(revs) < 10 {
		t.Fatalf("%s: %d reviews, want %d", pid, len(revs), len(d.ReviewsByProduct[most]))
	}
	noDuplicates(t, revs)
	var sum struct{ Count int }
	cl.get("reviews", "/products/"+pid+"/summary").decode(t, &sum)
	if sum.Count != len(revs) {
		t.Fatalf("summary counts %d reviews, list has %d", sum.Count, len(revs))
	}
}

func TestSearch(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	d := data.Load()
	p := d.Products[41]
	var res page[data.Product]
	cl.get("catalog", "/products?limit=100&brand="+url.QueryEscape(strings.ToUpper(p.Brand))+"&q="+url.QueryEscape(strings.ToLower(p.Name))).decode(t, &res)
	found := false
	for _, it := range res.Items {
		if it.Brand != p.Brand || !strings.Contains(strings.ToLower(it.Name), strings.ToLower(p.Name)) {
			t.Fatalf("%s does not match the filters", it.ID)
		}
		found = found || it.ID == p.ID
	}
	if !found {
		t.Fatalf("%s not found by its own name and brand", p.ID)
	}
	var none page[data.Product]
	cl.get("catalog", "/products?q=zzzz-no-such-thing").decode(t, &none)
	if len(none.Items) != 0 || none.PageInfo.HasNextPage || none.PageInfo.EndCursor != "" {
		t.Fatalf("empty search: %+v", none)
	}
	var cats struct{ Items []data.Category }
	cl.get("catalog", "/categories").decode(t, &cats)
	if len(cats.Items) != data.NumCategories {
		t.Fatalf("%d categories", len(cats.Items))
	}
}

// Bad input is a 400 or 404 with a JSON error body, never a panic or 500.
func TestBadInput(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	var validCursor page[data.Product]
	cl.get("catalog", "/products?limit=1").decode(t, &validCursor)
	productsCursor := url.QueryEscape(validCursor.PageInfo.EndCursor)
	tooMany := make([]string, 501)
	for i := range tooMany {
		tooMany[i] = data.ProductID(i + 1)
	}
	for _, tc := range []struct {
		service, method, target string
		status                  int
	}{
		{"accounts", "GET", "/users/usr_42", 400},
		{"accounts", "GET", "/users/usr_000042x", 400},
		{"accounts", "GET", "/users/prd_000042", 400},
		{"accounts", "GET", "/users/usr_999999", 404},
		{"accounts", "GET", "/users?ids=", 400},
		{"accounts", "GET", "/users?ids=usr_000001,bogus", 400},
		{"accounts", "GET", "/users?limit=0", 400},
		{"accounts", "GET", "/users?limit=101", 400},
		{"accounts", "GET", "/users?limit=ten", 400},
		{"accounts", "GET", "/users?after=not-a-cursor", 400},
		{"accounts", "GET", "/users?after=" + productsCursor, 400}, // a cursor of another list
		{"accounts", "GET", "/users?after=", 400},
		{"accounts", "GET", "/users/usr_999999/addresses", 404},
		{"accounts", "GET", "/users/x/addresses", 400},
		{"accounts", "GET", "/addresses?ids=adr_1", 400},
		{"accounts", "GET", "/addresses", 400},
		{"catalog", "GET", "/products/%00", 400},
		{"catalog", "GET", "/products/prd_005001", 404},
		{"catalog", "GET", "/products?ids=" + strings.Join(tooMany, ","), 400},
		{"catalog", "GET", "/products?category=07", 400},
		{"catalog", "GET", "/products?q=" + strings.Repeat("a", 101), 400},
		{"catalog", "GET", "/products?ids=prd_000001&view=everything", 400},
		{"catalog", "GET", "/categories/cat_7", 400},
		{"catalog", "GET", "/categories/cat_99", 404},
		{"catalog", "GET", "/categories?ids=cat_01,,cat_02", 400},
		{"orders", "GET", "/orders", 400},
		{"orders", "GET", "/orders?userId=nope", 400},
		{"orders", "GET", "/orders?userId=usr_999999", 404},
		{"orders", "GET", "/orders/ord_1", 400},
		{"orders", "GET", "/orders/ord_999999", 404},
		{"orders", "GET", "/orders?userId=usr_000001&after=" + productsCursor, 400},
		{"orders", "GET", "/carts/usr_x", 400},
		{"orders", "GET", "/carts/usr_999999", 404},
		{"reviews", "GET", "/reviews/rev_0", 400},
		{"reviews", "GET", "/reviews/rev_999999", 404},
		{"reviews", "GET", "/reviews", 400},
		{"reviews", "GET", "/products/prd_1/reviews", 400},
		{"reviews", "GET", "/products/prd_999999/reviews", 404},
		{"reviews", "GET", "/products/prd_000001/reviews?limit=-1", 400},
		{"reviews", "GET", "/products/prd_999999/summary", 404},
		{"reviews", "GET", "/summaries?productIds=rev_000001", 400},
		// Not routes at all: JSON 404/405, counted as unmatched.
		{"catalog", "GET", "/nope", 404},
		{"catalog", "DELETE", "/products/prd_000001", 405},
		{"orders", "PUT", "/orders", 405},
	} {
		resp := cl.do(tc.service, tc.method, tc.target, nil, nil)
		if resp.Status != tc.status {
			t.Errorf("%s %s %s: %d, want %d: %s", tc.service, tc.method, tc.target, resp.Status, tc.status, resp.Body)
			continue
		}
		want := map[int]string{400: "BAD_REQUEST", 404: "NOT_FOUND", 405: "BAD_REQUEST"}[tc.status]
		if code := resp.errorCode(t); code != want {
			t.Errorf("%s %s: code %s, want %s", tc.service, tc.target, code, want)
		}
	}
	if n := c.Counters().Get("catalog", "UNMATCHED"); n != 2 {
		t.Errorf("unmatched catalog calls counted %d, want 2", n)
	}
}

// Identity headers are recorded per call, with the route.
func TestRequestsRecordIdentity(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	hdr := http.Header{}
	hdr.Set("X-Tandem-Subject", "usr_000042")
	hdr.Set("X-Tandem-Scopes", "orders:read cart:write")
	hdr.Set("X-Tandem-Client-Id", "web")
	hdr.Set("Authorization", "Bearer abc")
	const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	hdr.Set("Traceparent", tp)
	cl.do("accounts", "GET", "/users/usr_000042", hdr, nil)
	cl.get("accounts", "/users?ids=usr_000001")
	reqs := c.Requests("accounts")
	if len(reqs) != 2 {
		t.Fatalf("%d requests recorded", len(reqs))
	}
	first, second := reqs[0], reqs[1]
	if first.Route != "GET /users/{id}" || first.Subject != "usr_000042" || first.Scopes != "orders:read cart:write" ||
		first.ClientID != "web" || !first.HasAuthorization || first.Authorization != "Bearer abc" || first.Target != "GET /users/usr_000042" ||
		first.Traceparent != tp {
		t.Fatalf("first request: %+v", first)
	}
	if second.Route != "GET /users" || second.Subject != "" || second.HasAuthorization || second.Traceparent != "" {
		t.Fatalf("second request: %+v", second)
	}
	var viaAdmin struct{ Items []map[string]any }
	cl.get("mocks-admin", "/requests/accounts?limit=1").decode(t, &viaAdmin)
	if len(viaAdmin.Items) != 1 || viaAdmin.Items[0]["route"] != "GET /users" {
		t.Fatalf("admin requests: %+v", viaAdmin)
	}
	if r := cl.do("mocks-admin", "DELETE", "/requests", nil, nil); r.Status != http.StatusNoContent || len(c.Requests("accounts")) != 0 {
		t.Fatalf("reset requests: %d", r.Status)
	}
}

// view=basic sends the same products without their description and
// images, in a batch and in a page alike.
func TestProductSummaries(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	d := data.Load()
	for _, target := range []string{"/products?ids=prd_000042,prd_000007&view=basic", "/products?limit=2&view=basic"} {
		var raw struct{ Items []map[string]any }
		cl.get("catalog", target).decode(t, &raw)
		if len(raw.Items) != 2 {
			t.Fatalf("%s: %d items", target, len(raw.Items))
		}
		for _, it := range raw.Items {
			if _, ok := it["description"]; ok {
				t.Errorf("%s: a summary has a description", target)
			}
			if _, ok := it["images"]; ok {
				t.Errorf("%s: a summary has images", target)
			}
			id, _ := it["id"].(string)
			n, _ := data.ParseProductID(id)
			if p := d.Product(n); p == nil || it["name"] != p.Name || it["sku"] != p.SKU {
				t.Errorf("%s: summary %v is not product %s", target, it, id)
			}
		}
	}
}
