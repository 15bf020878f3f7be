// Package shape holds the pure helpers that turn backend data into the small,
// display-ready values of the mobile surface: a description cut to a summary,
// one image chosen for a screen width, money formatted for a locale, and the
// locale chosen for a request.
//
// It does no I/O and knows nothing about GraphQL or the backends: resolvers
// in bff-mobile/graph fetch through shared/sources and call these helpers.
package shape
