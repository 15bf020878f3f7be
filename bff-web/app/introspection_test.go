package app_test

import (
	"testing"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
)

// In dev mode GraphiQL's own schema query loads although it is over the
// web depth limit and cost ceiling; outside dev introspection is refused.
func TestGraphiQLIntrospection(t *testing.T) {
	dev := newEnv(t, func(c *app.Config) { c.Dev = true })
	prod := newEnv(t, nil)
	gatewaytest.CheckIntrospection(t, dev.Env, prod.Env, app.Default().Throttle.Operation.MaxDepth)
}
