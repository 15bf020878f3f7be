package mocks_test

import (
	"bytes"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/data"
)

type wishlistItem struct {
	ProductID string    `json:"productId"`
	AddedAt   time.Time `json:"addedAt"`
}

type wishlist struct {
	UserID    string         `json:"userId"`
	Items     []wishlistItem `json:"items"`
	UpdatedAt time.Time      `json:"updatedAt"`
}

type wishlistBatch struct {
	Items   []wishlist `json:"items"`
	Missing []string   `json:"missing"`
}

// userIDs lists the ids of users from..to (inclusive).
func userIDs(from, to int) []string {
	ids := make([]string, 0, to-from+1)
	for n := from; n <= to; n++ {
		ids = append(ids, data.UserID(n))
	}
	return ids
}

// Every seeded user has a wishlist: empty for some, otherwise 1..8
// distinct seeded products, newest first, added after the account was
// created, with updatedAt the newest addition (the account's creation when
// empty). The batch and single forms and repeated calls agree.
func TestWishlistsSeeded(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	d := data.Load()
	sizes := map[int]int{} // items per list -> lists
	var empty, full string
	for from := 1; from <= data.NumUsers; from += 100 {
		ids := userIDs(from, from+99)
		resp := cl.get("wishlists", "/wishlists?userIds="+strings.Join(ids, ","))
		if resp.Status != http.StatusOK {
			t.Fatalf("batch from %d: %d %s", from, resp.Status, resp.Body)
		}
		var b wishlistBatch
		resp.decode(t, &b)
		if len(b.Items) != len(ids) || len(b.Missing) != 0 {
			t.Fatalf("batch from %d: %d items, missing %v", from, len(b.Items), b.Missing)
		}
		for i, w := range b.Items {
			u := d.User(from + i)
			if w.UserID != ids[i] {
				t.Fatalf("item %d of batch from %d is %s", i, from, w.UserID)
			}
			sizes[len(w.Items)]++
			if len(w.Items) > 8 {
				t.Fatalf("%s: %d items", w.UserID, len(w.Items))
			}
			seen := map[string]bool{}
			for k, it := range w.Items {
				product(t, d, it.ProductID)
				if seen[it.ProductID] {
					t.Fatalf("%s: %s saved twice", w.UserID, it.ProductID)
				}
				seen[it.ProductID] = true
				if !it.AddedAt.After(u.CreatedAt) {
					t.Fatalf("%s: %s added %v, before the account (%v)", w.UserID, it.ProductID, it.AddedAt, u.CreatedAt)
				}
				if k > 0 && it.AddedAt.After(w.Items[k-1].AddedAt) {
					t.Fatalf("%s: not newest first", w.UserID)
				}
			}
			switch {
			case len(w.Items) == 0:
				empty = w.UserID
				if !w.UpdatedAt.Equal(u.CreatedAt) {
					t.Fatalf("%s: empty list updated %v, want the account's creation %v", w.UserID, w.UpdatedAt, u.CreatedAt)
				}
			case !w.UpdatedAt.Equal(w.Items[0].AddedAt):
				t.Fatalf("%s: updated %v, newest item added %v", w.UserID, w.UpdatedAt, w.Items[0].AddedAt)
			case len(w.Items) == 8:
				full = w.UserID
			}
		}
	}
	if sizes[0] < data.NumUsers/10 || sizes[0] > data.NumUsers/2 || sizes[1] == 0 || sizes[8] == 0 {
		t.Fatalf("wishlist sizes %v: want some empty, some with 1 and some with 8 items", sizes)
	}

	// The single form answers the same lists, on every call.
	for _, id := range []string{empty, full, "usr_000001", "usr_003000"} {
		var b wishlistBatch
		cl.get("wishlists", "/wishlists?userIds="+id).decode(t, &b)
		for range 2 {
			var one wishlist
			cl.get("wishlists", "/users/"+id+"/wishlist").decode(t, &one)
			if len(b.Items) != 1 || !reflect.DeepEqual(one, b.Items[0]) {
				t.Fatalf("%s: single %+v, batch %+v", id, one, b.Items)
			}
		}
	}
	// An empty wishlist is a 200 with items [] (not null, not 404).
	resp := cl.get("wishlists", "/users/"+empty+"/wishlist")
	if resp.Status != http.StatusOK || !bytes.Contains(resp.Body, []byte(`"items":[]`)) {
		t.Fatalf("empty wishlist of %s: %d %s", empty, resp.Status, resp.Body)
	}
}

