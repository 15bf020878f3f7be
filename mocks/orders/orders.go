package orders

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/mocks/internal/rest"
	"github.com/tandemgw/tandem/mocks/internal/service"
	"github.com/tandemgw/tandem/shared/gen/openapi/ordersapi"
)

// Name is the service name of schema/README.md.
const Name = "orders"

// Limits enforced on writes.
const (
	maxBody        = 16 << 10 // bytes of a request body
	maxQuantity    = 99       // units of one product in a cart
	maxCartLines   = 50       // distinct products in a cart
	maxKeyLength   = 255      // bytes of an Idempotency-Key
	idempotencyHdr = "Idempotency-Key"
	replayedHdr    = "Idempotent-Replayed"
)

// Spec describes the service to the cluster.
func Spec() service.Spec {
	return service.Spec{Name: Name, Kind: service.REST, DefaultAddr: "127.0.0.1:9103", Routes: routes}
}

func routes(env service.Env) []rest.Route {
	s := &server{d: env.Data, now: time.Now, st: store{
		carts:  map[int]*Cart{},
		byUser: map[int][]int{},
		idem:   map[string]idemRecord{},
	}}
	return []rest.Route{
		{Pattern: "GET /orders/{id}", Handler: s.order},
		{Pattern: "GET /orders", Handler: s.orders},
		{Pattern: "POST /orders", Handler: s.place},
		{Pattern: "GET /carts/{userId}", Handler: s.cart},
		{Pattern: "POST /carts/{userId}/lines", Handler: s.addLine},
	}
}

// Cart is a user's cart.
type Cart = ordersapi.Cart

// CartLine is a product and quantity in a cart; it is also the body of
// POST /carts/{userId}/lines.
type CartLine = ordersapi.CartLine

// placeRequest is the body of POST /orders.
type placeRequest = ordersapi.PlaceOrderRequest

// idemRecord is the first successful answer to an idempotency key and the
// request it answered.
type idemRecord struct {
	req   placeRequest
	order int // order number
}

// store is the per-cluster mutable state. Placed orders are numbered after
// the seeded ones and never change once created.
type store struct {
	mu     sync.RWMutex
	carts  map[int]*Cart // user number -> cart
	placed []*data.Order // order number data.NumOrders+1+i
	byUser map[int][]int // user number -> placed order numbers, oldest first
	idem   map[string]idemRecord
}

type server struct {
	d   *data.Set
	now func() time.Time
	st  store
}

func validOrder(id string) bool { _, ok := data.ParseOrderID(id); return ok }

func (s *server) lookupOrder(id string) (*data.Order, bool) {
	n, _ := data.ParseOrderID(id)
	if o := s.d.Order(n); o != nil {
		return o, true
	}
	s.st.mu.RLock()
	defer s.st.mu.RUnlock()
	if i := n - data.NumOrders - 1; i >= 0 && i < len(s.st.placed) {
		return s.st.placed[i], true
	}
	return nil, false
}

func (s *server) order(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !validOrder(id) {
		rest.BadRequest(w, "malformed order id")
		return
	}
	o, ok := s.lookupOrder(id)
	if !ok {
		rest.NotFound(w, "no order %s", id)
		return
	}
	rest.WriteJSON(w, http.StatusOK, o)
}

// orders is the batch form (?ids=) or a user's orders (?userId=), newest
// first; the cursor is the (createdAt, order number) of the last order seen.
func (s *server) orders(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Has("ids") {
		ids, err := rest.ParseIDs(r, "ids", validOrder)
		if err != nil {
			rest.BadRequest(w, "%v", err)
			return
		}
		rest.WriteJSON(w, http.StatusOK, rest.Batch(ids, s.lookupOrder))
		return
	}
	if !q.Has("userId") {
		rest.BadRequest(w, "either ids or userId is required")
		return
	}
	u, ok := s.user(w, q.Get("userId"))
	if !ok {
		return
	}
	limit, err := rest.ParseLimit(r)
	if err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	listName := "orders:" + s.d.Users[u-1].ID
	cur, err := rest.ParseCursor(r, listName, 2)
	if err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	list := s.ordersOf(u)
	after := 0
	if cur != nil {
		ct, cn := time.Unix(cur.Key[0], 0).UTC(), int(cur.Key[1])
		after = sort.Search(len(list), func(i int) bool {
			n, _ := data.ParseOrderID(list[i].ID)
			return data.NewestFirst(ct, cn, list[i].CreatedAt, n) < 0
		})
	}
	rest.WriteJSON(w, http.StatusOK, rest.Paginate(listName, len(list), after, limit,
		func(i int) *data.Order { return list[i] },
		func(i int) []int64 {
			n, _ := data.ParseOrderID(list[i].ID)
			return []int64{list[i].CreatedAt.Unix(), int64(n)}
		}))
}

