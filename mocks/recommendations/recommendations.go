package recommendations

import (
	"cmp"
	"math"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/mocks/internal/rest"
	"github.com/tandemgw/tandem/mocks/internal/service"
	"github.com/tandemgw/tandem/shared/gen/openapi/recommendationsapi"
)

// Name is the service name of schema/README.md.
const Name = "recommendations"

// Spec describes the service to the cluster.
func Spec() service.Spec {
	return service.Spec{Name: Name, Kind: service.REST, DefaultAddr: "127.0.0.1:9105", Routes: routes}
}

func routes(env service.Env) []rest.Route {
	s := &server{d: env.Data}
	return []rest.Route{
		{Pattern: "GET /products/{productId}/related", Handler: s.related},
		{Pattern: "GET /users/{userId}/recommendations", Handler: s.forUser},
	}
}

type server struct {
	d *data.Set

	popularOnce sync.Once
	popular     []scored // every product, best rated first
}

// Limits of ?limit= on both lists.
const (
	defaultLimit = 10
	maxLimit     = 50
)

func parseLimit(r *http.Request) (int, bool) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return defaultLimit, true
	}
	n, err := strconv.Atoi(v)
	return n, err == nil && n >= 1 && n <= maxLimit
}

// scored is a candidate product number and its score.
type scored struct {
	n     int
	score float64
}

// best orders candidates by score, highest first, then by product number,
// so equal scores always come out in the same order.
func best(a, b scored) int {
	if c := cmp.Compare(b.score, a.score); c != 0 {
		return c
	}
	return cmp.Compare(a.n, b.n)
}

// round keeps scores short and stable in JSON.
func round(x float64) float64 { return math.Round(x*1e4) / 1e4 }

// rating is product n's rating pulled towards 3.5 stars by five imaginary
// votes (so one 5-star review does not beat a hundred 4.8s), scaled to 0..1.
func (s *server) rating(n int) float64 {
	sum := s.d.Summaries[n-1]
	const prior, votes = 3.5, 5
	return (sum.Average*float64(sum.Count) + prior*votes) / float64(sum.Count+votes) / 5
}

// Weights of the related-products score; they add up to 1.
const (
	wCategory = 0.55
	wBrand    = 0.25
	wTags     = 0.10
	wRating   = 0.10
)

