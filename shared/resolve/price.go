package resolve

import (
	"context"

	"github.com/tandemgw/tandem/shared/market"
	"github.com/tandemgw/tandem/shared/sources/pricing"
)

// ProductPrice loads a product's price in the request's market currency
// (pricing converts) and returns the market it is to be written for.
//
// The market comes first: for a signed-in viewer the currency depends on
// the account locale, so the price load waits for the (per-request cached)
// account. Anonymous requests call only pricing.
func ProductPrice(ctx context.Context, productID string) (*pricing.Price, market.Market, error) {
	m := market.For(ctx)
	p, err := pricing.For(ctx).PriceIn(ctx, productID, m.Currency)
	if err != nil {
		return nil, m, err
	}
	return p, m, nil
}
