//go:build race

package bench

// raceBuildFlags build the systems under test as the test binary is built,
// so `go build` finds the packages compiled already.
var raceBuildFlags = []string{"-race"}
