// Package shape holds the pure helpers that turn backend data into the small,
// display-ready values of the mobile surface: a description cut to a summary,
// one image chosen for a screen width, money formatted for a locale, and the
// locale chosen for a request (ResolveLocale, which also says whether the
// request named it; the graph package turns a named locale into the
// request's market currency with pricing.CurrencyForLocale).
//
// It does no I/O and knows nothing about GraphQL or the backends: resolvers
// in bff-mobile/graph fetch through shared/sources and call these helpers.
package shape
