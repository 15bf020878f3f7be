package accounts

import (
	"net/http"
	"sort"

	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/mocks/internal/rest"
	"github.com/tandemgw/tandem/mocks/internal/service"
	"github.com/tandemgw/tandem/shared/gen/openapi/accountsapi"
)

// Name is the service name of schema/README.md.
const Name = "accounts"

// Spec describes the service to the cluster.
func Spec() service.Spec {
	return service.Spec{Name: Name, Kind: service.REST, DefaultAddr: "127.0.0.1:9101", Routes: routes}
}

func routes(env service.Env) []rest.Route {
	s := &server{d: env.Data}
	return []rest.Route{
		{Pattern: "GET /users/{id}", Handler: s.user},
		{Pattern: "GET /users", Handler: s.users},
		{Pattern: "GET /users/{id}/addresses", Handler: s.addresses},
		{Pattern: "GET /addresses", Handler: s.addressBatch},
	}
}

type server struct{ d *data.Set }

func validUser(id string) bool { _, ok := data.ParseUserID(id); return ok }

func validAddress(id string) bool { _, _, ok := data.ParseAddressID(id); return ok }

func (s *server) lookupUser(id string) (*data.User, bool) {
	n, _ := data.ParseUserID(id)
	u := s.d.User(n)
	return u, u != nil
}

func (s *server) lookupAddress(id string) (*data.Address, bool) {
	u, k, _ := data.ParseAddressID(id)
	a := s.d.Address(u, k)
	return a, a != nil
}

func (s *server) user(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validUser(id) {
		rest.BadRequest(w, "malformed user id")
		return
	}
	u, ok := s.lookupUser(id)
	if !ok {
		rest.NotFound(w, "no user %s", id)
		return
	}
	rest.WriteJSON(w, http.StatusOK, u)
}

// users is the batch form (?ids=) or the paginated list of all users.
func (s *server) users(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Has("ids") {
		ids, err := rest.ParseIDs(r, "ids", validUser)
		if err != nil {
			rest.BadRequest(w, "%v", err)
			return
		}
		rest.WriteJSON(w, http.StatusOK, rest.Batch(ids, s.lookupUser))
		return
	}
	limit, err := rest.ParseLimit(r)
	if err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	cur, err := rest.ParseCursor(r, "users", 1)
	if err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	n := len(s.d.Users)
	after := 0
	if cur != nil {
		after = sort.Search(n, func(i int) bool { return int64(i+1) > cur.Key[0] })
	}
	rest.WriteJSON(w, http.StatusOK, rest.Paginate("users", n, after, limit,
		func(i int) *data.User { return &s.d.Users[i] },
		func(i int) []int64 { return []int64{int64(i + 1)} }))
}

func (s *server) addresses(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validUser(id) {
		rest.BadRequest(w, "malformed user id")
		return
	}
	n, _ := data.ParseUserID(id)
	if s.d.User(n) == nil {
		rest.NotFound(w, "no user %s", id)
		return
	}
	rest.WriteJSON(w, http.StatusOK, accountsapi.AddressList{Items: s.d.Addresses[n-1]})
}

func (s *server) addressBatch(w http.ResponseWriter, r *http.Request) {
	ids, err := rest.ParseIDs(r, "ids", validAddress)
	if err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	rest.WriteJSON(w, http.StatusOK, rest.Batch(ids, s.lookupAddress))
}
