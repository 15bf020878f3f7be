package inventory

import (
	"context"

	"github.com/tandemgw/tandem/shared/connector"
	inventoryv1 "github.com/tandemgw/tandem/shared/gen/inventory/v1"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/upstream"
)

// ID is the source id: the registry key and the config key upstreams.inventory.
const ID = "inventory"

// DefaultAddress is where the service listens by default (schema/README.md).
const DefaultAddress = "127.0.0.1:9201"

// Stock is the availability of one SKU and how soon it can be delivered
// (business days).
type Stock struct {
	SKU             string
	Warehouse       string
	Available       int
	DeliveryMinDays int
	DeliveryMaxDays int
}

// Client calls the inventory service. Safe for concurrent use.
type Client struct {
	conn *upstream.GRPC
	api  inventoryv1.InventoryServiceClient
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
	return &Client{conn: conn, api: inventoryv1.NewInventoryServiceClient(conn), cfg: cfg}, nil
}

// Register adds the inventory source to r.
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

func fromProto(s *inventoryv1.Stock) *Stock {
	return &Stock{
		SKU:             s.GetSku(),
		Warehouse:       s.GetWarehouse(),
		Available:       int(s.GetAvailable()),
		DeliveryMinDays: int(s.GetDeliveryEstimate().GetMinDays()),
		DeliveryMaxDays: int(s.GetDeliveryEstimate().GetMaxDays()),
	}
}

// Stock fetches one SKU's stock (GetStock).
func (c *Client) Stock(ctx context.Context, sku string) (*Stock, error) {
	resp, err := c.api.GetStock(ctx, &inventoryv1.GetStockRequest{Sku: sku})
	if err != nil {
		return nil, upstream.FromGRPC(ID, err)
	}
	if resp.GetStock() == nil {
		return nil, upstream.NotFound(ID, "stock", sku)
	}
	return fromProto(resp.GetStock()), nil
}

// Stocks fetches the stock of several SKUs (BatchGetStock), in concurrent
// calls of at most MaxBatch SKUs. Unknown SKUs are absent.
func (c *Client) Stocks(ctx context.Context, skus []string) (map[string]*Stock, error) {
	return upstream.Chunked(ctx, upstream.Dedup(skus), c.cfg.MaxBatch, func(ctx context.Context, chunk []string) (map[string]*Stock, error) {
		resp, err := c.api.BatchGetStock(ctx, &inventoryv1.BatchGetStockRequest{Skus: chunk})
		if err != nil {
			return nil, upstream.FromGRPC(ID, err)
		}
		out := make(map[string]*Stock, len(resp.GetStocks()))
		for _, s := range resp.GetStocks() {
			out[s.GetSku()] = fromProto(s)
		}
		return out, nil
	})
}

// Loaders are the per-request dataloaders of the inventory source.
type Loaders struct {
	stocks *upstream.Loader[string, *Stock]
}

// NewLoaders returns a fresh loader set; use one per request only.
func (c *Client) NewLoaders() *Loaders {
	return &Loaders{stocks: upstream.NewLoader(ID, "stock", c.cfg, c.Stocks)}
}

// Stock loads one SKU's stock, batched through BatchGetStock.
func (l *Loaders) Stock(ctx context.Context, sku string) (*Stock, error) {
	return l.stocks.Load(ctx, sku)
}

// Prefetch starts one BatchGetStock call now for the stock of every SKU of
// skus the request does not have yet, and returns at once
// (upstream.Loader.Start).
func (l *Loaders) Prefetch(ctx context.Context, skus []string) {
	l.stocks.Start(ctx, skus, nil)
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
