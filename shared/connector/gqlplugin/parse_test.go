package gqlplugin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

const directivesSDL = `
directive @source(name: String!, kind: String!, address: String!) repeatable on SCHEMA
directive @rest(source: String!, get: String, batch: String, key: String, at: String, brief: String, briefOmits: [String!]) on FIELD_DEFINITION
directive @grpc(source: String!, method: String!, request: String!, items: String, key: String, at: String) on FIELD_DEFINITION
type Query { viewer: Viewer }
`

func load(t *testing.T, sdl string) *ast.Schema {
	t.Helper()
	s, err := gqlparser.LoadSchema(&ast.Source{Name: "test.graphqls", Input: directivesSDL + sdl})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseFields(t *testing.T) {
	s := load(t, `
extend schema @source(name: "wishlists", kind: "REST", address: "http://127.0.0.1:9106")
type Viewer {
  id: ID!
  wishlist: Int @rest(source: "wishlists", get: "/users/{$parent.id}/wishlist", batch: "/wishlists?userIds={$keys}", key: "userId", at: "itemCount")
  related(first: Int = 4): [Int!] @rest(source: "recs", get: "/users/{$parent.id}/related?limit={$args.first}")
  address: Int @rest(source: "accounts", batch: "/addresses?ids={$parent.addressId}", key: "id")
  mine: Int @rest(source: "accounts", get: "/users/{$viewer.id}")
  brief: Viewer @rest(source: "accounts", batch: "/users?ids={$parent.id}", key: "id", brief: "view=basic", briefOmits: ["id", "wishlist"])
  quote(country: String!): Int @grpc(source: "shipping", method: "pkg.S/Batch", request: "skus: $parent.sku, country: $args.country", items: "quotes", key: "sku")
}`)
	sources, fields, err := parseSchema(s)
	if err != nil {
		t.Fatal(err)
	}
	if len(sources) != 1 || sources[0] != (declaredSource{Name: "wishlists", Kind: "REST", Address: "http://127.0.0.1:9106"}) {
		t.Fatalf("sources: %+v", sources)
	}
	byName := map[string]*field{}
	for _, f := range fields {
		byName[f.Name] = f
	}
	w := byName["wishlist"]
	if w.Key != (ref{"parent", "id"}) || len(w.Args) != 0 || w.REST.BatchIDs != "userIds" || w.REST.ItemKey != "userId" || strings.Join(w.At, ".") != "itemCount" {
		t.Errorf("wishlist: %+v %+v", w, w.REST)
	}
	if r := byName["related"]; r.Key != (ref{"parent", "id"}) || strings.Join(r.Args, ",") != "first" || r.REST.Batch != nil {
		t.Errorf("related: %+v", r)
	}
	if a := byName["address"]; a.Key != (ref{"parent", "addressId"}) || a.REST.Get.Raw != "" || a.REST.BatchIDs != "ids" {
		t.Errorf("address: %+v %+v", a, a.REST)
	}
	if m := byName["mine"]; m.Key != (ref{"viewer", "id"}) {
		t.Errorf("mine: %+v", m)
	}
	if b := byName["brief"]; b.REST.Brief != "view=basic" || strings.Join(b.REST.BriefOmits, ",") != "id,wishlist" {
		t.Errorf("brief: %+v", b.REST)
	}
	q := byName["quote"]
	if q.Key != (ref{"parent", "sku"}) || strings.Join(q.Args, ",") != "country" || q.GRPC.Items != "quotes" || len(q.GRPC.Request) != 2 {
		t.Errorf("quote: %+v %+v", q, q.GRPC)
	}
}

func TestParseFieldErrors(t *testing.T) {
	cases := map[string]string{
		`x: Int @rest(source: "s")`:                                                                                       "needs get, batch or both",
		`x: Int @rest(source: "s", get: "users/{$parent.id}")`:                                                            "must start with /",
		`x: Int @rest(source: "s", get: "/u/{$parent.id}", batch: "/u")`:                                                  "must pass the keys",
		`x: Int @rest(source: "s", get: "/u/{$parent.id}", batch: "/u?ids={$keys}")`:                                      "batch needs key",
		`x: Int @rest(source: "s", get: "/u/{$args.nope}")`:                                                               "no argument",
		`x: Int @rest(source: "s", get: "/u/{$parent.a}/{$parent.b}")`:                                                    "keyed by one value",
		`x: Int @rest(source: "s", batch: "/u?ids={$keys}", key: "id")`:                                                   "nothing from $parent",
		`x: Int @rest(source: "s", get: "/u/{$viewer.name}")`:                                                             "only {$viewer.id}",
		`x: Int @rest(source: "s", get: "/u?q=a{$parent.id}")`:                                                            "the whole value",
		`x: Int @grpc(source: "s", method: "NoSlash", request: "a: $parent.id")`:                                          "package.Service/Method",
		`x: Int @grpc(source: "s", method: "p.S/M", request: "a: parent.id")`:                                             "want field",
		`x: Int @grpc(source: "s", method: "p.S/M", request: "a: $parent.id", items: "xs")`:                               "both items and key",
		`x: Int @rest(source: "s", get: "/u/{$parent.id}") @grpc(source: "s", method: "p.S/M", request: "a: $parent.id")`: "exclude each other",
		`x: Viewer @rest(source: "s", get: "/u/{$parent.id}", brief: "view=basic")`:                                       "go together",
		`x: Viewer @rest(source: "s", get: "/u/{$parent.id}", briefOmits: ["id"])`:                                        "go together",
		`x: Viewer @rest(source: "s", get: "/u/{$parent.id}", brief: "view={$parent.id}", briefOmits: ["id"])`:            "fixed query",
		`x: Viewer @rest(source: "s", get: "/u/{$parent.id}", brief: "view=basic", briefOmits: ["nope"])`:                 `Viewer has no field "nope"`,
	}
	for decl, want := range cases {
		s := load(t, "type Viewer { id: ID!\n  "+decl+"\n}")
		_, _, err := parseSchema(s)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one containing %q", decl, err, want)
		}
	}
}

// TestHandWrittenWins: a method in any hand-written file of the resolver
// package takes the field from the plugin; the plugin's own output does
// not count.
func TestHandWrittenWins(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"accounts.resolvers.go": `package graph
import "github.com/tandemgw/tandem/shared/sources/accounts"
type viewerResolver struct{}
func (r *viewerResolver) Profile() {}
var _ = accounts.ID`,
		OutputName:       "package graph\nfunc (r *viewerResolver) Wishlist() {}\n",
		"helper_test.go": "package graph\nfunc (r *viewerResolver) Orders() {}\n",
	}
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := handWritten(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"viewerResolver.Profile", "type viewerResolver"} {
		if !got[want] {
			t.Errorf("%q not found in %v", want, got)
		}
	}
	for _, not := range []string{"viewerResolver.Wishlist", "viewerResolver.Orders"} {
		if got[not] {
			t.Errorf("%q counted as hand-written", not)
		}
	}
}

// TestSourcesReached: a source package counts when the resolvers import it
// or reach it through a shared package (shared/resolve reads orders and
// pricing).
func TestSourcesReached(t *testing.T) {
	got, err := sourcesReachedFrom(".", []string{"github.com/tandemgw/tandem/shared/resolve", "github.com/tandemgw/tandem/shared/sources/catalog"})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"orders", "pricing", "catalog"} {
		if !got[id] {
			t.Errorf("%s not reached: %v", id, got)
		}
	}
	if got["contracttest"] || got["wishlists"] {
		t.Errorf("reached too much: %v", got)
	}
}
