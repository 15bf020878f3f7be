// Package ceiling holds the references the benchmark harness (package
// bench) holds bff-web against: hand-written net/http handlers that each
// answer one GraphQL query with no GraphQL machinery on the request path.
//
// Handler answers the product listing fan-out
//
//	{ products(first: 50) { nodes { id name brand ratingSummary { average count }
//	    price { current { amountMinor currency formatted } } stock { inStock } } } }
//
// with the catalog's listing, then the reviews summaries batch, the
// pricing batch and the inventory batch concurrently. OrderHistory
// answers OrderHistoryQuery, the signed-in viewer's orders with every
// line's product, price and stock, with the viewer's orders page, then the
// catalog's products and their prices concurrently, then the products'
// stock. Each writes the very bytes bff-web writes for its query,
// extensions.cost included. What a ceiling spends per request is what the
// work itself costs; what bff-web spends beyond it is the gateway.
//
// To be a fair reference a ceiling does exactly bff-web's work. It asks
// the services what bff-web asks them — the same methods, paths and query
// strings (the catalog's brief view included, batches split at the same
// size) and the same gRPC request messages — with net/http and the
// generated gRPC clients (shared/gen) directly. It decodes with the
// decoder bff-web's upstream client uses (segmentio/encoding/json, the
// whole answer read first, then decoded in place), keeping only the fields
// it renders, and it runs with bff-web's garbage collector settings
// (tandem-ceiling applies shared/gateway's defaults). The package's tests
// compare the calls the mocks record for one request of each, and the
// answers, byte for byte.
//
// It does not go through the gateway's own clients (shared/sources,
// shared/upstream): their retries, breakers, loaders and full decoding are
// part of what is measured against the ceiling, and a ceiling built on
// them would move whenever they change. It shares with bff-web only what
// decides the bytes of the answer: the market rule and money formatting of
// shared/market, and the web schema's cost rules (evaluated with
// shared/throttle's calculator once, at start-up, never per request).
//
// The order history is signed in. OrderHistory takes the viewer from the
// bearer token's issuer and subject claims without verifying the token:
// bff-web verifies it in process, and the harness's signed-in cost targets
// measure that. Like bff-web it reads the viewer's account, whose locale
// decides the currency asked of pricing, once per account TTL
// (market.accountTTL), so at steady state both make the same calls.
//
// What it is not: a gateway. A ceiling serves its one query whatever the
// request body says, answers only the success path (a missing object is
// null, with no GraphQL error beside it), has no limits or tracing, and is
// meant for the harness's loopback runs only.
package ceiling
