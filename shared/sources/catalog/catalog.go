package catalog

import (
	"context"
	"net/url"

	"github.com/tandemgw/tandem/shared/connector"
	"github.com/tandemgw/tandem/shared/gen/openapi/catalogapi"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/upstream"
)

// ID is the source id: the registry key and the config key upstreams.catalog.
const ID = "catalog"

// DefaultAddress is where the service listens by default (schema/README.md).
const DefaultAddress = "http://127.0.0.1:9102"

// Product is a catalog entry, as the contract has it
// (schema/openapi/catalog.yaml).
type Product = catalogapi.Product

// Image is one rendition (200, 400, 800 or 1600 px wide) of a product picture.
type Image = catalogapi.Image

// Category is a node of the category tree; ParentID is empty at the top.
type Category = catalogapi.Category

// SearchParams filters a product listing; every field is optional.
type SearchParams struct {
	Query    string // matches name and brand, case-insensitively
	Category string // category id
	Brand    string
	First    int    // page size, 1..100; 0 means the service default (20)
	After    string // cursor from a previous page
	// Brief: the caller reads no product's description or images, most of
	// a page's bytes. The catalog is asked for summaries (view=basic), so
	// they are empty, and the products do not enter the request's product
	// cache, whose entries must be whole.
	Brief bool
}

// ProductSummary is a product without its description and images, as the
// catalog sends it when asked for view=basic.
type ProductSummary = catalogapi.ProductSummary

// Client calls the catalog service. Safe for concurrent use.
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

// Register adds the catalog source to r.
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

