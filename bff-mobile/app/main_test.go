package app_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every goroutine the app starts (upstream connections, the verifier's key
// refresh, the server) and every goroutine of the mocks must end when the
// test's cleanups close them.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
