package mocks_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/tandemgw/tandem/mocks"
)

// Every route the mocks serve is in its OpenAPI document, and every
// operation of the document is served.
func TestOpenAPIRouteCoverage(t *testing.T) {
	c := startCluster(t)
	cts := loadContracts(t)
	check := func(name string, served []string) {
		t.Helper()
		documented := cts[name].Operations()
		sort.Strings(documented)
		served = slices.Clone(served)
		sort.Strings(served)
		for _, r := range served {
			if !slices.Contains(documented, r) {
				t.Errorf("%s serves %q, which %s.yaml does not document", name, r, name)
			}
		}
		for _, r := range documented {
			if !slices.Contains(served, r) {
				t.Errorf("%s.yaml documents %q, which %s does not serve", name, r, name)
			}
		}
	}
	rest := 0
	for _, s := range mocks.Services() {
		if s.Protocol != "rest" {
			continue
		}
		rest++
		if len(c.Routes(s.Name)) == 0 {
			t.Fatalf("%s has no routes", s.Name)
		}
		check(s.Name, c.Routes(s.Name))
	}
	if rest < 4 {
		t.Fatalf("only %d REST services", rest)
	}
	check("mocks-admin", mocks.AdminRoutes)
}
