// Package introspection tells how a GraphQL operation uses schema
// introspection, for the server's guard (no introspection outside dev
// mode) and the throttle's dev-mode exemption (GraphiQL's schema query
// passes the limits meant for data queries).
//
// Classify looks at the operation's root selection only, where validation
// allows __schema and __type, and reads each fragment spread there once
// however often it is spread, so its work is linear in the document's size
// even for a "fragment bomb" whose expansion is exponential. It does not
// look below root fields and knows nothing of limits or modes: that is for
// its callers.
package introspection
