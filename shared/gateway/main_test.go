package gateway

import (
	"testing"

	"go.uber.org/goleak"
)

// Nothing a test builds (sources, verifiers, stores) outlives it.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
