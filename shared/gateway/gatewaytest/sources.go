package gatewaytest

import (
	"context"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/registry"
)

// sourcesPrefix is the import path under which each source package
// (named for its source id) lives.
const sourcesPrefix = "github.com/tandemgw/tandem/shared/sources/"

// CheckSourcesCoverResolvers checks a BFF's one source list (sources, the
// list main registers) against what its resolvers use: every id of
// spec.RequiredSources (generated from the schema's directives and the
// resolvers' imports) is in the list, every source package the resolver
// package resolversPkg reaches (directly or through shared packages, by
// `go list -deps`) is in the list, nothing else is, each is listed once,
// and every one has a default address, so dev mode starts with no
// configuration.
func CheckSourcesCoverResolvers(t *testing.T, spec gateway.Spec, sources []func(*registry.Registry) error, resolversPkg string) {
	t.Helper()
	reg := registry.New(registry.WithApp(spec.Name))
	for _, register := range sources {
		if err := register(reg); err != nil {
			t.Fatal(err)
		}
	}
	needed := map[string]bool{}
	for _, id := range spec.RequiredSources {
		needed[id] = true
		if !slices.Contains(reg.IDs(), id) {
			t.Errorf("the schema or the resolvers read source %q but %s's source list does not register it", id, spec.Name)
		}
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", resolversPkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", resolversPkg, err)
	}
	used := 0
	for _, pkg := range strings.Fields(string(out)) {
		id, ok := strings.CutPrefix(pkg, sourcesPrefix)
		if !ok || strings.Contains(id, "/") || id == "contracttest" {
			continue
		}
		used++
		needed[id] = true
		if !slices.Contains(reg.IDs(), id) {
			t.Errorf("the resolvers (%s) use source %q but %s's source list does not register it", resolversPkg, id, spec.Name)
		}
	}
	if used == 0 {
		t.Errorf("found no source package among the dependencies of %s", resolversPkg)
	}
	for _, id := range reg.IDs() {
		if !needed[id] {
			t.Errorf("%s's source list registers %q, which nothing reads", spec.Name, id)
		}
	}
	set, err := reg.Build(context.Background(), reg.WithDefaultAddresses(nil), registry.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	if err := set.Close(); err != nil {
		t.Fatal(err)
	}
}
