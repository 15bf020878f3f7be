package app_test

import (
	"testing"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
)

// On SIGTERM a request in flight at a backend finishes with its full
// answer while new connections are refused, and the BFF then closes its
// upstream connections and leaves no goroutine behind.
func TestGracefulDrain(t *testing.T) {
	gatewaytest.CheckGracefulDrain(t, gatewaytest.Options{Spec: app.Spec, New: app.New, Register: app.Sources})
}
