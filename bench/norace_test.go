//go:build !race

package bench

var raceBuildFlags []string
