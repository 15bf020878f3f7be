package main

import (
	"context"
	"testing"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/bff-mobile/graph"
	"github.com/tandemgw/tandem/shared/registry"
)

// TestSourcesCoverResolvers guards the list in main: every source the
// resolvers read must be registered, once.
func TestSourcesCoverResolvers(t *testing.T) {
	reg := registry.New(registry.WithApp(app.Name))
	for _, register := range sources {
		if err := register(reg); err != nil {
			t.Fatal(err)
		}
	}
	set, err := reg.Build(context.Background(), app.DefaultUpstreams(), registry.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = set.Close() }()
	if err := set.Require(graph.RequiredSources...); err != nil {
		t.Fatal(err)
	}
}
