package app_test

import (
	"testing"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
)

// Sources is the one source list: Spec.RequiredSources is its ids, it
// registers every source the resolvers reach, each once, and each with a
// default address for dev mode.
func TestSourcesCoverResolvers(t *testing.T) {
	gatewaytest.CheckSourcesCoverResolvers(t, app.Spec, app.Sources, "github.com/tandemgw/tandem/bff-mobile/graph")
}
