package graph

import (
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/inventory"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/sources/recommendations"
	"github.com/tandemgw/tandem/shared/sources/reviews"
)

// RequiredSources are the source IDs the resolvers of this package read with
// <source>.For(ctx). The app checks at startup that every one is registered,
// so a missing registration fails the start, not the first request.
var RequiredSources = []string{
	accounts.ID,
	catalog.ID,
	orders.ID,
	reviews.ID,
	inventory.ID,
	pricing.ID,
	recommendations.ID,
}

// Limits of the mobile surface. They are part of the schema's contract (the
// field descriptions state them) and enforced by the resolvers.
const (
	// MaxPageSize caps `first` on search, orders and recentOrders: a phone
	// shows a few rows at a time, so larger pages only cost bandwidth.
	MaxPageSize = 20
	// MaxQueryRunes caps the length of a search query.
	MaxQueryRunes = 100
	// TopReviews is how many reviews a product detail shows.
	TopReviews = 3
	// MaxQuantity caps the quantity of one addToCart.
	MaxQuantity = 99
	// MaxIdempotencyKey caps the length of placeOrder's idempotency key.
	MaxIdempotencyKey = 128
)

// Resolver is the root resolver and the dependency container of bff-mobile.
// gqlgen never regenerates this file. It holds no request data: resolvers
// read the request's loaders with <source>.For(ctx) (installed per request by
// registry.Set.Middleware) and the request's market with market.For(ctx)
// (installed by market.Middleware).
type Resolver struct{}

// New returns the root resolver.
func New() *Resolver { return &Resolver{} }