// Product fetches one product (GET /products/{id}).
func (c *Client) Product(ctx context.Context, id string) (*Product, error) {
	var p Product
	if err := c.rest.GetJSON(ctx, "/products/"+upstream.PathSegment(id), nil, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// Products fetches products by id (GET /products?ids=), in concurrent
// chunks of at most MaxBatch ids. Unknown ids are absent.
func (c *Client) Products(ctx context.Context, ids []string) (map[string]*Product, error) {
	return upstream.GetBatch(ctx, c.rest, "/products", "ids", ids, c.cfg.MaxBatch, func(p *Product) string { return p.ID })
}

// Search lists products matching p (GET /products?q=&category=&brand=&limit=&after=).
func (c *Client) Search(ctx context.Context, p SearchParams) (upstream.Page[*Product], error) {
	q := url.Values{}
	if p.Query != "" {
		q.Set("q", p.Query)
	}
	if p.Category != "" {
		q.Set("category", p.Category)
	}
	if p.Brand != "" {
		q.Set("brand", p.Brand)
	}
	if !p.Brief {
		return upstream.GetPage[*Product](ctx, c.rest, "/products", q, p.First, p.After)
	}
	q.Set("view", "basic")
	page, err := upstream.GetPage[*ProductSummary](ctx, c.rest, "/products", q, p.First, p.After)
	out := upstream.Page[*Product]{EndCursor: page.EndCursor, HasNextPage: page.HasNextPage, Items: make([]*Product, len(page.Items))}
	for i, b := range page.Items {
		out.Items[i] = &Product{Brand: b.Brand, CategoryID: b.CategoryID, CreatedAt: b.CreatedAt, ID: b.ID, Name: b.Name, SKU: b.SKU, Tags: b.Tags}
	}
	return out, err
}

// Categories fetches every category (GET /categories).
func (c *Client) Categories(ctx context.Context) ([]*Category, error) {
	var resp struct {
		Items []*Category `json:"items"`
	}
	if err := c.rest.GetJSON(ctx, "/categories", nil, &resp); err != nil {
		return nil, err
	}
	return resp.Items, nil
}

// Category fetches one category (GET /categories/{id}).
func (c *Client) Category(ctx context.Context, id string) (*Category, error) {
	var cat Category
	if err := c.rest.GetJSON(ctx, "/categories/"+upstream.PathSegment(id), nil, &cat); err != nil {
		return nil, err
	}
	return &cat, nil
}

// CategoriesByID fetches categories by id (GET /categories?ids=).
func (c *Client) CategoriesByID(ctx context.Context, ids []string) (map[string]*Category, error) {
	return upstream.GetBatch(ctx, c.rest, "/categories", "ids", ids, c.cfg.MaxBatch, func(c *Category) string { return c.ID })
}

// ProductsByID reads products by id (GET /products?ids=): the request's
// one cache of products, whichever field asks, hand-written or generated
// from a directive that makes the same call. Its brief view (view=basic)
// answers without description and images; a field that can do with it
// names the fields of its type that need them (connector.Endpoint.LoadFor).
var ProductsByID = &connector.Endpoint[*Product]{
	Source: ID,
	Field:  "product",
	Spec:   connector.Spec{Batch: "/products?ids={$keys}", Key: "id", Brief: "view=basic"},
	Fetch: func(ctx context.Context, c connector.Conn, keys, _ []string) (map[string]*Product, error) {
		return connector.GetBatch(ctx, c, "/products", nil, "ids", keys, func(p *Product) (string, *Product) { return p.ID, p })
	},
}

// CategoriesByID reads categories by id. Every category is one small list,
// so a read of any is a read of all (GET /categories): the request's
// later reads of categories, parents included, make no call.
var CategoriesByID = &connector.Endpoint[*Category]{
	Source: ID,
	Field:  "category",
	Spec:   connector.Spec{Get: "/categories", At: []string{"items"}},
	Fetch: func(ctx context.Context, c connector.Conn, _, _ []string) (map[string]*Category, error) {
		var resp struct {
			Items []*Category `json:"items"`
		}
		if err := c.REST.GetJSON(ctx, "/categories", nil, &resp); err != nil {
			return nil, err
		}
		out := make(map[string]*Category, len(resp.Items))
		for _, cat := range resp.Items {
			out[cat.ID] = cat
		}
		return out, nil
	},
}

// Loaders are the catalog source's per-request reads that are not by key:
// searches and the category list. Reads by key are the endpoints above.
type Loaders struct {
	client *Client
	all    *upstream.Loader[struct{}, []*Category]
}

// NewLoaders returns a fresh loader set; use one per request only.
func (c *Client) NewLoaders() *Loaders {
	l := &Loaders{client: c}
	l.all = upstream.NewLoader(ID, "category list", c.cfg, func(ctx context.Context, _ []struct{}) (map[struct{}][]*Category, error) {
		cats, err := c.Categories(ctx)
		if err != nil {
			return nil, err
		}
		return map[struct{}][]*Category{{}: cats}, nil
	})
	return l
}

// NewRequestScope returns the request's loader set (registry.Instance).
func (c *Client) NewRequestScope() any { return c.NewLoaders() }

// loaders is the handle of the request's loader set.
var loaders = registry.NewScoped[*Loaders](ID)

// For returns the request's loaders. It panics if the source is not
// registered in this BFF; registry.Set.Require catches that at startup.
func For(ctx context.Context) *Loaders { return loaders.For(ctx) }

// Search runs a product search and primes ProductsByID with the results,
// so resolvers that then load those products make no extra call. Brief
// results are summaries and are not primed: the cache's entries are whole.
func (l *Loaders) Search(ctx context.Context, p SearchParams) (upstream.Page[*Product], error) {
	page, err := l.client.Search(ctx, p)
	if err != nil {
		return page, err
	}
	if p.Brief {
		return page, nil
	}
	for _, prod := range page.Items {
		ProductsByID.Prime(ctx, prod.ID, prod)
	}
	return page, nil
}

// Categories loads every category once per request and primes
// CategoriesByID with them.
func (l *Loaders) Categories(ctx context.Context) ([]*Category, error) {
	cats, err := l.all.Load(ctx, struct{}{})
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		CategoriesByID.Prime(ctx, c.ID, c)
	}
	return cats, nil
}

// Conn lets the schema's @rest directives read this source too
// (connector.Connected).
func (c *Client) Conn() connector.Conn { return connector.Conn{REST: c.rest, Config: c.cfg} }
