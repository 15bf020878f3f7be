// Package market decides, once per request, which market a response is
// shown in — the locale every amount is formatted in and the currency
// product prices are loaded in — and formats money for it. Both BFFs use it,
// so a price reads the same on the web and in the app.
//
// The rule, in order: the signed-in viewer's account locale when it is one
// of Supported; else the request's Accept-Language when it matches one of
// Supported (nl-BE counts as nl-NL, en-US as en-GB); else the default
// market, formatted in en-GB and priced in the list currency EUR (a request
// that names none of the shop's markets is likelier from outside the United
// Kingdom than inside it). The currency of a named market is
// pricing.CurrencyForLocale's, the rule the orders service prices orders
// by, so product prices are in the currency of the viewer's order totals.
//
// The viewer's account locale is read through the request's accounts
// loader and remembered per verified issuer and subject for
// Options.AccountTTL (market.accountTTL, 1 minute by default): a signed-in
// request would otherwise make one more backend call, before its first
// price, for a setting that rarely changes.
//
// Formatting is CLDR-correct (github.com/bojanz/currency, which carries
// CLDR's patterns, symbols and separators per locale): "€1,299.00" in en-GB,
// "1.299,00 €" in de-DE, "1 299,00 €" in fr-FR, "€ 1.299,00" in nl-NL.
package market
