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

// Fragment bombs, wide alias trees and deep nesting are refused quickly
// with a proper code in both modes: no walk over a document expands its
// fragments, and dev mode's introspection exemption lets none of them
// through.
func TestHostileDocumentsRefusedQuickly(t *testing.T) {
	gatewaytest.CheckHostileDocuments(t, newEnv(t, func(c *app.Config) { c.Dev = true }).Env, newEnv(t, nil).Env)
}
