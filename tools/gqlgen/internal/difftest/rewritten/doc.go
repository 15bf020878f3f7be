// Package rewritten is the differential test's executor as tools/gqlgen
// generates and rewrites it from ../rewritten.yml (make generate), the
// way it writes the BFFs' executors. Nothing in it is edited by hand.
package rewritten
