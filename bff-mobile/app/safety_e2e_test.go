package app_test

import (
	"time"

	"github.com/tandemgw/tandem/shared/persisted"

	"testing"

	"github.com/tandemgw/tandem/shared/throttle"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
)

// safety describes bff-mobile to the upstream safety checks: the product
// screen's fields of each backend, the cart and checkout mutations.
var safety = gatewaytest.Safety{
	// Rate limits out of reach (these checks poll, and are about upstreams)
	// and ad-hoc operations admitted, as in the other app tests.
	Options: gatewaytest.Options{Spec: app.Spec, New: app.New, Register: app.Sources, Tweak: func(c *app.Config) {
		c.Edge.TrustedDocuments.Mode = persisted.ModeLog
		c.Throttle.Rate.Requests = throttle.Window{Limit: 1 << 20, Period: time.Minute, Burst: 1 << 20}
		c.Throttle.Rate.Points = throttle.Window{Limit: 1 << 30, Period: time.Minute, Burst: 1 << 30}
	}},
	Product: `query($id: ID!) { product(id: $id) { name price inStock rating { count } } }`,
	Fields: map[string]string{
		"catalog": "product.name", "pricing": "product.price",
		"inventory": "product.inStock", "reviews": "product.rating",
	},
	AddToCart:    `mutation($p: ID!) { addToCart(productId: $p) { cartItemCount } }`,
	PlaceOrder:   `mutation($a: ID!, $k: String!) { placeOrder(shippingAddressId: $a, idempotencyKey: $k) { order { id } } }`,
	ViewerOrders: `{ orders(first: 3) { nodes { id } } }`,
	OrdersPath:   "orders",
}

// TestBadIdempotencyKeyKeepsOrdersBreakerClosed: a key net/http refuses to
// send is the caller's error and never opens the orders breaker.
func TestBadIdempotencyKeyKeepsOrdersBreakerClosed(t *testing.T) {
	gatewaytest.CheckBadIdempotencyKeyKeepsBreakerClosed(t, safety)
}

func TestHungBackendAnswersWithinBudget(t *testing.T) {
	gatewaytest.CheckHungBackendAnswersWithinBudget(t, safety)
}

func TestRetriesReadsNotUnkeyedWrites(t *testing.T) {
	gatewaytest.CheckRetriesReadsNotUnkeyedWrites(t, safety)
}

func TestBreakerTripsAndRecovers(t *testing.T) { gatewaytest.CheckBreakerTripsAndRecovers(t, safety) }

func TestBulkheadOverflowFailsFast(t *testing.T) {
	gatewaytest.CheckBulkheadOverflowFailsFast(t, safety)
}

func TestRetriesStopAtBudgets(t *testing.T) { gatewaytest.CheckRetriesStopAtBudgets(t, safety) }

func TestFailingEndpointIsEjected(t *testing.T) { gatewaytest.CheckFailingEndpointIsEjected(t, safety) }

func TestCanaryPin(t *testing.T) { gatewaytest.CheckCanaryPin(t, safety) }

func TestClientDisconnectCancelsUpstream(t *testing.T) {
	gatewaytest.CheckClientDisconnectCancelsUpstream(t, safety)
}

func TestMutualTLSToBackends(t *testing.T) { gatewaytest.CheckMutualTLSToBackends(t, safety) }
