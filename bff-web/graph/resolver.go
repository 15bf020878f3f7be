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

// DefaultMaxPageSize is the largest `first` a paginated field accepts unless
// configured otherwise; it matches the backends' own list limit.
const DefaultMaxPageSize = 100

// Resolver is the root resolver and the dependency container of bff-web.
// gqlgen never regenerates this file. Fetching lives in shared/sources; the
// resolvers only shape what those return, reading per-request loaders with
// <source>.For(ctx), so nothing here holds request data.
type Resolver struct {
	// MaxPageSize caps `first` on every paginated field (default
	// DefaultMaxPageSize when zero).
	MaxPageSize int
}

// New returns a Resolver with defaults filled in.
func New(maxPageSize int) *Resolver {
	if maxPageSize <= 0 {
		maxPageSize = DefaultMaxPageSize
	}
	return &Resolver{MaxPageSize: maxPageSize}
}
