package pricing

import (
	"context"
	"fmt"
	"sync"

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

// priceKey is what the per-request loader caches: one product in one
// currency ("" for the list currency).
type priceKey struct {
	productID string
	currency  string
}

// String names the key in a NOT_FOUND cause (internal, never shown).
func (k priceKey) String() string {
	if k.currency == "" {
		return k.productID
	}
	return k.productID + " in " + k.currency
}

// pricesByCurrency is the loader's batch function: the keys of one batch
// may ask for several currencies, and BatchGetPrices takes one currency per
// call, so it makes one call (chunked by MaxBatch) per currency present, all
// at once. A failing currency fails only its own keys.
func (c *Client) pricesByCurrency(ctx context.Context, keys []priceKey) (map[priceKey]*Price, error) {
	groups := map[string][]string{}
	var order []string // currencies in first-seen order, for deterministic results
	for _, k := range keys {
		if _, ok := groups[k.currency]; !ok {
			order = append(order, k.currency)
		}
		groups[k.currency] = append(groups[k.currency], k.productID)
	}
	results := make([]map[string]*Price, len(order))
	errs := make([]error, len(order))
	var wg sync.WaitGroup
	for i, cur := range order {
		wg.Go(func() { results[i], errs[i] = c.PricesIn(ctx, groups[cur], cur) })
	}
	wg.Wait()

	out := make(map[priceKey]*Price, len(keys))
	var keyErrs upstream.KeyErrors[priceKey]
	for i, cur := range order {
		if errs[i] != nil {
			if keyErrs == nil {
				keyErrs = upstream.KeyErrors[priceKey]{}
			}
			for _, id := range groups[cur] {
				keyErrs[priceKey{id, cur}] = errs[i]
			}
			continue
		}
		for id, p := range results[i] {
			out[priceKey{id, cur}] = p
		}
	}
	if keyErrs != nil {
		return out, keyErrs
	}
	return out, nil
}

// Loaders are the per-request dataloaders of the pricing source.
type Loaders struct {
	prices *upstream.Loader[priceKey, *Price]
}

// NewLoaders returns a fresh loader set; use one per request only.
func (c *Client) NewLoaders() *Loaders {
	return &Loaders{prices: upstream.NewLoader(ID, "price", c.cfg, c.pricesByCurrency)}
}

// Price loads one product's price in its list currency, batched through
// BatchGetPrices. It is PriceIn(ctx, productID, "").
func (l *Loaders) Price(ctx context.Context, productID string) (*Price, error) {
	return l.PriceIn(ctx, productID, "")
}

// PriceIn loads one product's price in currency (an ISO 4217 code such as
// "GBP"; "" means the list currency). Loads of one request coalesce into one
// BatchGetPrices call per currency, the calls for different currencies run
// concurrently, and the same product in the same currency is fetched once.
// An unknown product is NOT_FOUND; a currency the service does not sell in
// is BAD_REQUEST.
func (l *Loaders) PriceIn(ctx context.Context, productID, currency string) (*Price, error) {
	// A malformed code is refused here, so it never joins (or waits for) a batch.
	if err := checkCurrency(currency); err != nil {
		return nil, err
	}
	return l.prices.Load(ctx, priceKey{productID: productID, currency: currency})
}

// PrefetchIn starts one BatchGetPrices call now (per MaxBatch ids) for the
// prices in currency of every product of productIDs the request does not
// have yet, and returns at once (upstream.Loader.Start). A malformed
// currency loads nothing: PriceIn reports it.
func (l *Loaders) PrefetchIn(ctx context.Context, productIDs []string, currency string) {
	if checkCurrency(currency) != nil {
		return
	}
	keys := make([]priceKey, len(productIDs))
	for i, id := range productIDs {
		keys[i] = priceKey{productID: id, currency: currency}
	}
	l.prices.Start(ctx, keys, nil)
}

// NewRequestScope returns the request's loader set (registry.Instance).
func (c *Client) NewRequestScope() any { return c.NewLoaders() }

// loaders is the handle of the request's loader set.
var loaders = registry.NewScoped[*Loaders](ID)

// For returns the request's loaders. It panics if the source is not
// registered in this BFF; registry.Set.Require catches that at startup.
func For(ctx context.Context) *Loaders { return loaders.For(ctx) }

// Conn lets the schema's @grpc directives read this source too
// (connector.Connected).
func (c *Client) Conn() connector.Conn { return connector.Conn{GRPC: c.conn, Config: c.cfg} }
