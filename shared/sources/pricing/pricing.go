package pricing

import (
	"context"
	"fmt"

	"github.com/tandemgw/tandem/shared/connector"
	"github.com/tandemgw/tandem/shared/errcode"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/upstream"
)

// ID is the source id: the registry key and the config key upstreams.pricing.
const ID = "pricing"

// DefaultAddress is where the service listens by default (schema/README.md).
const DefaultAddress = "127.0.0.1:9202"

// Price is what a product costs now, in the currency it was asked for
// (the list currency unless a load named another).
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
	conn *upstream.GRPC
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
	return c.PriceIn(ctx, productID, "")
}

// PriceIn fetches one product's price in currency (an ISO 4217 code; ""
// means the list currency) with GetPrice. A currency that is not three
// letters is BAD_REQUEST without a call; one the service does not sell in is
// the service's INVALID_ARGUMENT, also BAD_REQUEST.
func (c *Client) PriceIn(ctx context.Context, productID, currency string) (*Price, error) {
	if err := checkCurrency(currency); err != nil {
		return nil, err
	}
	resp, err := c.api.GetPrice(ctx, &pricingv1.GetPriceRequest{ProductId: productID, Currency: currency})
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
	return c.PricesIn(ctx, productIDs, "")
}

// PricesIn is Prices in currency ("" means the list currency): every call
// carries the currency, so the service converts and rounds, not the gateway.
// Currency errors are as for PriceIn.
func (c *Client) PricesIn(ctx context.Context, productIDs []string, currency string) (map[string]*Price, error) {
	if err := checkCurrency(currency); err != nil {
		return nil, err
	}
	return upstream.Chunked(ctx, upstream.Dedup(productIDs), c.cfg.MaxBatch, func(ctx context.Context, chunk []string) (map[string]*Price, error) {
		resp, err := c.api.BatchGetPrices(ctx, &pricingv1.BatchGetPricesRequest{ProductIds: chunk, Currency: currency})
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

// checkCurrency refuses a currency that cannot be an ISO 4217 code before it
// costs a call. Whether the shop sells in it is the service's to say.
func checkCurrency(currency string) error {
	if currency == "" {
		return nil
	}
	ok := len(currency) == 3
	for i := 0; ok && i < len(currency); i++ {
		ok = currency[i] >= 'A' && currency[i] <= 'Z'
	}
	if !ok {
		return &upstream.Error{Service: ID, Code: errcode.BadRequest, Err: fmt.Errorf("currency %q is not an ISO 4217 code", currency)}
	}
	return nil
}

// PricesByProduct reads prices by product id in one currency, the
// endpoint's one argument ("" the catalog's own): BatchGetPrices, in calls
// of at most MaxBatch products. It is the request's one cache of prices;
// each currency is a loader of its own, so the products of a request in
// several currencies make one call per currency, concurrently.
var PricesByProduct = &connector.Endpoint[*Price]{
	Source: ID,
	Field:  "price",
	Spec:   connector.Spec{Method: "tandem.pricing.v1.PricingService/BatchGetPrices", Key: "productId"},
	Fetch: func(ctx context.Context, c connector.Conn, keys, args []string) (map[string]*Price, error) {
		currency := args[0]
		if err := checkCurrency(currency); err != nil {
			return nil, err
		}
		api := pricingv1.NewPricingServiceClient(c.GRPC)
		return upstream.Chunked(ctx, keys, c.Config.MaxBatch, func(ctx context.Context, chunk []string) (map[string]*Price, error) {
			resp, err := api.BatchGetPrices(ctx, &pricingv1.BatchGetPricesRequest{ProductIds: chunk, Currency: currency})
			if err != nil {
				return nil, upstream.FromGRPC(ID, err)
			}
			out := make(map[string]*Price, len(resp.GetPrices()))
			for _, p := range resp.GetPrices() {
				out[p.GetProductId()] = fromProto(p)
			}
			return out, nil
		})
	},
}

// Loaders are the pricing source's per-request reads, through
// PricesByProduct.
type Loaders struct{}

// Price loads one product's price in its catalog currency.
func (l *Loaders) Price(ctx context.Context, productID string) (*Price, error) {
	return l.PriceIn(ctx, productID, "")
}

// PriceIn loads one product's price in currency ("" the catalog's own),
// batched with the request's other prices in that currency.
func (l *Loaders) PriceIn(ctx context.Context, productID, currency string) (*Price, error) {
	if err := checkCurrency(currency); err != nil {
		return nil, err
	}
	return PricesByProduct.Load(ctx, productID, currency)
}

// NewRequestScope returns the request's loader set (registry.Instance).
func (c *Client) NewRequestScope() any { return &Loaders{} }

// loaders is the handle of the request's loader set.
var loaders = registry.NewScoped[*Loaders](ID)

// For returns the request's loaders. It panics if the source is not
// registered in this BFF; registry.Set.Require catches that at startup.
func For(ctx context.Context) *Loaders { return loaders.For(ctx) }

// Conn lets the schema's @grpc directives read this source too
// (connector.Connected).
func (c *Client) Conn() connector.Conn { return connector.Conn{GRPC: c.conn, Config: c.cfg} }
