package orders

import (
	"context"
	"net/http"
	"net/url"

	"github.com/tandemgw/tandem/shared/connector"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/gen/openapi/ordersapi"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/upstream"
)

// ID is the source id: the registry key and the config key upstreams.orders.
const ID = "orders"

// DefaultAddress is where the service listens by default (schema/README.md).
const DefaultAddress = "http://127.0.0.1:9103"

// Money is an amount in minor units (cents) of an ISO 4217 currency. The
// types of this package are the contract's (schema/openapi/orders.yaml).
type Money = ordersapi.Money

// Status is where an order is in its life.
type Status = ordersapi.OrderStatus

// Order statuses.
const (
	StatusPlaced    = ordersapi.OrderStatusPlaced
	StatusPaid      = ordersapi.OrderStatusPaid
	StatusShipped   = ordersapi.OrderStatusShipped
	StatusDelivered = ordersapi.OrderStatusDelivered
	StatusCancelled = ordersapi.OrderStatusCancelled
)

// Order is a placed order.
type Order = ordersapi.Order

// OrderLine is one product of an order at the price paid.
type OrderLine = ordersapi.OrderLine

// Cart is a user's shopping cart (empty for a user who has none).
type Cart = ordersapi.Cart

// CartLine is one product in a cart; it is also the body of
// POST /carts/{userId}/lines.
type CartLine = ordersapi.CartLine

// Client calls the orders service. Safe for concurrent use.
type Client struct {
	rest *upstream.REST
	cfg  upstream.Config
}

var (
	_ registry.Instance = (*Client)(nil)
	_ registry.Closer   = (*Client)(nil)
)

