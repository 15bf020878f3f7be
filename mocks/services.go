package mocks

import (
	"github.com/tandemgw/tandem/mocks/accounts"
	"github.com/tandemgw/tandem/mocks/catalog"
	"github.com/tandemgw/tandem/mocks/internal/service"
	"github.com/tandemgw/tandem/mocks/inventory"
	"github.com/tandemgw/tandem/mocks/orders"
	"github.com/tandemgw/tandem/mocks/pricing"
	"github.com/tandemgw/tandem/mocks/recommendations"
	"github.com/tandemgw/tandem/mocks/reviews"
	"github.com/tandemgw/tandem/mocks/shipping"
	"github.com/tandemgw/tandem/mocks/wishlists"
)

// specs lists every backend a cluster runs. Adding a backend is: a package
// under mocks/ exporting Spec() (mocks/catalog shows a REST one,
// mocks/pricing a gRPC one), for REST its contract in
// schema/openapi/<name>.yaml (the tests check both agree), and two lines
// here: its import and its Spec() below. The documents that list the
// services (lists_test.go) and the deploy files (deploy's tests) are held
// to this list.
func specs() []service.Spec {
	return []service.Spec{
		accounts.Spec(),
		catalog.Spec(),
		orders.Spec(),
		reviews.Spec(),
		inventory.Spec(),
		pricing.Spec(),
		recommendations.Spec(),
		shipping.Spec(),
		wishlists.Spec(),
	}
}

// DefaultAdminAddr is where `go run ./mocks/cmd/mocks` serves the admin API.
const DefaultAdminAddr = "127.0.0.1:9000"

// Service describes one mock backend.
type Service struct {
	Name        string `json:"name"`
	Protocol    string `json:"protocol"` // "rest" or "grpc"
	DefaultAddr string `json:"defaultAddr"`
}

// Services lists the mock backends in a fixed order.
func Services() []Service {
	var out []Service
	for _, s := range specs() {
		out = append(out, Service{Name: s.Name, Protocol: s.Kind.String(), DefaultAddr: s.DefaultAddr})
	}
	return out
}
