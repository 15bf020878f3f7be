package app_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every goroutine the app starts (upstream connections, the verifier's key
// refresh, the server) must end when the test's cleanups close it.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