// ordersOf returns user u's seeded and placed orders, newest first.
func (s *server) ordersOf(u int) []*data.Order {
	seeded := s.d.OrdersByUser[u-1]
	s.st.mu.RLock()
	placed := s.st.byUser[u]
	list := make([]*data.Order, 0, len(seeded)+len(placed))
	for i := len(placed) - 1; i >= 0; i-- {
		list = append(list, s.st.placed[placed[i]-data.NumOrders-1])
	}
	s.st.mu.RUnlock()
	for _, n := range seeded {
		list = append(list, &s.d.Orders[n-1])
	}
	sort.SliceStable(list, func(i, j int) bool {
		ni, _ := data.ParseOrderID(list[i].ID)
		nj, _ := data.ParseOrderID(list[j].ID)
		return data.NewestFirst(list[i].CreatedAt, ni, list[j].CreatedAt, nj) < 0
	})
	return list
}

// user resolves a user id, answering 400/404 itself when it fails.
func (s *server) user(w http.ResponseWriter, id string) (int, bool) {
	n, ok := data.ParseUserID(id)
	if !ok {
		rest.BadRequest(w, "malformed user id")
		return 0, false
	}
	if s.d.User(n) == nil {
		rest.NotFound(w, "no user %s", id)
		return 0, false
	}
	return n, true
}

// cartOf returns a copy of user u's cart; a user without one has an empty
// cart last updated when the account was created. Callers hold st.mu.
func (s *server) cartOf(u int) Cart {
	if c, ok := s.st.carts[u]; ok {
		out := *c
		out.Lines = append([]CartLine{}, c.Lines...)
		return out
	}
	usr := &s.d.Users[u-1]
	return Cart{UserID: usr.ID, Lines: []CartLine{}, UpdatedAt: usr.CreatedAt}
}

func (s *server) cart(w http.ResponseWriter, r *http.Request) {
	u, ok := s.user(w, r.PathValue("userId"))
	if !ok {
		return
	}
	s.st.mu.RLock()
	c := s.cartOf(u)
	s.st.mu.RUnlock()
	rest.WriteJSON(w, http.StatusOK, c)
}

// decode reads a JSON body strictly: bounded size, no unknown fields, no
// trailing data.
func decode(r *http.Request, w http.ResponseWriter, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return errors.New("body is too large or unreadable")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.New("body is not the expected JSON object")
	}
	if dec.More() {
		return errors.New("body has trailing data")
	}
	return nil
}

func (s *server) addLine(w http.ResponseWriter, r *http.Request) {
	u, ok := s.user(w, r.PathValue("userId"))
	if !ok {
		return
	}
	var line CartLine
	if err := decode(r, w, &line); err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	p, ok := data.ParseProductID(line.ProductID)
	if !ok {
		rest.BadRequest(w, "malformed productId")
		return
	}
	if s.d.Product(p) == nil {
		rest.BadRequest(w, "no product %s", line.ProductID)
		return
	}
	if line.Quantity < 1 || line.Quantity > maxQuantity {
		rest.BadRequest(w, "quantity must be from 1 to %d", maxQuantity)
		return
	}
	s.st.mu.Lock()
	c := s.cartOf(u)
	found := false
	for i := range c.Lines {
		if c.Lines[i].ProductID == line.ProductID {
			if c.Lines[i].Quantity+line.Quantity > maxQuantity {
				s.st.mu.Unlock()
				rest.BadRequest(w, "at most %d units of one product fit in a cart", maxQuantity)
				return
			}
			c.Lines[i].Quantity += line.Quantity
			found = true
		}
	}
	if !found {
		if len(c.Lines) >= maxCartLines {
			s.st.mu.Unlock()
			rest.BadRequest(w, "a cart holds at most %d products", maxCartLines)
			return
		}
		c.Lines = append(c.Lines, line)
	}
	c.UpdatedAt = s.now().UTC().Truncate(time.Second)
	s.st.carts[u] = &c
	out := s.cartOf(u)
	s.st.mu.Unlock()
	rest.WriteJSON(w, http.StatusOK, out)
}

