// Package e2e holds what spans both BFFs: the comparison of their response
// shapes for the same data, the check that they refuse the same bad input
// with the same message, and the end-to-end benchmarks (client → BFF →
// in-process mock backends over loopback). Each BFF's own behaviour is
// tested in its app package; this package holds no product code.
package e2e
