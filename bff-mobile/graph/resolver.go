package graph

// Limits of the mobile surface. They are part of the schema's contract (the
// field descriptions state them) and enforced with shared/resolve's rules.
const (
	// MaxPageSize caps `first` on search, orders, recentOrders and
	// recommended: a phone shows a few rows at a time, so larger pages only
	// cost bandwidth.
	MaxPageSize = 20
	// defaultRecommended is Home.recommended's `first` when absent.
	defaultRecommended = 6
	// MaxQueryRunes caps the length of a search query.
	MaxQueryRunes = 100
	// TopReviews is how many reviews a product detail shows.
	TopReviews = 3
)

// Resolver is the root resolver and the dependency container of bff-mobile.
// gqlgen never regenerates this file. It holds no request data: resolvers
// read the request's loaders with <source>.For(ctx) (installed per request by
// registry.Set.Middleware) and the request's market with market.For(ctx)
// (installed by market.Middleware). The sources they read are listed once,
// in bff-mobile/app (Sources).
type Resolver struct{}

// New returns the root resolver.
func New() *Resolver { return &Resolver{} }
