package graph

// Limits of the web surface, stated in the schema's field descriptions and
// enforced with shared/resolve's rules.
const (
	// MaxPageSize caps `first` on products, orders and reviews; it matches
	// the backends' own list limit.
	MaxPageSize = 100
	// defaultRelated and maxRelated are Product.related's default and
	// largest `first`.
	defaultRelated = 4
	maxRelated     = 50
)

// Resolver is the root resolver and the dependency container of bff-web.
// gqlgen never regenerates this file. Fetching lives in shared/sources; the
// resolvers only shape what those return, reading per-request loaders with
// <source>.For(ctx), so nothing here holds request data. The sources they
// read are listed once, in bff-web/app (Sources).
type Resolver struct{}

// New returns the root resolver.
func New() *Resolver { return &Resolver{} }
