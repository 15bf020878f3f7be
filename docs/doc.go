// Package docs holds the guides that are not a package's own
// documentation. It has no code: its test keeps the guides to what they
// promise (adding-a-backend.md under 300 lines, every path and command it
// names existing).
package docs
