package recommendations

import (
	"context"
	"net/url"
	"strconv"

	"github.com/tandemgw/tandem/shared/connector"
	"github.com/tandemgw/tandem/shared/gen/openapi/recommendationsapi"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/upstream"
)

// ID is the source id: the registry key and the config key upstreams.recommendations.
const ID = "recommendations"

// DefaultAddress is where the service listens by default (schema/README.md).
const DefaultAddress = "http://127.0.0.1:9105"

// Related is a product related to another one, as the contract has it
// (schema/openapi/recommendations.yaml).
type Related = recommendationsapi.Related

// Recommendation is a product recommended to a user.
type Recommendation = recommendationsapi.Recommendation

// Key identifies one list: whose (a product or user id) and how long.
type Key struct {
	ID    string
	Limit int
}

// Client calls the recommendations service. Safe for concurrent use.
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

// Register adds the recommendations source to r.
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

func limitQuery(limit int) url.Values {
	if limit <= 0 {
		return nil // the service's default
	}
	return url.Values{"limit": {strconv.Itoa(limit)}}
}

// Related fetches the products related to one product
// (GET /products/{productId}/related?limit=).
func (c *Client) Related(ctx context.Context, productID string, limit int) ([]*Related, error) {
	var resp struct {
		Items []*Related `json:"items"`
	}
	path := "/products/" + upstream.PathSegment(productID) + "/related"
	if err := c.rest.GetJSON(ctx, path, limitQuery(limit), &resp); err != nil {
		return nil, err
	}
	return resp.Items, nil
}

// ForUser fetches a user's recommendations
// (GET /users/{userId}/recommendations?limit=).
func (c *Client) ForUser(ctx context.Context, userID string, limit int) ([]*Recommendation, error) {
	var resp struct {
		Items []*Recommendation `json:"items"`
	}
	path := "/users/" + upstream.PathSegment(userID) + "/recommendations"
	if err := c.rest.GetJSON(ctx, path, limitQuery(limit), &resp); err != nil {
		return nil, err
	}
	return resp.Items, nil
}

// RelatedMany fetches several related lists. The service has no batch
// endpoint, so this is one call per distinct key, at most MaxBatch at a time.
func (c *Client) RelatedMany(ctx context.Context, keys []Key) (map[Key][]*Related, error) {
	return upstream.FanOut(ctx, keys, c.cfg.MaxBatch, func(ctx context.Context, k Key) ([]*Related, error) {
		return c.Related(ctx, k.ID, k.Limit)
	})
}

// ForUsers fetches several users' recommendations, one call per distinct key.
func (c *Client) ForUsers(ctx context.Context, keys []Key) (map[Key][]*Recommendation, error) {
	return upstream.FanOut(ctx, keys, c.cfg.MaxBatch, func(ctx context.Context, k Key) ([]*Recommendation, error) {
		return c.ForUser(ctx, k.ID, k.Limit)
	})
}

// Loaders are the per-request dataloaders of the recommendations source.
type Loaders struct {
	related *upstream.Loader[Key, []*Related]
	forUser *upstream.Loader[Key, []*Recommendation]
}

// NewLoaders returns a fresh loader set; use one per request only.
func (c *Client) NewLoaders() *Loaders {
	return &Loaders{
		related: upstream.NewLoader(ID, "related products", c.cfg, c.RelatedMany),
		forUser: upstream.NewLoader(ID, "recommendations", c.cfg, c.ForUsers),
	}
}

// Related loads the products related to productID, once per request.
func (l *Loaders) Related(ctx context.Context, productID string, limit int) ([]*Related, error) {
	return l.related.Load(ctx, Key{productID, limit})
}

// PrefetchRelated starts loading the related lists of every product of
// productIDs the request does not have yet (one call per product, at most
// MaxBatch at a time: the service has no batch endpoint) and returns at
// once; then (optional) gets the lists found before any Load of them
// returns (upstream.Loader.Start).
func (l *Loaders) PrefetchRelated(ctx context.Context, productIDs []string, limit int, then func(found map[Key][]*Related)) {
	keys := make([]Key, len(productIDs))
	for i, id := range productIDs {
		keys[i] = Key{id, limit}
	}
	l.related.Start(ctx, keys, then)
}

// ForUser loads a user's recommendations, once per request.
func (l *Loaders) ForUser(ctx context.Context, userID string, limit int) ([]*Recommendation, error) {
	return l.forUser.Load(ctx, Key{userID, limit})
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
