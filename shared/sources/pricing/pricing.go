package pricing

import (
	"context"
	"fmt"

	"github.com/graph-gophers/dataloader/v7"
	"google.golang.org/grpc"

	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/upstream"
)

// ID is the source id: the registry key and the config key upstreams.pricing.
const ID = "pricing"

// DefaultAddress is where the service listens by default (schema/README.md).
const DefaultAddress = "127.0.0.1:9202"

// Price is what a product costs now, in its list currency.
type Price struct {
	ProductID       string
	Currency        string // ISO 4217
	AmountMinor     int64  // after discount
	ListAmountMinor int64  // before discount
	DiscountPercent int    // 0 without a discount
	DiscountLabel   string
}

// Client calls the pricing service. Safe for concurrent use.
type Client struct {
	conn *grpc.ClientConn
	api  pricingv1.PricingServiceClient
	cfg  upstream.Config
}

var (
	_ registry.Instance = (*Client)(nil)
	_ registry.Closer   = (*Client)(nil)
)

// NewClient dials the service (lazily) at cfg.Address.
func NewClient(cfg upstream.Config, opts ...upstream.Option) (*Client, error) {
	cfg = cfg.WithDefaults()
	conn, err := upstream.DialGRPC(ID, cfg, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{conn: conn, api: pricingv1.NewPricingServiceClient(conn), cfg: cfg}, nil
}

// Register adds the pricing source to r.
func Register(r *registry.Registry) error {
	return r.Register(registry.Source{
		ID:             ID,
		DefaultAddress: DefaultAddress,
		Kind:           registry.GRPC,
		New: func(_ context.Context, cfg upstream.Config, deps registry.Deps) (registry.Instance, error) {
			return NewClient(cfg, deps.UpstreamOptions()...)
		},
	})
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

func fromProto(p *pricingv1.Price) *Price {
	return &Price{
		ProductID:       p.GetProductId(),
		Currency:        p.GetCurrency(),
		AmountMinor:     p.GetAmountMinor(),
		ListAmountMinor: p.GetListAmountMinor(),
		DiscountPercent: int(p.GetDiscount().GetPercent()),
		DiscountLabel:   p.GetDiscount().GetLabel(),
	}
}

// Price fetches one product's price in its list currency (GetPrice).
func (c *Client) Price(ctx context.Context, productID string) (*Price, error) {
	resp, err := c.api.GetPrice(ctx, &pricingv1.GetPriceRequest{ProductId: productID})
	if err != nil {
		return nil, upstream.FromGRPC(ID, err)
	}
	if resp.GetPrice() == nil {
		return nil, upstream.NotFound(ID, "price", productID)
	}
	return fromProto(resp.GetPrice()), nil
}

// Prices fetches the prices of several products in their list currencies
// (BatchGetPrices), in concurrent calls of at most MaxBatch ids. Unknown
// products are absent.
func (c *Client) Prices(ctx context.Context, productIDs []string) (map[string]*Price, error) {
	return upstream.Chunked(ctx, upstream.Dedup(productIDs), c.cfg.MaxBatch, func(ctx context.Context, chunk []string) (map[string]*Price, error) {
		resp, err := c.api.BatchGetPrices(ctx, &pricingv1.BatchGetPricesRequest{ProductIds: chunk})
		if err != nil {
			return nil, upstream.FromGRPC(ID, err)
		}
		out := make(map[string]*Price, len(resp.GetPrices()))
		for _, p := range resp.GetPrices() {
			out[p.GetProductId()] = fromProto(p)
		}
		return out, nil
	})
}

// Loaders are the per-request dataloaders of the pricing source.
type Loaders struct {
	prices *dataloader.Loader[string, *Price]
}

// NewLoaders returns a fresh loader set; use one per request only.
func (c *Client) NewLoaders() *Loaders {
	return &Loaders{prices: upstream.NewLoader(ID, "price", c.cfg, c.Prices)}
}

// Price loads one product's price, batched through BatchGetPrices.
func (l *Loaders) Price(ctx context.Context, productID string) (*Price, error) {
	return l.prices.Load(ctx, productID)()
}

// WithRequestScope installs a fresh loader set in ctx.
func (c *Client) WithRequestScope(ctx context.Context) context.Context {
	return NewContext(ctx, c.NewLoaders())
}

type ctxKey struct{}

// NewContext returns ctx carrying l.
func NewContext(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// FromContext returns the loaders in ctx, if any.
func FromContext(ctx context.Context) (*Loaders, bool) {
	l, ok := ctx.Value(ctxKey{}).(*Loaders)
	return l, ok
}

// For returns the request's loaders. It panics if the source is not
// registered in this BFF; registry.Set.Require catches that at startup.
func For(ctx context.Context) *Loaders {
	if l, ok := FromContext(ctx); ok {
		return l
	}
	panic(fmt.Sprintf(notRegistered, ID, ID, ID, ID, ID))
}

const notRegistered = "%s.For: source %q is not registered in this BFF or the request did not pass through registry.Set.Middleware: " +
	"call %s.Register(reg) in <bff>/cmd/<bff>/main.go, set upstreams.%s.address, and add %q to Set.Require"
