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

// StockBySKU reads the stock of SKUs (BatchGetStock, in calls of at most
// MaxBatch SKUs): the request's one cache of stock, for the hand-written
// fields and the generated ones that make the same call. Its values are
// the service's messages, which every field maps to what it shows.
var StockBySKU = &connector.Endpoint[*inventoryv1.Stock]{
	Source: ID,
	Field:  "stock",
	Spec:   connector.Spec{Method: "tandem.inventory.v1.InventoryService/BatchGetStock", Key: "sku"},
	Fetch: func(ctx context.Context, c connector.Conn, keys, _ []string) (map[string]*inventoryv1.Stock, error) {
		api := inventoryv1.NewInventoryServiceClient(c.GRPC)
		return upstream.Chunked(ctx, keys, c.Config.MaxBatch, func(ctx context.Context, chunk []string) (map[string]*inventoryv1.Stock, error) {
			resp, err := api.BatchGetStock(ctx, &inventoryv1.BatchGetStockRequest{Skus: chunk})
			if err != nil {
				return nil, upstream.FromGRPC(ID, err)
			}
			out := make(map[string]*inventoryv1.Stock, len(resp.GetStocks()))
			for _, s := range resp.GetStocks() {
				out[s.GetSku()] = s
			}
			return out, nil
		})
	},
}

// NewRequestScope returns the request's state of the source: none, its
// reads are StockBySKU's (registry.Instance).
func (c *Client) NewRequestScope() any { return nil }

// Conn lets the schema's @grpc directives read this source too
// (connector.Connected).
func (c *Client) Conn() connector.Conn { return connector.Conn{GRPC: c.conn, Config: c.cfg} }
