package app_test

import (
	"testing"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
)

// safety describes bff-web to the upstream safety checks: the product
// page's fields of each backend, the cart and checkout mutations.
var safety = gatewaytest.Safety{
	Options: gatewaytest.Options{Spec: app.Spec, New: app.New, Register: app.Sources, Tweak: relaxRates},
	Product: `query($id: ID!) { product(id: $id) { name price { current { formatted } } stock { inStock } ratingSummary { count } } }`,
	Fields: map[string]string{
		"catalog": "product.name", "pricing": "product.price",
		"inventory": "product.stock", "reviews": "product.ratingSummary",
	},
	AddToCart:    `mutation($p: ID!) { addToCart(productId: $p) { itemCount } }`,
	PlaceOrder:   `mutation($a: ID!, $k: String!) { placeOrder(shippingAddressId: $a, idempotencyKey: $k) { id } }`,
	ViewerOrders: `{ viewer { orders(first: 3) { nodes { id } } } }`,
	OrdersPath:   "viewer.orders",
}

// TestBadIdempotencyKeyKeepsOrdersBreakerClosed: placeOrder with
// idempotencyKey "a\nb", twice, used to open the orders breaker for every
// user while the orders service received nothing.
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
