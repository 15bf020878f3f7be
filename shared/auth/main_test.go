package auth_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Verifiers started by the tests are closed in t.Cleanup; their background
// JWKS refreshes must have ended by the time the package's tests finish.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
