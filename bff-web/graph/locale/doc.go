// Package locale decides the market of a web request — the locale its money
// is formatted in and the currency its product prices are in (Resolve) —
// and formats money in that locale. Middleware keeps the request's
// Accept-Language choice; the graph package adds the signed-in viewer's
// account locale, which takes precedence. The locale-to-currency mapping is
// the shop's market rule, pricing.CurrencyForLocale, shared with bff-mobile.
// It is for presentation: it does not translate text and never calls a
// backend itself.
package locale
