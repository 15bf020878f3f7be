// Package ceiling is the reference the benchmark harness (package bench)
// holds bff-web against: a hand-written net/http handler that answers one
// GraphQL query — the product listing fan-out
//
//	{ products(first: 50) { nodes { id name brand ratingSummary { average count }
//	    price { current { amountMinor currency formatted } } stock { inStock } } } }
//
// — with no GraphQL machinery on the request path. It makes the backend
// calls the query needs and no others (catalog search, then the reviews
// summaries batch, the pricing batch and the inventory batch concurrently,
// one call each) and writes the very bytes bff-web writes for that query,
// extensions.cost included. What the ceiling spends per request is what
// the work itself costs; what bff-web spends beyond it is the gateway.
//
// It asks the services exactly what bff-web asks them — the same methods,
// paths and query strings (the catalog's brief view included) and the same
// gRPC request messages — with net/http and the generated gRPC clients
// (shared/gen) directly. It decodes with the decoder bff-web's upstream
// client uses (segmentio/encoding/json, the whole answer read first, then
// decoded in place), keeping only the fields it renders, and it runs with
// bff-web's garbage collector settings (tandem-ceiling applies
// shared/gateway's defaults). It does not go through the gateway's own
// clients (shared/sources, shared/upstream):
// their retries, breakers, loaders and full decoding are part of what is
// measured against the ceiling, and a ceiling built on them would move
// whenever they change. It shares with bff-web only what decides the bytes
// of the answer: the default market and money formatting of
// bff-web/graph/locale, and the web schema's cost rules (evaluated with
// shared/throttle's calculator once, at start-up, never per request).
//
// What it is not: a gateway. It serves the one query whatever the request
// body says, answers only the success path (a missing price, summary or
// stock is null, with no GraphQL error beside it), has no authentication,
// limits or tracing, and is meant for the harness's loopback runs only.
package ceiling
