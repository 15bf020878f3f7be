// Package stock is the differential test's executor as gqlgen alone
// generates it from ../stock.yml (make generate); the test compares the
// rewritten executor's answers with its answers. Nothing in it is edited
// by hand.
package stock
