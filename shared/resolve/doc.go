// Package resolve is the request glue both BFFs' resolvers share, so that
// bff-web and bff-mobile differ only in their schemas and their shaping:
//
//   - input checks that become the stable BAD_USER_INPUT GraphQL error at
//     the field's path, with one message form ("<argument> <rule>", the form
//     of upstream.InputError): Between, MaxRunes, PageSize, IdempotencyKey;
//   - the signed-in viewer from the verified principal (ViewerID, which is
//     UNAUTHENTICATED without one, and SignedIn) and the viewer's own orders
//     (ViewerOrder: another user's order reads as not found);
//   - a product's price in the request's market (ProductPrice; the market
//     itself is shared/market's);
//   - turning backend values into schema values: Enum (a value outside the
//     contract is the backend's INTERNAL error, never the client's), Found
//     (batch results without the entries a backend no longer has), Map,
//     Keys, Deref and Cursor.
//
// It holds no state and fetches nothing of its own: loads go through the
// sources' endpoints and loaders (shared/sources), and a BFF's GraphQL models stay in
// its own graph/model package. It is not the place for shaping a BFF's
// answer (bff-mobile/internal/shape) or for the error presenter
// (shared/server), which turns these errors into the client's JSON.
package resolve
