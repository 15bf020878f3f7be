// Package pricing is the gateway's source for the pricing service (gRPC,
// tandem.pricing.v1.PricingService): the current price, currency and
// discount of each product. It offers a typed Client over the generated
// stubs and PricesByProduct, the endpoint (connector.Endpoint) every read of
// a price goes through, batched into BatchGetPrices calls and cached per
// request; the per-request Loaders (read with For) wrap it.
//
// Prices come in a currency: For(ctx).PriceIn(ctx, id, "GBP") asks the
// service to price in GBP (it converts and rounds; the gateway never does),
// For(ctx).Price(ctx, id) in the list currency (ListCurrency, EUR). The
// currency is the endpoint's argument, so each currency of a request has
// its loader and its calls, which run concurrently.
//
// Which currency a request should see is the shop's market rule, owned here
// so that both BFFs apply the same one: CurrencyForLocale maps the locale a
// BFF resolved for the request (the signed-in viewer's account locale, else
// the request's Accept-Language, else none) to its market's currency — GBP
// for en-GB, EUR for de-DE, fr-FR and nl-NL, and EUR (the default market)
// when no market locale was found. That is the rule the orders service
// prices orders by, so a viewer's product prices and order totals share a
// currency.
//
// A BFF enables it with pricing.Register(reg) in its main and the config key
// upstreams.pricing.address (default 127.0.0.1:9202).
package pricing
