package server

import (
	"testing"

	"go.uber.org/goleak"
)

// Every goroutine a server starts (the listener, connections, requests in
// flight) ends when Serve returns or the test's servers close.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
