// Package auth is the authentication core shared by every BFF.
//
// It verifies bearer JWTs (github.com/golang-jwt/jwt/v5) against the keys of
// one or more configured issuers. Keys come from each issuer's JWKS through
// github.com/MicahParks/keyfunc/v3: cached, refreshed in the background, and
// refetched at a rate-limited pace when a token names an unknown key id, so a
// key rotation needs no restart and a flood of random key ids cannot hammer
// the identity provider. Every issuer has an explicit algorithm allow-list;
// the key a token names must also be of the type its algorithm needs, which
// closes the classic "HS256 signed with the RSA public key" and "ES256 header
// on an RSA key" confusions. A static HS256 secret exists for local
// development only and is announced with a warning at startup. A token
// accepted before is accepted again without its signature check while it
// is unexpired and its key is still the issuer's (verified.go): clients
// send the same token with every request, and the check was most of a
// signed-in request's entry control.
//
// What it provides:
//   - Verifier.Middleware: anonymous requests pass through; a present but
//     invalid token is rejected with 401, WWW-Authenticate: Bearer
//     error="invalid_token" and a GraphQL-shaped error body; client-supplied
//     identity headers (X-Tandem-*) are stripped.
//   - NewContext/FromContext: the verified Principal in the request context.
//   - Authenticated and RequiresScopes: the gqlgen implementations of the
//     @authenticated and @requiresScopes directives (field-level null plus an
//     UNAUTHENTICATED or FORBIDDEN error; the rest of the response stands).
//   - PropagateHeaders, HeaderFunc, ForwardToken and the gRPC client
//     interceptors: the verified identity travels to backends in headers and
//     metadata they trust.
//
// What it is not: an OAuth client, a session store or an authorization
// policy engine. Tokens and secrets never appear in its errors or log lines;
// Principal and Secret redact themselves when formatted or logged.
package auth
