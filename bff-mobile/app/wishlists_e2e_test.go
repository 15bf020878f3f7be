package app_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
)

// TestHomeWishlistCount reads the wishlist badge: the count the wishlists
// service reports for the signed-in viewer, one call; null and no call for
// an anonymous caller.
func TestHomeWishlistCount(t *testing.T) {
	e := newEnv(t, nil)
	var d struct{ Home struct{ WishlistCount *int } }
	for _, user := range []string{"usr_000007", "usr_000042"} {
		e.Mocks.Counters().Reset()
		r := e.do(req{query: `{ home { wishlistCount } }`, token: e.Token(user)})
		r.NoErrors(t)
		r.Decode(t, &d)
		res, err := http.Get(e.Mocks.URL("wishlists") + "/users/" + user + "/wishlist")
		if err != nil {
			t.Fatal(err)
		}
		var want struct{ ItemCount int }
		err = json.NewDecoder(res.Body).Decode(&want)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if d.Home.WishlistCount == nil || *d.Home.WishlistCount != want.ItemCount {
			t.Fatalf("%s: wishlistCount %s, want %d", user, r.Raw, want.ItemCount)
		}
		if n := e.Mocks.Counters().Total("wishlists"); n != 2 { // the query's and the test's own
			t.Fatalf("%s: %d calls to wishlists, want 1 from the query", user, n-1)
		}
	}
	e.Mocks.Counters().Reset()
	r := e.do(req{query: `{ home { wishlistCount } }`})
	r.NoErrors(t)
	r.Decode(t, &d)
	if d.Home.WishlistCount != nil || e.Mocks.Counters().Total("wishlists") != 0 {
		t.Fatalf("anonymous: %s, %s", r.Raw, fmt.Sprint(e.Mocks.Counters().Snapshot()))
	}
}
