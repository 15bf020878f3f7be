package app_test

import (
	"testing"

	"github.com/tandemgw/tandem/shared/persisted"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
)

// On SIGTERM a request in flight at a backend finishes with its full
// answer while new connections are refused, and the BFF then closes its
// upstream connections and leaves no goroutine behind.
func TestGracefulDrain(t *testing.T) {
	// The check sends an ad-hoc operation: admitted in log mode, as in the
	// other app tests (outside dev mode bff-mobile enforces its manifest).
	gatewaytest.CheckGracefulDrain(t, gatewaytest.Options{Spec: app.Spec, New: app.New, Register: app.Sources,
		Tweak: func(c *app.Config) { c.Edge.TrustedDocuments.Mode = persisted.ModeLog }})
}
