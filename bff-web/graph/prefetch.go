package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tandemgw/tandem/bff-web/graph/generated"
	"github.com/tandemgw/tandem/bff-web/graph/model"
	"github.com/tandemgw/tandem/shared/prefetch"
	"github.com/tandemgw/tandem/shared/resolve"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/recommendations"
	"github.com/tandemgw/tandem/shared/sources/reviews"
)

// Prefetch is bff-web's batching plan: for every field a per-item resolver
// loads from a backend, how a whole level of items is loaded in one call
// before the resolvers run (see shared/prefetch). The resolvers stay as
// they are and find their values in the request's cache; a field missing
// here still works, batched by the loaders' window instead.
func Prefetch() *prefetch.Plan {
	p := prefetch.New().RunInline(generated.ConcurrentFields)

	// Plain fields that lead to more objects.
	prefetch.Via(p, "ProductConnection", "nodes", func(c *model.ProductConnection) []*model.Product { return c.Nodes })
	prefetch.Via(p, "OrderConnection", "nodes", func(c *model.OrderConnection) []*model.Order { return c.Nodes })
	prefetch.Via(p, "Order", "lines", func(o *model.Order) []*model.OrderLine { return o.Lines })
	prefetch.Via(p, "Cart", "lines", func(c *model.Cart) []*model.CartLine { return c.Lines })

	// Product fields served by other backends.
	prefetch.Load(p, "Product", "ratingSummary", func(ctx context.Context, ps []*model.Product, _ graphql.CollectedField, _ func([]struct{})) {
		reviews.For(ctx).PrefetchSummaries(ctx, resolve.Keys(ps, productID))
	})
	// Every category is one small list: loading it whole serves a level of
	// categories and their parents in one call.
	prefetch.Load(p, "Product", "category", func(ctx context.Context, ps []*model.Product, _ graphql.CollectedField, next func([]*model.Category)) {
		catalog.For(ctx).PrefetchAllCategories(ctx, func(all []*catalog.Category) {
			byID := make(map[string]*catalog.Category, len(all))
			for _, c := range all {
				byID[c.ID] = c
			}
			var out []*model.Category
			for _, pr := range ps {
				if c := byID[pr.CategoryID]; c != nil {
					out = append(out, toCategory(c))
				}
			}
			next(out)
		})
	})
	prefetch.Load(p, "Category", "parent", func(ctx context.Context, cs []*model.Category, _ graphql.CollectedField, next func([]*model.Category)) {
		ids := resolve.Keys(cs, func(c *model.Category) string { return c.ParentID })
		catalog.For(ctx).PrefetchCategories(ctx, ids, func(found map[string]*catalog.Category) {
			out := make([]*model.Category, 0, len(found))
			for _, c := range found {
				out = append(out, toCategory(c))
			}
			next(out)
		})
	})
	prefetch.Load(p, "Product", "related", func(ctx context.Context, ps []*model.Product, f graphql.CollectedField, next func([]*model.Product)) {
		n, ok := prefetch.IntArg(ctx, f, "first", defaultRelated)
		if !ok || n < 1 || n > maxRelated {
			return // the resolver reports the bad input
		}
		recommendations.For(ctx).PrefetchRelated(ctx, resolve.Keys(ps, productID), n, func(found map[recommendations.Key][]*recommendations.Related) {
			var ids []string
			for _, items := range found {
				for _, it := range items {
					ids = append(ids, it.ProductID)
				}
			}
			prefetchProducts(ctx, ids, next)
		})
	})

	// Fields read through the schema's @rest and @grpc directives.
	PrefetchConnectors(p)
	// Last: a price waits for the request's market (for a signed-in viewer,
	// the account), and the walk runs steps in this order.
	prefetch.Load(p, "Product", "price", func(ctx context.Context, ps []*model.Product, _ graphql.CollectedField, _ func([]struct{})) {
		resolve.PrefetchProductPrices(ctx, resolve.Keys(ps, productID))
	})
	return p
}

func productID(p *model.Product) string { return p.ID }

// prefetchProducts starts one catalog call for ids and hands next the
// products found, carrying only what the walk needs to go on (id, SKU and
// category).
func prefetchProducts(ctx context.Context, ids []string, next func([]*model.Product)) {
	catalog.For(ctx).PrefetchProducts(ctx, ids, func(found map[string]*catalog.Product) {
		out := make([]*model.Product, 0, len(found))
		for _, p := range found {
			out = append(out, &model.Product{ID: p.ID, SKU: p.SKU, CategoryID: p.CategoryID})
		}
		next(out)
	})
}
