package reviews

import (
	"context"

	"github.com/tandemgw/tandem/shared/connector"
	"github.com/tandemgw/tandem/shared/gen/openapi/reviewsapi"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/upstream"
)

// ID is the source id: the registry key and the config key upstreams.reviews.
const ID = "reviews"

// DefaultAddress is where the service listens by default (schema/README.md).
const DefaultAddress = "http://127.0.0.1:9104"

// Review is a customer's rating (1..5) and text about a product, as the
// contract has it (schema/openapi/reviews.yaml).
type Review = reviewsapi.Review

// RatingSummary aggregates the reviews of a product; Histogram[i] counts
// the reviews with i+1 stars (five entries).
type RatingSummary = reviewsapi.RatingSummary

// Client calls the reviews service. Safe for concurrent use.
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

// Register adds the reviews source to r.
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

// Review fetches one review (GET /reviews/{id}).
func (c *Client) Review(ctx context.Context, id string) (*Review, error) {
	var r Review
	if err := c.rest.GetJSON(ctx, "/reviews/"+upstream.PathSegment(id), nil, &r); err != nil {
		return nil, err
	}
	return &r, nil
}

// Reviews fetches reviews by id (GET /reviews?ids=). Unknown ids are absent.
func (c *Client) Reviews(ctx context.Context, ids []string) (map[string]*Review, error) {
	return upstream.GetBatch(ctx, c.rest, "/reviews", "ids", ids, c.cfg.MaxBatch, func(r *Review) string { return r.ID })
}

// ReviewsOfProduct lists a product's reviews, newest first
// (GET /products/{productId}/reviews?limit=&after=).
func (c *Client) ReviewsOfProduct(ctx context.Context, productID string, first int, after string) (upstream.Page[*Review], error) {
	return upstream.GetPage[*Review](ctx, c.rest, "/products/"+upstream.PathSegment(productID)+"/reviews", nil, first, after)
}

// Summary fetches one product's rating summary (GET /products/{productId}/summary).
func (c *Client) Summary(ctx context.Context, productID string) (*RatingSummary, error) {
	var s RatingSummary
	if err := c.rest.GetJSON(ctx, "/products/"+upstream.PathSegment(productID)+"/summary", nil, &s); err != nil {
		return nil, err
	}
	return &s, nil
}

// Summaries fetches rating summaries of several products
// (GET /summaries?productIds=), in concurrent chunks of at most MaxBatch.
func (c *Client) Summaries(ctx context.Context, productIDs []string) (map[string]*RatingSummary, error) {
	return upstream.GetBatch(ctx, c.rest, "/summaries", "productIds", productIDs, c.cfg.MaxBatch, func(s *RatingSummary) string { return s.ProductID })
}

// SummariesByProduct reads rating summaries by product id (GET
// /summaries?productIds=): the request's one cache of them.
var SummariesByProduct = &connector.Endpoint[*RatingSummary]{
	Source: ID,
	Field:  "rating summary",
	Spec:   connector.Spec{Batch: "/summaries?productIds={$keys}", Key: "productId"},
	Fetch: func(ctx context.Context, c connector.Conn, keys, _ []string) (map[string]*RatingSummary, error) {
		return connector.GetBatch(ctx, c, "/summaries", nil, "productIds", keys, func(s *RatingSummary) (string, *RatingSummary) { return s.ProductID, s })
	},
}

// Loaders are the per-request dataloaders of the reviews source.
type Loaders struct {
	client  *Client
	reviews *upstream.Loader[string, *Review]
}

// NewLoaders returns a fresh loader set; use one per request only.
func (c *Client) NewLoaders() *Loaders {
	return &Loaders{
		client:  c,
		reviews: upstream.NewLoader(ID, "review", c.cfg, c.Reviews),
	}
}

// Review loads one review, batched with the request's other review loads.
func (l *Loaders) Review(ctx context.Context, id string) (*Review, error) {
	return l.reviews.Load(ctx, id)
}

// ReviewsOfProduct lists a product's reviews and primes the Review loader.
func (l *Loaders) ReviewsOfProduct(ctx context.Context, productID string, first int, after string) (upstream.Page[*Review], error) {
	page, err := l.client.ReviewsOfProduct(ctx, productID, first, after)
	if err != nil {
		return page, err
	}
	for _, r := range page.Items {
		l.reviews.Prime(ctx, r.ID, r)
	}
	return page, nil
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