// related lists products of the same category or brand, best first: the
// score adds what they share (category, brand, the Jaccard index of the
// tags) and how well they are rated.
func (s *server) related(w http.ResponseWriter, r *http.Request) {
	n, ok := data.ParseProductID(r.PathValue("productId"))
	if !ok {
		rest.BadRequest(w, "malformed product id")
		return
	}
	limit, ok := parseLimit(r)
	if !ok {
		rest.BadRequest(w, "limit must be 1..%d", maxLimit)
		return
	}
	p := s.d.Product(n)
	if p == nil {
		rest.NotFound(w, "no product %s", r.PathValue("productId"))
		return
	}
	var cands []scored
	for i := range s.d.Products {
		q := &s.d.Products[i]
		m := i + 1
		sameCat, sameBrand := q.CategoryID == p.CategoryID, q.Brand == p.Brand
		if m == n || (!sameCat && !sameBrand) {
			continue
		}
		score := wTags*jaccard(p.Tags, q.Tags) + wRating*s.rating(m)
		if sameCat {
			score += wCategory
		}
		if sameBrand {
			score += wBrand
		}
		cands = append(cands, scored{m, round(score)})
	}
	slices.SortFunc(cands, best)
	items := make([]recommendationsapi.Related, 0, min(limit, len(cands)))
	for _, c := range cands[:min(limit, len(cands))] {
		items = append(items, recommendationsapi.Related{ProductID: data.ProductID(c.n), Score: c.score})
	}
	rest.WriteJSON(w, http.StatusOK, recommendationsapi.RelatedList{Items: items})
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted tag lists.
func jaccard(a, b []string) float64 {
	common := 0
	for _, t := range a {
		if _, found := slices.BinarySearch(b, t); found {
			common++
		}
	}
	union := len(a) + len(b) - common
	if union == 0 {
		return 0
	}
	return float64(common) / float64(union)
}

// Weights of the per-user score; they add up to 1.
const (
	wAffinity   = 0.7
	wUserRating = 0.3
)

// reasonPopular explains a recommendation that is not from the history.
const reasonPopular = "Popular with shoppers right now"

// forUser recommends products from the categories of the user's order
// history. Each order line adds its quantity to its category's affinity,
// divided by the order's position in the history (newest first), so recent
// and large orders count most; cancelled orders count nothing. A candidate
// scores by its category's share of the strongest affinity and by its
// rating; products the user bought are left out. Users without a history,
// and lists the history cannot fill, get the best-rated products.
func (s *server) forUser(w http.ResponseWriter, r *http.Request) {
	u, ok := data.ParseUserID(r.PathValue("userId"))
	if !ok {
		rest.BadRequest(w, "malformed user id")
		return
	}
	limit, ok := parseLimit(r)
	if !ok {
		rest.BadRequest(w, "limit must be 1..%d", maxLimit)
		return
	}
	if s.d.User(u) == nil {
		rest.NotFound(w, "no user %s", r.PathValue("userId"))
		return
	}
	affinity := map[string]float64{} // category id -> weight
	bought := map[string]bool{}      // product ids
	for i, on := range s.d.OrdersByUser[u-1] {
		o := s.d.Order(on)
		if o.Status == data.StatusCancelled {
			continue
		}
		for _, l := range o.Lines {
			pn, _ := data.ParseProductID(l.ProductID)
			affinity[s.d.Products[pn-1].CategoryID] += float64(l.Quantity) / float64(i+1)
			bought[l.ProductID] = true
		}
	}
	strongest := 0.0
	for _, a := range affinity {
		strongest = max(strongest, a)
	}
	var cands []scored
	if strongest > 0 {
		for i := range s.d.Products {
			p := &s.d.Products[i]
			a := affinity[p.CategoryID]
			if a == 0 || bought[p.ID] {
				continue
			}
			cands = append(cands, scored{i + 1, round(wAffinity*a/strongest + wUserRating*s.rating(i+1))})
		}
		slices.SortFunc(cands, best)
	}
	items := make([]recommendationsapi.Recommendation, 0, limit)
	seen := map[int]bool{}
	for _, c := range cands[:min(limit, len(cands))] {
		cat, _ := data.ParseCategoryID(s.d.Products[c.n-1].CategoryID)
		items = append(items, recommendationsapi.Recommendation{
			ProductID: data.ProductID(c.n),
			Score:     c.score,
			Reason:    "Because you bought from " + s.d.Category(cat).Name,
		})
		seen[c.n] = true
	}
	// Popular products fill the rest, scored by rating below the last
	// history-based one, so the list stays best first.
	ceiling := wUserRating
	if len(items) > 0 {
		ceiling = items[len(items)-1].Score
	}
	for _, c := range s.bestRated() {
		if len(items) == limit {
			break
		}
		if seen[c.n] || bought[data.ProductID(c.n)] {
			continue
		}
		items = append(items, recommendationsapi.Recommendation{ProductID: data.ProductID(c.n), Score: round(c.score * ceiling), Reason: reasonPopular})
	}
	rest.WriteJSON(w, http.StatusOK, recommendationsapi.RecommendationList{Items: items})
}

// bestRated is every product by rating, best first, computed once.
func (s *server) bestRated() []scored {
	s.popularOnce.Do(func() {
		s.popular = make([]scored, len(s.d.Products))
		for i := range s.popular {
			s.popular[i] = scored{i + 1, s.rating(i + 1)}
		}
		slices.SortFunc(s.popular, best)
	})
	return s.popular
}
