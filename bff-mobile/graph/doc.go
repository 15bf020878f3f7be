// Package graph is bff-mobile's GraphQL layer: the root Resolver (the
// dependency container) and one resolver file per schema file. Resolvers only
// shape: they read per-request loaders from shared/sources with
// <source>.For(ctx) and turn the results into the mobile surface's small
// display values with bff-mobile/internal/shape. Input checks, the viewer
// and the other request glue both BFFs share come from shared/resolve. The executor is generated
// into graph/generated and the types into graph/model.
package graph
