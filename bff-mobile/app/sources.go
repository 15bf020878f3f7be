package app

import (
	"github.com/tandemgw/tandem/bff-mobile/graph"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/inventory"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/sources/recommendations"
	"github.com/tandemgw/tandem/shared/sources/reviews"
)

// Sources are the backends bff-mobile talks to, the one list of them: main
// registers them (gateway.Main) and the tests build their registries from
// it. The hand-written source packages are listed here, one line each; a
// backend declared with @source in the schema comes in through
// graph.DeclaredSources with no line here. graph.RequiredSources, generated
// from the schema's directives and the resolvers' imports, is what the
// startup check requires of this list.
var Sources = append([]func(*registry.Registry) error{
	accounts.Register,
	catalog.Register,
	orders.Register,
	reviews.Register,
	inventory.Register,
	pricing.Register,
	recommendations.Register,
}, graph.DeclaredSources...)
