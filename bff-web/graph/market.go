package graph

import (
	"context"

	"github.com/tandemgw/tandem/bff-web/graph/locale"
	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/sources/accounts"
)

// requestMarket is the market of this request (locale.Resolve): the locale
// Money.formatted uses and the currency Product.price is loaded in, decided
// together so they always agree.
//
// A signed-in viewer's account is read through the request's accounts
// loader, so a response that prices or formats many things fetches it at
// most once (and not at all when the viewer's profile is already loaded).
// When accounts fails, the request falls back to its Accept-Language market
// instead of failing every price: the market is a preference, not data the
// client asked for, and the failed load is cached for the request, so every
// field of the response falls back alike.
func requestMarket(ctx context.Context) locale.Market {
	var account string
	if p, ok := auth.FromContext(ctx); ok && p != nil && p.Subject != "" {
		if u, err := accounts.For(ctx).User(ctx, p.Subject); err == nil && u != nil {
			account = u.Locale
		}
	}
	return locale.Resolve(ctx, account)
}
