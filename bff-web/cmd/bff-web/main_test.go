package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/bff-web/graph"
	"github.com/tandemgw/tandem/shared/registry"
)

// The source list of main registers every source the resolvers need, each
// once.
func TestSourcesCoverResolvers(t *testing.T) {
	reg := registry.New(registry.WithApp("bff-web"))
	for _, register := range sources {
		if err := register(reg); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range graph.RequiredSources {
		if !slices.Contains(reg.IDs(), id) {
			t.Errorf("resolvers need %q but main does not register it", id)
		}
	}
}

func TestRunRejectsBadConfiguration(t *testing.T) {
	err := run([]string{"-log-level", "loud"}, nil)
	if err == nil || !strings.Contains(err.Error(), "log.level") {
		t.Fatalf("err = %v, want it to name log.level", err)
	}
}
