// Package soak holds the soak test (`make soak`, build tag soak, not part
// of `make test`): about two minutes of steady load against both BFFs,
// built in-process against in-process mocks on loopback, with 5% of one
// backend's calls failing and another backend slow. It asserts that every
// response is well-formed, that errors stay in the fields the failing
// backend feeds, and that heap in use, RSS and goroutines are flat from
// the first to the last 30 seconds, and prints the figures. It holds no
// product code.
package soak
