package recommendations

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"

	"github.com/tandemgw/tandem/shared/connector"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/gen/openapi/recommendationsapi"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/catalog"
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

// MaxLimit is the longest list the service answers (schema/openapi).
const MaxLimit = 50

// RelatedProducts reads, by product id, the catalog products related to
// it (GET /products/{id}/related, one call per product, at most MaxBatch
// at a time: the service has no batch endpoint), best first. Its one
// argument is the list's length ("" the service's default). The products
// are read through catalog.ProductsByID, the request's one cache of them,
// in one call for the whole level; one no longer in the catalog is left
// out.
var RelatedProducts = &connector.Endpoint[[]*catalog.Product]{
	Source: ID,
	Field:  "related products",
	Spec:   connector.Spec{Get: "/products/{$keys}/related", At: []string{"items"}},
	Fetch: func(ctx context.Context, c connector.Conn, keys, args []string) (map[string][]*catalog.Product, error) {
		limit := 0 // the service's default
		if args[0] != "" {
			var err error
			// The contract answers a limit outside 1..MaxLimit with 400:
			// refused here, it costs no call (a batching plan starts the
			// read before the field's resolver checks its arguments).
			if limit, err = strconv.Atoi(args[0]); err != nil || limit < 1 || limit > MaxLimit {
				return nil, &upstream.Error{Service: ID, Code: errcode.BadRequest, Err: fmt.Errorf("limit %q is not within 1..%d", args[0], MaxLimit)}
			}
		}
		lists, err := upstream.FanOut(ctx, keys, c.Config.MaxBatch, func(ctx context.Context, id string) ([]*Related, error) {
			var resp struct {
				Items []*Related `json:"items"`
			}
			path := "/products/" + upstream.PathSegment(id) + "/related"
			if err := c.REST.GetJSON(ctx, path, limitQuery(limit), &resp); err != nil {
				return nil, err
			}
			return resp.Items, nil
		})
		var keyErrs upstream.KeyErrors[string]
		if err != nil && !errors.As(err, &keyErrs) {
			return nil, err
		}
		var ids []string
		for _, items := range lists {
			for _, it := range items {
				ids = append(ids, it.ProductID)
			}
		}
		prods, perr := catalog.ProductsByID.LoadMany(ctx, ids)
		byID := make(map[string]*catalog.Product, len(ids))
		for i, id := range ids {
			if perr[i] == nil {
				byID[id] = prods[i]
			} else if !upstream.IsNotFound(perr[i]) {
				if keyErrs == nil {
					keyErrs = upstream.KeyErrors[string]{}
				}
				for k, items := range lists {
					for _, it := range items {
						if it.ProductID == id {
							keyErrs[k] = perr[i]
						}
					}
				}
			}
		}
		out := make(map[string][]*catalog.Product, len(lists))
		for k, items := range lists {
			if _, failed := keyErrs[k]; failed {
				continue
			}
			ps := make([]*catalog.Product, 0, len(items))
			for _, it := range items {
				if p := byID[it.ProductID]; p != nil {
					ps = append(ps, p)
				}
			}
			out[k] = ps
		}
		if len(keyErrs) > 0 {
			return out, keyErrs
		}
		return out, nil
	},
}

// Loaders are the per-request dataloaders of the recommendations source.
type Loaders struct {
	forUser *upstream.Loader[Key, []*Recommendation]
}

// NewLoaders returns a fresh loader set; use one per request only.
func (c *Client) NewLoaders() *Loaders {
	return &Loaders{forUser: upstream.NewLoader(ID, "recommendations", c.cfg, c.ForUsers)}
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