// place turns the user's cart into an order. The Idempotency-Key makes it
// safe to retry: the first successful answer is recorded with its request,
// and a later call with the same key and the same request gets that answer
// again (201, the same order, header Idempotent-Replayed: true) while the
// same key with a different request is 409. Failed attempts (4xx) are not
// recorded, so fixing the request and retrying with the key works.
// Everything happens under one lock, so concurrent retries cannot place two
// orders.
func (s *server) place(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(idempotencyHdr)
	if key == "" || len(key) > maxKeyLength {
		rest.BadRequest(w, "header %s is required (1 to %d bytes)", idempotencyHdr, maxKeyLength)
		return
	}
	var req placeRequest
	if err := decode(r, w, &req); err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	u, ok := s.user(w, req.UserID)
	if !ok {
		return
	}
	au, ak, ok := data.ParseAddressID(req.ShippingAddressID)
	if !ok {
		rest.BadRequest(w, "malformed shippingAddressId")
		return
	}
	if au != u || s.d.Address(au, ak) == nil {
		rest.BadRequest(w, "shippingAddressId is not an address of user %s", req.UserID)
		return
	}

	s.st.mu.Lock()
	if rec, ok := s.st.idem[key]; ok {
		s.st.mu.Unlock()
		if rec.req != req {
			rest.WriteError(w, http.StatusConflict, rest.CodeConflict, "Idempotency-Key was already used with a different request")
			return
		}
		o, _ := s.lookupOrder(data.OrderID(rec.order))
		w.Header().Set(replayedHdr, "true")
		rest.WriteJSON(w, http.StatusCreated, o)
		return
	}
	c := s.cartOf(u)
	if len(c.Lines) == 0 {
		s.st.mu.Unlock()
		rest.BadRequest(w, "the cart of %s is empty", req.UserID)
		return
	}
	cur := data.CurrencyForLocale(s.d.Users[u-1].Locale)
	n := data.NumOrders + len(s.st.placed) + 1
	o := &data.Order{
		ID:                data.OrderID(n),
		UserID:            req.UserID,
		Status:            data.StatusPlaced,
		Lines:             make([]data.OrderLine, 0, len(c.Lines)),
		Total:             data.Money{Currency: cur},
		ShippingAddressID: req.ShippingAddressID,
		CreatedAt:         s.now().UTC().Truncate(time.Second),
	}
	for _, l := range c.Lines {
		p, _ := data.ParseProductID(l.ProductID)
		price, err := s.d.Price(p, cur)
		if err != nil { // cur comes from CurrencyForLocale and is always supported
			s.st.mu.Unlock()
			rest.WriteError(w, http.StatusInternalServerError, rest.CodeInternal, "could not price the cart")
			return
		}
		o.Lines = append(o.Lines, data.OrderLine{ProductID: l.ProductID, SKU: data.SKU(p), Quantity: l.Quantity,
			UnitPrice: data.Money{AmountMinor: price.AmountMinor, Currency: cur}})
		o.Total.AmountMinor += price.AmountMinor * int64(l.Quantity)
	}
	s.st.placed = append(s.st.placed, o)
	s.st.byUser[u] = append(s.st.byUser[u], n)
	s.st.idem[key] = idemRecord{req: req, order: n}
	s.st.carts[u] = &Cart{UserID: req.UserID, Lines: []CartLine{}, UpdatedAt: o.CreatedAt}
	s.st.mu.Unlock()
	w.Header().Set("Location", "/orders/"+o.ID)
	w.Header().Set(replayedHdr, strconv.FormatBool(false))
	rest.WriteJSON(w, http.StatusCreated, o)
}
