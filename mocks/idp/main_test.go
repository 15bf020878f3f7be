package idp_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Key sets fetched in the tests use keyfunc clients whose refresh
// goroutines end with their context; none may outlive the tests.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
