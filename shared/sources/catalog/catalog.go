package catalog

import (
	"context"
	"net/url"
	"sync/atomic"

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

// Loaders are the per-request dataloaders of the catalog source.
type Loaders struct {
	client     *Client
	products   *upstream.Loader[string, *Product]
	categories *upstream.Loader[string, *Category]
	all        *upstream.Loader[struct{}, []*Category]
	// allStarted is set once the request loads every category: from then
	// on a category by id is looked up in that list, not fetched alone.
	allStarted atomic.Bool
}

// NewLoaders returns a fresh loader set; use one per request only.
func (c *Client) NewLoaders() *Loaders {
	l := &Loaders{
		client:     c,
		products:   upstream.NewLoader(ID, "product", c.cfg, c.Products),
		categories: upstream.NewLoader(ID, "category", c.cfg, c.CategoriesByID),
	}
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

// Product loads one product, batched with the request's other product loads.
func (l *Loaders) Product(ctx context.Context, id string) (*Product, error) {
	return l.products.Load(ctx, id)
}

// Category loads one category, batched with the request's other category loads.
func (l *Loaders) Category(ctx context.Context, id string) (*Category, error) {
	if l.allStarted.Load() {
		if cats, err := l.all.Load(ctx, struct{}{}); err == nil {
			for _, c := range cats {
				if c.ID == id {
					return c, nil
				}
			}
		}
	}
	return l.categories.Load(ctx, id)
}

// PrefetchProducts starts one call now for every product of ids the
// request does not have yet, and returns at once; then (optional) gets the
// products found before any Load of them returns (upstream.Loader.Start).
func (l *Loaders) PrefetchProducts(ctx context.Context, ids []string, then func(found map[string]*Product)) {
	l.products.Start(ctx, ids, then)
}

// PrefetchCategories is PrefetchProducts for categories by id.
func (l *Loaders) PrefetchCategories(ctx context.Context, ids []string, then func(found map[string]*Category)) {
	l.categories.Start(ctx, ids, then)
}

// PrefetchAllCategories starts loading every category (one call, once per
// request) and primes the by-id categories with them before then gets the
// list and before any Load of them returns.
func (l *Loaders) PrefetchAllCategories(ctx context.Context, then func(all []*Category)) {
	l.allStarted.Store(true)
	l.all.Start(ctx, []struct{}{{}}, func(found map[struct{}][]*Category) {
		cats := found[struct{}{}]
		for _, c := range cats {
			l.categories.Prime(ctx, c.ID, c)
		}
		if then != nil {
			then(cats)
		}
	})
}

// Search runs a product search and primes the Product loader with the
// results, so resolvers that then load those products make no extra call.
func (l *Loaders) Search(ctx context.Context, p SearchParams) (upstream.Page[*Product], error) {
	page, err := l.client.Search(ctx, p)
	if err != nil {
		return page, err
	}
	if p.Brief {
		return page, nil
	}
	for _, prod := range page.Items {
		l.products.Prime(ctx, prod.ID, prod)
	}
	return page, nil
}

// Categories loads every category once per request and primes the
// Category loader with them.
func (l *Loaders) Categories(ctx context.Context) ([]*Category, error) {
	l.allStarted.Store(true)
	cats, err := l.all.Load(ctx, struct{}{})
	if err != nil {
		return nil, err
	}
	for _, c := range cats {
		l.categories.Prime(ctx, c.ID, c)
	}
	return cats, nil
}

// Products loads several products in one go (one batch with the request's
// other product loads); results and errors are in ids order, with a
// NOT_FOUND error for unknown ids. errs always has len(ids) entries.
func (l *Loaders) Products(ctx context.Context, ids []string) (products []*Product, errs []error) {
	products, errs = l.products.LoadMany(ctx, ids)
	if errs == nil {
		errs = make([]error, len(ids))
	}
	return products, errs
}

// Conn lets the schema's @rest directives read this source too
// (connector.Connected).
func (c *Client) Conn() connector.Conn { return connector.Conn{REST: c.rest, Config: c.cfg} }
