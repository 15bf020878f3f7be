// Package rest holds what every REST mock shares so that each one follows
// the conventions of schema/README.md the same way: JSON bodies and error
// bodies with stable codes, the batch form (?ids=), cursor pagination
// (?limit=&after=) with opaque cursors, and route tables of Go 1.22
// ServeMux patterns that the cluster can enumerate, count and fault.
//
// It does not route, count or inject faults itself; the mocks package does.
package rest
