// Package graph holds bff-web's resolvers: the root Resolver (the dependency
// container, resolver.go), one <domain>.resolvers.go per schema file under
// schema/graphql/web, and the converters from the shared sources' domain
// types to the GraphQL models (convert.go). Input checks, the viewer and the
// other request glue both BFFs share come from shared/resolve.
//
// Resolvers shape, they do not fetch: every backend call goes through the
// per-request loaders of shared/sources/<service> (For(ctx)), which batch and
// deduplicate. Sibling fields that need different backends are resolved
// concurrently by gqlgen; nothing here serialises them.
package graph
