package catalog

import (
	"net/http"
	"sort"
	"strings"

	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/mocks/internal/rest"
	"github.com/tandemgw/tandem/mocks/internal/service"
	"github.com/tandemgw/tandem/shared/gen/openapi/catalogapi"
)

// Name is the service name of schema/README.md.
const Name = "catalog"

// Spec describes the service to the cluster.
func Spec() service.Spec {
	return service.Spec{Name: Name, Kind: service.REST, DefaultAddr: "127.0.0.1:9102", Routes: routes}
}

func routes(env service.Env) []rest.Route {
	s := &server{d: env.Data}
	return []rest.Route{
		{Pattern: "GET /products/{id}", Handler: s.product},
		{Pattern: "GET /products", Handler: s.products},
		{Pattern: "GET /categories/{id}", Handler: s.category},
		{Pattern: "GET /categories", Handler: s.categories},
	}
}

type server struct{ d *data.Set }

// maxQuery bounds ?q= so a search cannot be made arbitrarily expensive.
const maxQuery = 100

func validProduct(id string) bool  { _, ok := data.ParseProductID(id); return ok }
func validCategory(id string) bool { _, ok := data.ParseCategoryID(id); return ok }

func (s *server) lookupProduct(id string) (*data.Product, bool) {
	n, _ := data.ParseProductID(id)
	p := s.d.Product(n)
	return p, p != nil
}

func (s *server) lookupCategory(id string) (*data.Category, bool) {
	n, _ := data.ParseCategoryID(id)
	c := s.d.Category(n)
	return c, c != nil
}

func (s *server) product(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validProduct(id) {
		rest.BadRequest(w, "malformed product id")
		return
	}
	p, ok := s.lookupProduct(id)
	if !ok {
		rest.NotFound(w, "no product %s", id)
		return
	}
	rest.WriteJSON(w, http.StatusOK, p)
}

// summary is p without its description and images (?view=basic).
func summary(p *data.Product) *catalogapi.ProductSummary {
	return &catalogapi.ProductSummary{Brand: p.Brand, CategoryID: p.CategoryID, CreatedAt: p.CreatedAt, ID: p.ID, Name: p.Name, SKU: p.SKU, Tags: p.Tags}
}

// products is the batch form (?ids=) or search and listing in id order;
// ?view=basic answers with summaries.
func (s *server) products(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var basic bool
	switch q.Get("view") {
	case "", "full":
	case "basic":
		basic = true
	default:
		rest.BadRequest(w, "view must be full or basic")
		return
	}
	if q.Has("ids") {
		ids, err := rest.ParseIDs(r, "ids", validProduct)
		if err != nil {
			rest.BadRequest(w, "%v", err)
			return
		}
		if basic {
			rest.WriteJSON(w, http.StatusOK, rest.Batch(ids, func(id string) (*catalogapi.ProductSummary, bool) {
				p, ok := s.lookupProduct(id)
				if !ok {
					return nil, false
				}
				return summary(p), true
			}))
			return
		}
		rest.WriteJSON(w, http.StatusOK, rest.Batch(ids, s.lookupProduct))
		return
	}
	limit, err := rest.ParseLimit(r)
	if err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	cur, err := rest.ParseCursor(r, "products", 1)
	if err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	cat := 0
	if c := q.Get("category"); c != "" {
		var ok bool
		if cat, ok = data.ParseCategoryID(c); !ok {
			rest.BadRequest(w, "malformed category id")
			return
		}
	}
	brand := q.Get("brand")
	needle := strings.ToLower(strings.TrimSpace(q.Get("q")))
	if len(needle) > maxQuery {
		rest.BadRequest(w, "q is longer than %d bytes", maxQuery)
		return
	}
	var matches []int // product numbers in ascending order
	for n := 1; n <= len(s.d.Products); n++ {
		if cat != 0 && !s.d.InCategory(n, cat) {
			continue
		}
		if brand != "" && !strings.EqualFold(s.d.Products[n-1].Brand, brand) {
			continue
		}
		if needle != "" && !s.d.MatchesQuery(n, needle) {
			continue
		}
		matches = append(matches, n)
	}
	after := 0
	if cur != nil {
		after = sort.Search(len(matches), func(i int) bool { return int64(matches[i]) > cur.Key[0] })
	}
	key := func(i int) []int64 { return []int64{int64(matches[i])} }
	if basic {
		rest.WriteJSON(w, http.StatusOK, rest.Paginate("products", len(matches), after, limit,
			func(i int) *catalogapi.ProductSummary { return summary(&s.d.Products[matches[i]-1]) }, key))
		return
	}
	rest.WriteJSON(w, http.StatusOK, rest.Paginate("products", len(matches), after, limit,
		func(i int) *data.Product { return &s.d.Products[matches[i]-1] }, key))
}

func (s *server) category(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validCategory(id) {
		rest.BadRequest(w, "malformed category id")
		return
	}
	c, ok := s.lookupCategory(id)
	if !ok {
		rest.NotFound(w, "no category %s", id)
		return
	}
	rest.WriteJSON(w, http.StatusOK, c)
}

// categories is the batch form (?ids=) or every category.
func (s *server) categories(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("ids") {
		ids, err := rest.ParseIDs(r, "ids", validCategory)
		if err != nil {
			rest.BadRequest(w, "%v", err)
			return
		}
		rest.WriteJSON(w, http.StatusOK, rest.Batch(ids, s.lookupCategory))
		return
	}
	rest.WriteJSON(w, http.StatusOK, catalogapi.CategoryList{Items: s.d.Categories})
}
