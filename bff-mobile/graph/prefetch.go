package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tandemgw/tandem/bff-mobile/graph/generated"
	"github.com/tandemgw/tandem/bff-mobile/graph/model"
	"github.com/tandemgw/tandem/shared/prefetch"
	"github.com/tandemgw/tandem/shared/resolve"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/inventory"
	"github.com/tandemgw/tandem/shared/sources/reviews"
)

// Prefetch is bff-mobile's batching plan: for every field a per-item
// resolver loads from a backend, how a whole level of items is loaded in
// one call before the resolvers ask (see shared/prefetch). A field missing
// here still works, batched by the loaders' window instead.
func Prefetch() *prefetch.Plan {
	p := prefetch.New().RunInline(generated.ConcurrentFields)

	prefetch.Via(p, "ProductCardConnection", "nodes", func(c *model.ProductCardConnection) []*model.ProductCard { return c.Nodes })
	prefetch.Via(p, "OrderCardConnection", "nodes", func(c *model.OrderCardConnection) []*model.OrderCard { return c.Nodes })

	prefetch.Load(p, "Product", "inStock", func(ctx context.Context, ps []*model.Product, _ graphql.CollectedField, _ func([]struct{})) {
		inventory.For(ctx).Prefetch(ctx, resolve.Keys(ps, func(p *model.Product) string { return p.SKU }))
	})
	prefetch.Load(p, "Product", "rating", func(ctx context.Context, ps []*model.Product, _ graphql.CollectedField, _ func([]struct{})) {
		reviews.For(ctx).PrefetchSummaries(ctx, resolve.Keys(ps, productID))
	})
	prefetch.Load(p, "ReviewCard", "authorName", func(ctx context.Context, rs []*model.ReviewCard, _ graphql.CollectedField, _ func([]struct{})) {
		accounts.For(ctx).PrefetchUsers(ctx, resolve.Keys(rs, func(r *model.ReviewCard) string { return r.UserID }))
	})
	prefetch.Load(p, "OrderCard", "thumbnailUrl", func(ctx context.Context, os []*model.OrderCard, _ graphql.CollectedField, _ func([]struct{})) {
		catalog.For(ctx).PrefetchProducts(ctx, resolve.Keys(os, func(o *model.OrderCard) string { return o.FirstProductID }), nil)
	})
	// Last: a price waits for the request's market (for a signed-in viewer,
	// the account), and the walk runs steps in this order.
	prefetch.Load(p, "Product", "price", func(ctx context.Context, ps []*model.Product, _ graphql.CollectedField, _ func([]struct{})) {
		resolve.PrefetchProductPrices(ctx, resolve.Keys(ps, productID))
	})
	prefetch.Load(p, "ProductCard", "price", func(ctx context.Context, cs []*model.ProductCard, _ graphql.CollectedField, _ func([]struct{})) {
		resolve.PrefetchProductPrices(ctx, resolve.Keys(cs, func(c *model.ProductCard) string { return c.ID }))
	})
	return p
}

func productID(p *model.Product) string { return p.ID }
