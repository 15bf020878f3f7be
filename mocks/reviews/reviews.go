package reviews

import (
	"net/http"
	"sort"

	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/mocks/internal/rest"
	"github.com/tandemgw/tandem/mocks/internal/service"
)

// Name is the service name of schema/README.md.
const Name = "reviews"

// Spec describes the service to the cluster.
func Spec() service.Spec {
	return service.Spec{Name: Name, Kind: service.REST, DefaultAddr: "127.0.0.1:9104", Routes: routes}
}

func routes(env service.Env) []rest.Route {
	s := &server{d: env.Data}
	return []rest.Route{
		{Pattern: "GET /reviews/{id}", Handler: s.review},
		{Pattern: "GET /reviews", Handler: s.reviewBatch},
		{Pattern: "GET /products/{productId}/reviews", Handler: s.ofProduct},
		{Pattern: "GET /products/{productId}/summary", Handler: s.summary},
		{Pattern: "GET /summaries", Handler: s.summaries},
	}
}

type server struct{ d *data.Set }

func validReview(id string) bool  { _, ok := data.ParseReviewID(id); return ok }
func validProduct(id string) bool { _, ok := data.ParseProductID(id); return ok }

func (s *server) lookupReview(id string) (*data.Review, bool) {
	n, _ := data.ParseReviewID(id)
	v := s.d.Review(n)
	return v, v != nil
}

func (s *server) lookupSummary(id string) (*data.RatingSummary, bool) {
	n, _ := data.ParseProductID(id)
	if s.d.Product(n) == nil {
		return nil, false
	}
	return &s.d.Summaries[n-1], true
}

func (s *server) review(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validReview(id) {
		rest.BadRequest(w, "malformed review id")
		return
	}
	v, ok := s.lookupReview(id)
	if !ok {
		rest.NotFound(w, "no review %s", id)
		return
	}
	rest.WriteJSON(w, http.StatusOK, v)
}

func (s *server) reviewBatch(w http.ResponseWriter, r *http.Request) {
	ids, err := rest.ParseIDs(r, "ids", validReview)
	if err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, rest.Batch(ids, s.lookupReview))
}

// product resolves {productId}, answering 400/404 itself when it fails.
func (s *server) product(w http.ResponseWriter, r *http.Request) (int, bool) {
	id := r.PathValue("productId")
	n, ok := data.ParseProductID(id)
	if !ok {
		rest.BadRequest(w, "malformed product id")
		return 0, false
	}
	if s.d.Product(n) == nil {
		rest.NotFound(w, "no product %s", id)
		return 0, false
	}
	return n, true
}

// ofProduct lists a product's reviews newest first; the cursor is the
// (createdAt, review number) of the last review seen.
func (s *server) ofProduct(w http.ResponseWriter, r *http.Request) {
	n, ok := s.product(w, r)
	if !ok {
		return
	}
	limit, err := rest.ParseLimit(r)
	if err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	cur, err := rest.ParseCursor(r, "reviews:"+s.d.Products[n-1].ID, 2)
	if err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	list := s.d.ReviewsByProduct[n-1]
	rev := func(i int) *data.Review { return &s.d.Reviews[list[i]-1] }
	after := 0
	if cur != nil {
		ct, cn := unixTime(cur.Key[0]), int(cur.Key[1])
		after = sort.Search(len(list), func(i int) bool {
			return data.NewestFirst(ct, cn, rev(i).CreatedAt, list[i]) < 0
		})
	}
	rest.WriteJSON(w, http.StatusOK, rest.Paginate("reviews:"+s.d.Products[n-1].ID, len(list), after, limit, rev,
		func(i int) []int64 { return []int64{rev(i).CreatedAt.Unix(), int64(list[i])} }))
}

func (s *server) summary(w http.ResponseWriter, r *http.Request) {
	n, ok := s.product(w, r)
	if !ok {
		return
	}
	rest.WriteJSON(w, http.StatusOK, &s.d.Summaries[n-1])
}

func (s *server) summaries(w http.ResponseWriter, r *http.Request) {
	ids, err := rest.ParseIDs(r, "productIds", validProduct)
	if err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, rest.Batch(ids, s.lookupSummary))
}
