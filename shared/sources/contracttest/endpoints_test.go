package contracttest_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/shared/connector"
	"github.com/tandemgw/tandem/shared/sources/contracttest"
)

// address is what a BFF model of an address could look like.
type address struct {
	ID      string `json:"id"`
	City    string `json:"city"`
	Country string `json:"country"`
}

// TestEndpointMismatches shows that the check catches each way a
// directive can disagree with its contract, and passes one that agrees.
func TestEndpointMismatches(t *testing.T) {
	doc := contracttest.Load(t, filepath.Join(openapiDir, "accounts.yaml"))
	good := connector.Spec{Batch: "/addresses?ids={$parent.addressId}", Key: "id"}
	list := connector.Spec{Get: "/users/{$parent.id}/addresses", At: []string{"items"}}
	type badCity struct {
		City int `json:"city"`
	}
	type unknown struct {
		Planet string `json:"planet"`
	}
	cases := []struct {
		name  string
		spec  connector.Spec
		value reflect.Type
		want  string // "" when the directive agrees with the contract
	}{
		{"agrees", good, reflect.TypeFor[*address](), ""},
		{"list agrees", list, reflect.TypeFor[[]*address](), ""},
		{"unknown path", connector.Spec{Get: "/adresses/{$parent.id}"}, reflect.TypeFor[*address](), "GET /adresses/{$parent.id} is not in the contract"},
		{"unknown batch parameter", connector.Spec{Get: good.Get, Batch: "/addresses?addressIds={$keys}", Key: "id"}, reflect.TypeFor[*address](), `no query parameter "addressIds"`},
		{"unknown key", connector.Spec{Get: good.Get, Batch: good.Batch, Key: "addressId"}, reflect.TypeFor[*address](), `no key field "addressId"`},
		{"wrong type", good, reflect.TypeFor[*badCity](), "schema type"},
		{"unknown field", good, reflect.TypeFor[*unknown](), "planet"},
		{"wrong at", connector.Spec{Get: list.Get, At: []string{"nodes"}}, reflect.TypeFor[[]*address](), `no field "nodes"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := strings.Join(contracttest.EndpointMismatches(doc, c.spec, c.value, nil), "\n")
			if c.want == "" && got != "" {
				t.Fatalf("want no mismatch, got:\n%s", got)
			}
			if c.want != "" && !strings.Contains(got, c.want) {
				t.Fatalf("want a mismatch with %q, got:\n%s", c.want, got)
			}
		})
	}
}

// A brief view is checked against the contract too: its parameter and
// value must be ones the operation takes.
func TestBriefViewMismatches(t *testing.T) {
	doc := contracttest.Load(t, filepath.Join(openapiDir, "catalog.yaml"))
	type product struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	spec := connector.Spec{Batch: "/products?ids={$parent.productId}", Key: "id", Brief: "view=basic", BriefOmits: []string{"description"}}
	if m := contracttest.EndpointMismatches(doc, spec, reflect.TypeFor[*product](), nil); len(m) > 0 {
		t.Fatalf("want no mismatch, got %v", m)
	}
	for brief, want := range map[string]string{"view=tiny": "view=tiny is not a value", "fields=id": `no query parameter "fields"`} {
		spec.Brief = brief
		got := strings.Join(contracttest.EndpointMismatches(doc, spec, reflect.TypeFor[*product](), nil), "\n")
		if !strings.Contains(got, want) {
			t.Errorf("brief %s: want a mismatch with %q, got:\n%s", brief, want, got)
		}
	}
}
