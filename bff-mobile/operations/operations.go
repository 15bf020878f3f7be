// Package operations holds the mobile app's published GraphQL operations:
// one .graphql file per operation, and manifest.json, the trusted
// documents manifest generated from them (Apollo persisted query manifest
// format) by tools/manifest through `make generate`. bff-mobile embeds the
// manifest, so in production mode (trusted documents enforced) it serves
// exactly these operations with no file to deploy beside the binary.
//
// The app's build uses the same manifest: Apollo iOS and Kotlin, or Apollo
// Client's persisted query link, send each operation's id instead of its
// text (see the README). To publish a new or changed operation, edit the
// .graphql files, run `make generate`, and ship the BFF before the app.
package operations

import _ "embed"

// Manifest is manifest.json.
//
//go:embed manifest.json
var Manifest []byte

// ManifestName names the embedded manifest in startup messages.
const ManifestName = "bff-mobile/operations/manifest.json (built in)"