// The batch form takes up to 100 ids, in request order, lists unknown users
// as missing, and rejects malformed ids and longer lists with 400; the
// single form is 400 for a malformed id and 404 for an unknown user.
func TestWishlistsBadInput(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)

	// 99 known ids, an unknown one and a duplicate: 100 distinct ids.
	known := userIDs(2902, 3000)
	var b wishlistBatch
	resp := cl.get("wishlists", "/wishlists?userIds="+strings.Join(append(known, "usr_003001", known[0]), ","))
	resp.decode(t, &b)
	if resp.Status != http.StatusOK || len(b.Items) != len(known) || !reflect.DeepEqual(b.Missing, []string{"usr_003001"}) {
		t.Fatalf("100 distinct ids, one unknown: %d, %d items, missing %v", resp.Status, len(b.Items), b.Missing)
	}
	for i, w := range b.Items {
		if w.UserID != known[i] {
			t.Fatalf("item %d is %s, want %s", i, w.UserID, known[i])
		}
	}

	for _, tc := range []struct {
		target string
		status int
	}{
		{"/users/usr_42/wishlist", 400},
		{"/users/prd_000042/wishlist", 400},
		{"/users/usr_000042x/wishlist", 400},
		{"/users/usr_003001/wishlist", 404},
		{"/users/usr_000000/wishlist", 404},
		{"/wishlists", 400},
		{"/wishlists?userIds=", 400},
		{"/wishlists?userIds=usr_000001,,usr_000002", 400},
		{"/wishlists?userIds=usr_000001,rev_000001", 400},
		{"/wishlists?userIds=" + strings.Join(userIDs(1, 101), ","), 400},
		{"/wishlists?userIds=" + strings.Join(userIDs(1, 501), ","), 400},
	} {
		resp := cl.get("wishlists", tc.target)
		if resp.Status != tc.status {
			t.Errorf("%.80s: %d, want %d: %s", tc.target, resp.Status, tc.status, resp.Body)
			continue
		}
		want := map[int]string{400: "BAD_REQUEST", 404: "NOT_FOUND"}[tc.status]
		if code := resp.errorCode(t); code != want {
			t.Errorf("%.80s: code %s, want %s", tc.target, code, want)
		}
	}
}

// Calls are counted per route, and faults apply to the service like to
// every other mock.
func TestWishlistsCountersAndFaults(t *testing.T) {
	c := startCluster(t)
	cl := newClient(t, c)
	const single, batch = "GET /users/{userId}/wishlist", "GET /wishlists"
	for _, id := range []string{"usr_000001", "usr_000002", "usr_x"} {
		cl.get("wishlists", "/users/"+id+"/wishlist")
	}
	cl.get("wishlists", "/wishlists?userIds=usr_000001,usr_000002")
	if n, m := c.Counters().Get("wishlists", single), c.Counters().Get("wishlists", batch); n != 3 || m != 1 {
		t.Fatalf("counted %d single and %d batch calls, want 3 and 1", n, m)
	}
	var viaAdmin struct {
		Total  int64
		Routes map[string]int64
	}
	cl.get("mocks-admin", "/counters/wishlists").decode(t, &viaAdmin)
	if viaAdmin.Total != 4 || viaAdmin.Routes[single] != 3 || viaAdmin.Routes[batch] != 1 {
		t.Fatalf("admin counters: %v", viaAdmin)
	}

	c.Faults().Set("wishlists", batch, mocks.Fault{Kind: mocks.FaultError, Status: 503})
	// Faults answer outside the contract on purpose: no validation here.
	status, body, err := rawGet(t.Context(), c.URL("wishlists")+"/wishlists?userIds=usr_000001")
	if err != nil || status != 503 || !strings.Contains(string(body), "UNAVAILABLE") {
		t.Fatalf("faulted call: %d %s %v", status, body, err)
	}
	if r := cl.get("wishlists", "/users/usr_000001/wishlist"); r.Status != 200 {
		t.Fatalf("a fault on one route hit another: %d", r.Status)
	}
	c.Faults().Remove("wishlists", batch)
	if r := cl.get("wishlists", "/wishlists?userIds=usr_000001"); r.Status != 200 {
		t.Fatalf("after clearing the fault: %d %s", r.Status, r.Body)
	}
}