// NewClient builds a client from cfg (Address is the base URL).
func NewClient(cfg upstream.Config, opts ...upstream.Option) (*Client, error) {
	cfg = cfg.WithDefaults()
	rest, err := upstream.NewREST(ID, cfg, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{rest: rest, cfg: cfg}, nil
}

// Register adds the orders source to r.
func Register(r *registry.Registry) error {
	return r.Register(registry.Source{
		ID:             ID,
		DefaultAddress: DefaultAddress,
		Kind:           registry.REST,
		New: func(_ context.Context, cfg upstream.Config, deps registry.Deps) (registry.Instance, error) {
			return NewClient(cfg, deps.UpstreamOptions()...)
		},
	})
}

// Close releases idle connections.
func (c *Client) Close() error { return c.rest.Close() }

// Order fetches one order (GET /orders/{id}).
func (c *Client) Order(ctx context.Context, id string) (*Order, error) {
	var o Order
	if err := c.rest.GetJSON(ctx, "/orders/"+upstream.PathSegment(id), nil, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// Orders fetches orders by id (GET /orders?ids=), in concurrent chunks of
// at most MaxBatch ids. Unknown ids are absent.
func (c *Client) Orders(ctx context.Context, ids []string) (map[string]*Order, error) {
	return upstream.GetBatch(ctx, c.rest, "/orders", "ids", ids, c.cfg.MaxBatch, func(o *Order) string { return o.ID })
}

// OrdersOfUser lists a user's orders, newest first (GET /orders?userId=&limit=&after=).
func (c *Client) OrdersOfUser(ctx context.Context, userID string, first int, after string) (upstream.Page[*Order], error) {
	return upstream.GetPage[*Order](ctx, c.rest, "/orders", url.Values{"userId": {userID}}, first, after)
}

// Cart fetches a user's cart (GET /carts/{userId}).
func (c *Client) Cart(ctx context.Context, userID string) (*Cart, error) {
	var cart Cart
	if err := c.rest.GetJSON(ctx, "/carts/"+upstream.PathSegment(userID), nil, &cart); err != nil {
		return nil, err
	}
	return &cart, nil
}

// Carts fetches several users' carts, one call per distinct user (there is
// no batch endpoint), at most MaxBatch in flight.
func (c *Client) Carts(ctx context.Context, userIDs []string) (map[string]*Cart, error) {
	return upstream.FanOut(ctx, userIDs, c.cfg.MaxBatch, c.Cart)
}

// AddToCart adds qty of a product to the user's cart (POST /carts/{userId}/lines).
// It is not idempotent and therefore never retried.
func (c *Client) AddToCart(ctx context.Context, userID, productID string, qty int) (*Cart, error) {
	body := CartLine{ProductID: productID, Quantity: qty}
	var cart Cart
	if err := c.rest.PostJSON(ctx, "/carts/"+upstream.PathSegment(userID)+"/lines", nil, body, &cart); err != nil {
		return nil, err
	}
	return &cart, nil
}

// ErrNoIdempotencyKey is returned by PlaceOrder without an idempotency key.
var ErrNoIdempotencyKey = &upstream.Error{Service: ID, Code: errcode.BadUserInput,
	Err: &upstream.InputError{Field: "idempotencyKey", Rule: "is required"}}

// PlaceOrder places the user's cart as an order (POST /orders with an
// Idempotency-Key). Because of the key the call is idempotent and retried
// on retryable failures: the service answers a retry with the first result.
// A key that cannot travel as the header (upstream.CheckIdempotencyKey) is
// the caller's BAD_USER_INPUT and calls nothing.
func (c *Client) PlaceOrder(ctx context.Context, userID, shippingAddressID, idempotencyKey string) (*Order, error) {
	if idempotencyKey == "" {
		return nil, ErrNoIdempotencyKey
	}
	if err := upstream.CheckIdempotencyKey("idempotencyKey", idempotencyKey, upstream.MaxIdempotencyKey); err != nil {
		return nil, &upstream.Error{Service: ID, Code: errcode.BadUserInput, Err: err}
	}
	body := ordersapi.PlaceOrderRequest{UserID: userID, ShippingAddressID: shippingAddressID}
	hdr := http.Header{"Idempotency-Key": {idempotencyKey}}
	var o Order
	if err := c.rest.PostJSON(ctx, "/orders", hdr, body, &o); err != nil {
		return nil, err
	}
	return &o, nil
}

// Loaders are the per-request dataloaders of the orders source.
type Loaders struct {
	client *Client
	orders *upstream.Loader[string, *Order]
	carts  *upstream.Loader[string, *Cart]
}

// NewLoaders returns a fresh loader set; use one per request only.
func (c *Client) NewLoaders() *Loaders {
	return &Loaders{
		client: c,
		orders: upstream.NewLoader(ID, "order", c.cfg, c.Orders),
		carts:  upstream.NewLoader(ID, "cart", c.cfg, c.Carts),
	}
}

// Order loads one order, batched with the request's other order loads.
func (l *Loaders) Order(ctx context.Context, id string) (*Order, error) {
	return l.orders.Load(ctx, id)
}

// OrdersOfUser lists a user's orders and primes the Order loader with them.
func (l *Loaders) OrdersOfUser(ctx context.Context, userID string, first int, after string) (upstream.Page[*Order], error) {
	page, err := l.client.OrdersOfUser(ctx, userID, first, after)
	if err != nil {
		return page, err
	}
	for _, o := range page.Items {
		l.orders.Prime(ctx, o.ID, o)
	}
	return page, nil
}

// Cart loads a user's cart once per request.
func (l *Loaders) Cart(ctx context.Context, userID string) (*Cart, error) {
	return l.carts.Load(ctx, userID)
}

// AddToCart adds to the user's cart and replaces the request's cached cart
// with the answer.
func (l *Loaders) AddToCart(ctx context.Context, userID, productID string, qty int) (*Cart, error) {
	cart, err := l.client.AddToCart(ctx, userID, productID, qty)
	if err != nil {
		return nil, err
	}
	l.carts.Replace(ctx, userID, cart)
	return cart, nil
}

// PlaceOrder places the user's cart as an order, caches the order for the
// request, and forgets the request's cached cart (the service empties it).
func (l *Loaders) PlaceOrder(ctx context.Context, userID, shippingAddressID, idempotencyKey string) (*Order, error) {
	o, err := l.client.PlaceOrder(ctx, userID, shippingAddressID, idempotencyKey)
	if err != nil {
		return nil, err
	}
	l.carts.Forget(ctx, userID)
	l.orders.Replace(ctx, o.ID, o)
	return o, nil
}

// NewRequestScope returns the request's loader set (registry.Instance).
func (c *Client) NewRequestScope() any { return c.NewLoaders() }

// loaders is the handle of the request's loader set.
var loaders = registry.NewScoped[*Loaders](ID)

// For returns the request's loaders. It panics if the source is not
// registered in this BFF; registry.Set.Require catches that at startup.
func For(ctx context.Context) *Loaders { return loaders.For(ctx) }

// Conn lets the schema's @rest directives read this source too
// (connector.Connected).
func (c *Client) Conn() connector.Conn { return connector.Conn{REST: c.rest, Config: c.cfg} }
