// Package graphiql serves GraphiQL, the in-browser GraphQL IDE, from the
// binary: the page and its scripts and styles are embedded with embed, at
// the versions pinned in build/package-lock.json (GraphiQL's UMD build and
// React's), so it loads with no network access and no third-party host.
// Refresh the assets with scripts/graphiql-assets.sh.
//
// A BFF serves it in dev mode only (see shared/server), where introspection
// is on; outside dev mode there is no page and no schema to browse.
package graphiql
