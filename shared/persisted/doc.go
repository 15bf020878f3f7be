// Package persisted resolves persisted operations before the gateway parses
// a request: operations a client names by id or hash instead of sending
// their text.
//
// Two mechanisms share the request path, in this order:
//
//   - Trusted documents (a safelist): manifests loaded at startup map ids
//     and SHA-256 hashes to documents. ParseManifest reads the two formats
//     client tool chains write: GraphQL Code Generator's client preset
//     (persisted-documents.json, {"<hash>": "<document>"}) and Apollo's
//     persisted query manifest ({"format": "apollo-persisted-query-manifest",
//     "version": 1, "operations": [...]}, written by
//     @apollo/generate-persisted-query-manifest, Apollo iOS and Apollo
//     Kotlin). NewList validates every document against the BFF's schema
//     and refuses the set when one does not validate, so a process never
//     starts with a manifest its schema cannot serve. A request names a
//     document by "documentId" (the GraphQL-over-HTTP persisted documents
//     proposal) or by extensions.persistedQuery.sha256Hash (Apollo). The
//     Mode decides what happens to an operation that is in no manifest:
//     ModeEnforce refuses it with PERSISTED_QUERY_NOT_IN_LIST before it is
//     parsed, ModeLog runs it, counts it and logs its hash (once per hash),
//     ModeOff runs it.
//   - Automatic persisted queries (APQ), as Apollo clients speak them: a
//     hash without text is answered from a Store or with
//     PERSISTED_QUERY_NOT_FOUND (the client then sends hash and text); a
//     hash with text is checked (PERSISTED_QUERY_HASH_MISMATCH when it is not
//     the text's SHA-256) and stored once the operation has validated. The
//     Store is a bounded in-memory LRU (NewMemoryStore) or Redis
//     (NewRedisStore) in front of a local LRU, so every replica answers a
//     hash any replica has seen.
//
// Both are gqlgen handler extensions that only mutate the raw request
// parameters (and, for APQ, register after validation); the transport puts
// a request's documentId into the context with WithDocumentID. The package
// knows nothing about HTTP: status codes are the transport's business.
package persisted
