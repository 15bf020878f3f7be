package mocks_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/data"
)

type recItem struct {
	ProductID string  `json:"productId"`
	Score     float64 `json:"score"`
	Reason    string  `json:"reason"`
}

type recList struct {
	Items []recItem `json:"items"`
}

func product(t *testing.T, d *data.Set, id string) *data.Product {
	t.Helper()
	n, ok := data.ParseProductID(id)
	if !ok || d.Product(n) == nil {
		t.Fatalf("answer names unknown product %q", id)
	}
	return d.Product(n)
}

// bestFirst fails unless scores never increase along the list.
func bestFirst(t *testing.T, what string, items []recItem) {
	t.Helper()
	for i := 1; i < len(items); i++ {
		if items[i].Score > items[i-1].Score {
			t.Fatalf("%s: item %d scores %v after %v: not best first", what, i, items[i].Score, items[i-1].Score)
		}
	}
}

// Related products share the category or the brand of the product, never
// include it, come best first, and are the same on every call.
func TestRecommendationsRelated(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	d := data.Load()
	for _, id := range []string{"prd_000001", "prd_000042", "prd_004999"} {
		var list recList
		r := cl.get("recommendations", "/products/"+id+"/related?limit=50")
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", id, r.Status, r.Body)
		}
		r.decode(t, &list)
		if len(list.Items) != 50 {
			t.Fatalf("%s: %d items, want 50", id, len(list.Items))
		}
		p := product(t, d, id)
		sameCat := 0
		for _, it := range list.Items {
			q := product(t, d, it.ProductID)
			if it.ProductID == id {
				t.Fatalf("%s is related to itself", id)
			}
			if q.CategoryID != p.CategoryID && q.Brand != p.Brand {
				t.Fatalf("%s: %s shares neither category %s nor brand %s", id, it.ProductID, p.CategoryID, p.Brand)
			}
			if q.CategoryID == p.CategoryID {
				sameCat++
			}
			if it.Score <= 0 || it.Score > 1 {
				t.Fatalf("%s: score %v outside (0, 1]", id, it.Score)
			}
		}
		if sameCat == 0 {
			t.Fatalf("%s: no related product of the same category", id)
		}
		bestFirst(t, id, list.Items)
		// Sharing category and brand beats sharing one of them.
		top := product(t, d, list.Items[0].ProductID)
		if top.CategoryID != p.CategoryID {
			t.Fatalf("%s: best related product %s is from another category", id, top.ID)
		}

		var again, short recList
		cl.get("recommendations", "/products/"+id+"/related?limit=50").decode(t, &again)
		if !slices.Equal(list.Items, again.Items) {
			t.Fatalf("%s: two calls answered differently", id)
		}
		cl.get("recommendations", "/products/"+id+"/related").decode(t, &short)
		if !slices.Equal(short.Items, list.Items[:10]) {
			t.Fatalf("%s: the default list is not the first 10 of the longer one", id)
		}
	}
}

