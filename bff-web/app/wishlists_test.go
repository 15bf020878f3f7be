package app_test

import (
	"testing"
)

// TestViewerWishlist reads the viewer's wishlist with each product and its
// stock: one call to each of wishlists, catalog and inventory, whatever the
// number of items (the generated prefetch steps load each level at once).
func TestViewerWishlist(t *testing.T) {
	e := newEnv(t, nil)
	const query = `{ viewer { wishlist { itemCount updatedAt items { addedAt product { id name stock { inStock } } } } } }`
	for _, user := range []string{"usr_000007", "usr_000042", "usr_000099"} {
		e.Mocks.Counters().Reset()
		r := e.do(gql{query: query, token: e.Token(user)})
		r.NoErrors(t)
		var d struct {
			Viewer struct {
				Wishlist *struct {
					ItemCount int
					UpdatedAt string
					Items     []struct {
						AddedAt string
						Product *struct {
							ID, Name string
							Stock    *struct{ InStock bool }
						}
					}
				}
			}
		}
		r.Decode(t, &d)
		w := d.Viewer.Wishlist
		if w == nil || w.UpdatedAt == "" || w.ItemCount != len(w.Items) {
			t.Fatalf("%s: wishlist: %s", user, r.Raw)
		}
		for _, it := range w.Items {
			if it.AddedAt == "" || it.Product == nil || it.Product.ID == "" || it.Product.Name == "" || it.Product.Stock == nil {
				t.Fatalf("%s: item: %s", user, r.Raw)
			}
		}
		want := map[string]int64{"wishlists": 1, "catalog": 1, "inventory": 1}
		if len(w.Items) == 0 {
			want = map[string]int64{"wishlists": 1}
		}
		for svc, n := range want {
			if got := e.Mocks.Counters().Total(svc); got != n {
				t.Errorf("%s: %d calls to %s, want %d (%v)", user, got, svc, n, e.Mocks.Counters().Snapshot())
			}
		}
	}
}
