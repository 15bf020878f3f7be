// Package prefetch makes a BFF's backend calls follow the query instead of
// the clock: one call per batch endpoint per level of the response, under
// any load.
//
// gqlgen resolves every item of a list in its own goroutine, so per-item
// resolvers that each ask a dataloader for one key only coalesce if they
// all ask within the loader's batch window — which they stop doing when the
// CPU is busy. A Plan removes the race. When a resolver returns objects
// (one or a list), the Plan (an execution.FieldObserver) looks at the
// fields the query selects on them; for each field registered with Load it
// hands the keys of every object of the level to the field's loader at
// once (upstream.Loader.Start: one call, started now, in the background).
// When that call answers, and before any resolver sees the answer, the
// walk goes on into the loaded objects' own selection and starts the next
// level the same way. Fields registered with Via are plain fields that
// hold more objects (a connection's nodes, an order's lines): the walk
// passes through them without a call. The per-item resolvers run as
// usual, concurrently with the calls, and find their keys loading or
// loaded in the request's cache; fields outside the plan are not held up.
//
// The walk visits each selection set of the levels it follows once
// (fragments are collected by gqlgen's CollectFields), and skips deferred
// fields, which load when their payload executes. A field the plan does
// not cover still works: its resolver falls back to the loader's batch
// window.
//
// Once a level's calls are started before its resolvers run, gqlgen's
// goroutine per item and per field buys nothing, and it was most of a
// request's CPU. So the Plan also decides, once per operation, which
// levels are settled (every field below them that gqlgen would resolve
// concurrently is one the plan loads, on a level its walk reaches), and the
// executor resolves those in the goroutine already running (RunInline,
// inline.go; the executor's side is shared/execution); any level with a
// field outside the plan keeps gqlgen's goroutines, so a per-item call the
// plan does not know is never made one after another.
//
// # How batching works, end to end
//
// Every read of a backend resource by key is one connector.Endpoint: the
// hand-written sources export theirs (catalog.ProductsByID,
// inventory.StockBySKU, pricing.PricesByProduct, ...), and the gqlgen
// plugin (shared/connector/gqlplugin) writes one for each @rest or @grpc
// call no source makes. An endpoint keeps, per request and per set of
// argument values, one upstream.Loader: the request's one cache of that
// resource, whichever field reads it. A directive whose call a source's
// endpoint makes too (the same batch path or method, and the same key) is
// bound to that endpoint, so a product read for an order line and for a
// related product is one entry, and one call. A brief view (@rest brief)
// is a loader of its own, since its values lack fields; a brief read of a
// key the request has whole is served from the whole answer.
//
// The plan is generated from the schema too: the plugin writes Plan in
// each BFF's graph/connectors.generated.go, with a step for every @rest and
// @grpc field keyed by its parent and every hand-written resolver field
// marked @loads (schema/graphql/common/connectors.graphqls), and a Via for
// every plain field that leads to more of them. A step that waits for a
// request-wide fact declares it (@loads args "$market.currency" needs the
// market), and the walk starts the steps that need nothing first. Both
// BFFs register their Plan as the gateway.Spec's Prefetch. Plans are built
// once per schema at startup and are read-only afterwards.
package prefetch
