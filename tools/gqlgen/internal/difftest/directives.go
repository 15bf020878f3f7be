package difftest

import (
	"context"
	"fmt"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tandemgw/tandem/tools/gqlgen/internal/difftest/model"
	"github.com/tandemgw/tandem/tools/gqlgen/internal/difftest/rewritten"
	"github.com/tandemgw/tandem/tools/gqlgen/internal/difftest/stock"
)

// The directives of schema/directives.graphqls, one implementation for
// both executors, like the resolvers.

// upper resolves the field and upper-cases its string. Any other value
// becomes an upper-cased string too, so that a field of another type gets
// the wrong type from its chain, which each executor reports.
func upper(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	switch v := res.(type) {
	case nil:
	case string:
		res = strings.ToUpper(v)
	case *string:
		if v != nil {
			res = str(strings.ToUpper(*v))
		}
	default:
		res = strings.ToUpper(fmt.Sprint(v))
	}
	return res, err
}

// deny fails the field without resolving it when deny is true.
func deny(ctx context.Context, _ any, next graphql.Resolver, deny bool) (any, error) {
	if deny {
		return nil, fmt.Errorf("denied at %s", graphql.GetFieldContext(ctx).Path())
	}
	return next(ctx)
}

type scopeKey struct{}

// scope resolves the field in a context naming the scope, nested in the
// one around it; the scope resolvers below the field read it, so an
// executor that gave the field's children any other context answers
// otherwise.
func scope(ctx context.Context, _ any, next graphql.Resolver, name string) (any, error) {
	if outer, ok := ctx.Value(scopeKey{}).(string); ok {
		name = outer + "/" + name
	}
	return next(context.WithValue(ctx, scopeKey{}, name))
}

func scopeOf(ctx context.Context) string {
	if s, ok := ctx.Value(scopeKey{}).(string); ok {
		return "in " + s
	}
	return "unscoped"
}

// StockDirectives and RewrittenDirectives are the same directives, as
// each executor's DirectiveRoot names them.
var (
	StockDirectives     = stock.DirectiveRoot{Upper: upper, Deny: deny, Scope: scope}
	RewrittenDirectives = rewritten.DirectiveRoot{Upper: upper, Deny: deny, Scope: scope}
)

// The resolvers of the fields under directives, and of the fields that
// read the scope.

func (queryResolver) ScopedShelf(ctx context.Context, id string) (*model.Shelf, error) {
	return queryResolver{}.MaybeShelf(ctx, id)
}

func (queryResolver) Denied(context.Context) (*model.Item, error) { return items["i1"], nil }

func (queryResolver) Allowed(context.Context) (*model.Item, error) { return items["i7"], nil }

func (shelfResolver) ScopedItems(ctx context.Context, s *model.Shelf) ([]*model.Item, error) {
	return shelfResolver{}.Items(ctx, s)
}

func (shelfResolver) DeniedItems(ctx context.Context, s *model.Shelf) ([]*model.Item, error) {
	return shelfResolver{}.Items(ctx, s)
}

func (shelfResolver) DeniedFeatured(ctx context.Context, s *model.Shelf) (*model.Item, error) {
	return shelfResolver{}.Featured(ctx, s)
}

func (itemResolver) Scope(ctx context.Context, it *model.Item) (string, error) {
	return it.ID + " " + scopeOf(ctx), nil
}

func (itemResolver) LoudStrict(ctx context.Context, it *model.Item) (string, error) {
	return itemResolver{}.Strict(ctx, it)
}

func (itemResolver) LoudCount(_ context.Context, it *model.Item) (*int, error) {
	return &it.Count, nil
}

func (itemResolver) LoudScope(ctx context.Context, it *model.Item) (string, error) {
	return itemResolver{}.Scope(ctx, it)
}

func (itemResolver) ScopedRelated(ctx context.Context, it *model.Item) ([]*model.Item, error) {
	return itemResolver{}.Related(ctx, it)
}

func (itemResolver) ScopedDetail(ctx context.Context, it *model.Item) (*model.Detail, error) {
	return itemResolver{}.MaybeDetail(ctx, it)
}

func (partResolver) Scope(ctx context.Context, p *model.Part) (string, error) {
	return p.Sku + " " + scopeOf(ctx), nil
}
