package app

import (
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/inventory"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/sources/recommendations"
	"github.com/tandemgw/tandem/shared/sources/reviews"
)

// Sources are the backends bff-web talks to, the one list of them: main
// registers them (gateway.Main), Spec.RequiredSources is their ids, so the
// startup check refuses a registry that lacks one, and the tests build
// their registries from it. A new backend is one more line here; its
// default address comes with its registration.
var Sources = []func(*registry.Registry) error{
	accounts.Register,
	catalog.Register,
	orders.Register,
	reviews.Register,
	inventory.Register,
	pricing.Register,
	recommendations.Register,
}
