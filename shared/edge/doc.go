// Package edge is what a BFF's /graphql endpoint does at the HTTP level for
// the clients that call it from browsers and apps:
//
//   - Transport: the GraphQL-over-HTTP transport (GET and POST) that
//     replaces gqlgen's: the response media type follows the request's
//     Accept (application/graphql-response+json or application/json, 406
//     when neither is acceptable), status codes follow the GraphQL-over-HTTP
//     spec for each (a request error is 400 with the former, 200 with the
//     latter), a GET mutation is 405 with Allow, a malformed body is a 400
//     that never echoes the input, "documentId" is accepted for trusted
//     documents, @defer is delivered incrementally over multipart/mixed
//     (deferSpec=20220824, as Apollo Client reads it) to clients that accept
//     it and merged into one body for clients that do not, and GET answers
//     of anonymous persisted queries may be cached by shared caches
//     (Cache-Control: public, max-age) while everything else is no-store;
//   - Middleware: CORS from configuration (github.com/rs/cors, with exact
//     origins and patterns such as https://*.example.com or
//     http://localhost:*), CSRF prevention as Apollo Server does it,
//     response compression negotiated from Accept-Encoding (zstd or gzip,
//     with a size floor, github.com/klauspost/compress/gzhttp), Vary on
//     every request header that changes the answer, and the media type of
//     error answers that other middlewares write (401, 413, 429, 503)
//     rewritten to follow Accept;
//   - WriteError, for middlewares that answer before the transport.
//
// Every error answer carries extensions.code (the Code* constants here and
// in shared/persisted). Persisted operations themselves (APQ, trusted
// documents) are shared/persisted's; this package only maps their codes to
// HTTP statuses.
package edge