// A user's recommendations come from the categories of the user's orders,
// leave out what the user bought, and come best first.
func TestRecommendationsForUser(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	d := data.Load()
	for _, u := range []int{1, 42, 2999} {
		uid := data.UserID(u)
		boughtCats := map[string]bool{}
		bought := map[string]bool{}
		for _, on := range d.OrdersByUser[u-1] {
			o := d.Order(on)
			for _, l := range o.Lines {
				bought[l.ProductID] = true
				if o.Status != data.StatusCancelled {
					boughtCats[product(t, d, l.ProductID).CategoryID] = true
				}
			}
		}
		if len(boughtCats) == 0 {
			t.Fatalf("%s has no orders; pick a user with a history", uid)
		}
		var list recList
		r := cl.get("recommendations", "/users/"+uid+"/recommendations?limit=20")
		if r.Status != 200 {
			t.Fatalf("%s: %d %s", uid, r.Status, r.Body)
		}
		r.decode(t, &list)
		if len(list.Items) != 20 {
			t.Fatalf("%s: %d items, want 20", uid, len(list.Items))
		}
		for _, it := range list.Items {
			p := product(t, d, it.ProductID)
			if bought[it.ProductID] {
				t.Fatalf("%s: recommends %s, which the user bought", uid, it.ProductID)
			}
			if !boughtCats[p.CategoryID] {
				t.Fatalf("%s: recommends %s from category %s, which is not in the history", uid, it.ProductID, p.CategoryID)
			}
			cat, _ := data.ParseCategoryID(p.CategoryID)
			if want := "Because you bought from " + d.Category(cat).Name; it.Reason != want {
				t.Fatalf("%s: reason %q, want %q", uid, it.Reason, want)
			}
		}
		bestFirst(t, uid, list.Items)

		var again recList
		cl.get("recommendations", "/users/"+uid+"/recommendations?limit=20").decode(t, &again)
		if !slices.Equal(list.Items, again.Items) {
			t.Fatalf("%s: two calls answered differently", uid)
		}
	}
	// Different histories, different lists.
	var a, b recList
	cl.get("recommendations", "/users/usr_000001/recommendations").decode(t, &a)
	cl.get("recommendations", "/users/usr_000002/recommendations").decode(t, &b)
	if slices.Equal(a.Items, b.Items) {
		t.Fatal("two users got the same recommendations")
	}
}

func TestRecommendationsBadInput(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	for _, tc := range []struct {
		target string
		status int
	}{
		{"/products/prd_42/related", 400},
		{"/products/usr_000042/related", 400},
		{"/products/prd_999999/related", 404},
		{"/products/prd_000042/related?limit=0", 400},
		{"/products/prd_000042/related?limit=51", 400},
		{"/products/prd_000042/related?limit=ten", 400},
		{"/users/usr_x/recommendations", 400},
		{"/users/usr_999999/recommendations", 404},
		{"/users/usr_000001/recommendations?limit=51", 400},
	} {
		resp := cl.get("recommendations", tc.target)
		if resp.Status != tc.status {
			t.Errorf("%s: %d, want %d: %s", tc.target, resp.Status, tc.status, resp.Body)
			continue
		}
		want := map[int]string{400: "BAD_REQUEST", 404: "NOT_FOUND"}[tc.status]
		if code := resp.errorCode(t); code != want {
			t.Errorf("%s: code %s, want %s", tc.target, code, want)
		}
	}
}

// Calls are counted per route and faults apply to the service like to
// every other mock.
func TestRecommendationsCountersAndFaults(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	const route = "GET /products/{productId}/related"
	for i := range 3 {
		cl.get("recommendations", fmt.Sprintf("/products/prd_%06d/related?limit=2", i+1))
	}
	cl.get("recommendations", "/users/usr_000001/recommendations?limit=2")
	if n := c.Counters().Get("recommendations", route); n != 3 {
		t.Fatalf("related calls counted %d, want 3", n)
	}
	if n := c.Counters().Get("recommendations", "GET /users/{userId}/recommendations"); n != 1 {
		t.Fatalf("recommendations calls counted %d, want 1", n)
	}

	c.Faults().Set("recommendations", route, mocks.Fault{Kind: mocks.FaultError, Status: 503})
	// Faults answer outside the contract on purpose: no validation here.
	status, body, err := rawGet(t.Context(), c.URL("recommendations")+"/products/prd_000001/related")
	if err != nil || status != 503 || !strings.Contains(string(body), "UNAVAILABLE") {
		t.Fatalf("faulted call: %d %s %v", status, body, err)
	}
	if r := cl.get("recommendations", "/users/usr_000001/recommendations"); r.Status != 200 {
		t.Fatalf("a fault on one route hit another: %d", r.Status)
	}
	c.Faults().Remove("recommendations", route)
	if r := cl.get("recommendations", "/products/prd_000001/related"); r.Status != 200 {
		t.Fatalf("after clearing the fault: %d %s", r.Status, r.Body)
	}
}
