package wishlists

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/mocks/internal/rest"
	"github.com/tandemgw/tandem/mocks/internal/service"
	"github.com/tandemgw/tandem/shared/gen/openapi/wishlistsapi"
)

// Name is the service name of schema/README.md.
const Name = "wishlists"

// Spec describes the service to the cluster.
func Spec() service.Spec {
	return service.Spec{Name: Name, Kind: service.REST, DefaultAddr: "127.0.0.1:9106", Routes: routes}
}

func routes(env service.Env) []rest.Route {
	s := &server{d: env.Data}
	return []rest.Route{
		{Pattern: "GET /users/{userId}/wishlist", Handler: s.single},
		{Pattern: "GET /wishlists", Handler: s.batch},
	}
}

// maxBatch is the contract's limit on ?userIds=.
const maxBatch = 100

// Shape of the seeded wishlists; changing the seed changes every list.
const (
	seed      = 0x3f1c2b7a
	maxItems  = 8
	addWindow = 365 * 24 * time.Hour // after the account's creation
)

type (
	wishlist = wishlistsapi.Wishlist
	item     = wishlistsapi.WishlistItem
)

type server struct{ d *data.Set }

// wishlist is user n's seeded wishlist, newest item first; ok is false for
// an unknown user. An empty list was last changed when the account was
// created.
func (s *server) wishlist(n int) (w wishlist, ok bool) {
	u := s.d.User(n)
	if u == nil {
		return wishlist{}, false
	}
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	w = wishlist{UserID: u.ID, Items: []item{}, UpdatedAt: u.CreatedAt}
	if r.IntN(4) == 0 {
		return w, true
	}
	for count := 1 + r.IntN(maxItems); len(w.Items) < count; {
		id := data.ProductID(1 + r.IntN(len(s.d.Products)))
		if slices.ContainsFunc(w.Items, func(it item) bool { return it.ProductID == id }) {
			continue
		}
		added := u.CreatedAt.Add(time.Duration(1+r.Int64N(int64(addWindow/time.Second))) * time.Second)
		w.Items = append(w.Items, item{ProductID: id, AddedAt: added})
	}
	slices.SortFunc(w.Items, func(a, b item) int {
		return cmp.Or(b.AddedAt.Compare(a.AddedAt), cmp.Compare(a.ProductID, b.ProductID))
	})
	w.UpdatedAt, w.ItemCount = w.Items[0].AddedAt, len(w.Items)
	return w, true
}

func (s *server) single(w http.ResponseWriter, r *http.Request) {
	n, ok := data.ParseUserID(r.PathValue("userId"))
	if !ok {
		rest.BadRequest(w, "malformed user id")
		return
	}
	list, ok := s.wishlist(n)
	if !ok {
		rest.NotFound(w, "no user %s", r.PathValue("userId"))
		return
	}
	rest.WriteJSON(w, http.StatusOK, list)
}

func (s *server) batch(w http.ResponseWriter, r *http.Request) {
	ids, err := rest.ParseIDs(r, "userIds", func(id string) bool { _, ok := data.ParseUserID(id); return ok })
	if err == nil && len(ids) > maxBatch {
		err = fmt.Errorf("userIds lists %d ids; at most %d are allowed", len(ids), maxBatch)
	}
	if err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, rest.Batch(ids, func(id string) (wishlist, bool) {
		n, _ := data.ParseUserID(id)
		return s.wishlist(n)
	}))
}
