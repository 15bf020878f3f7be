// Package idp is a mock OpenID Connect identity provider for local runs and
// tests. It serves OIDC discovery and a JWKS, mints signed access tokens for
// any subject and scopes, and rotates its signing key at run time while
// keeping retired public keys published for a configurable overlap, so the
// gateway's real RS256/ES256/EdDSA + JWKS verification path is exercised
// end to end.
//
// It is not an identity provider: there is no login, no client
// authentication and no token endpoint. Tokens are minted through
// Provider.Mint or the admin handler (POST /tokens, POST /rotate), which the
// mocks process mounts on its admin endpoint under /idp/.
package idp
