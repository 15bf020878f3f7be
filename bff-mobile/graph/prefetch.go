package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tandemgw/tandem/bff-mobile/graph/model"
	"github.com/tandemgw/tandem/shared/market"
	"github.com/tandemgw/tandem/shared/prefetch"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/inventory"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/sources/reviews"
)

// Prefetch is bff-mobile's batching plan: for every field a per-item
// resolver loads from a backend, how a whole level of items is loaded in
// one call before the resolvers ask (see shared/prefetch). A field missing
// here still works, batched by the loaders' window instead.
func Prefetch() *prefetch.Plan {
	p := prefetch.New()

	prefetch.Via(p, "ProductCardConnection", "nodes", func(c *model.ProductCardConnection) []*model.ProductCard { return c.Nodes })
	prefetch.Via(p, "OrderCardConnection", "nodes", func(c *model.OrderCardConnection) []*model.OrderCard { return c.Nodes })

	prefetch.Load(p, "Product", "inStock", func(ctx context.Context, ps []*model.Product, _ graphql.CollectedField, _ func([]struct{})) {
		skus := make([]string, len(ps))
		for i, pr := range ps {
			skus[i] = pr.SKU
		}
		inventory.For(ctx).Prefetch(ctx, skus)
	})
	prefetch.Load(p, "Product", "rating", func(ctx context.Context, ps []*model.Product, _ graphql.CollectedField, _ func([]struct{})) {
		ids := make([]string, len(ps))
		for i, pr := range ps {
			ids[i] = pr.ID
		}
		reviews.For(ctx).PrefetchSummaries(ctx, ids)
	})
	prefetch.Load(p, "ReviewCard", "authorName", func(ctx context.Context, rs []*model.ReviewCard, _ graphql.CollectedField, _ func([]struct{})) {
		ids := make([]string, 0, len(rs))
		for _, r := range rs {
			if r.UserID != "" {
				ids = append(ids, r.UserID)
			}
		}
		accounts.For(ctx).PrefetchUsers(ctx, ids)
	})
	prefetch.Load(p, "OrderCard", "thumbnailUrl", func(ctx context.Context, os []*model.OrderCard, _ graphql.CollectedField, _ func([]struct{})) {
		ids := make([]string, 0, len(os))
		for _, o := range os {
			if o.FirstProductID != "" {
				ids = append(ids, o.FirstProductID)
			}
		}
		catalog.For(ctx).PrefetchProducts(ctx, ids, nil)
	})
	// Last: a price waits for the request's market (for a signed-in viewer,
	// the account), and the walk runs steps in this order.
	prefetch.Load(p, "Product", "price", func(ctx context.Context, ps []*model.Product, _ graphql.CollectedField, _ func([]struct{})) {
		ids := make([]string, len(ps))
		for i, pr := range ps {
			ids[i] = pr.ID
		}
		pricing.For(ctx).PrefetchIn(ctx, ids, market.For(ctx).Currency)
	})
	prefetch.Load(p, "ProductCard", "price", func(ctx context.Context, cs []*model.ProductCard, _ graphql.CollectedField, _ func([]struct{})) {
		ids := make([]string, len(cs))
		for i, c := range cs {
			ids[i] = c.ID
		}
		pricing.For(ctx).PrefetchIn(ctx, ids, market.For(ctx).Currency)
	})
	return p
}
