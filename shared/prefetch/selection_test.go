package prefetch

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

func parseSelection(t *testing.T, query string) ast.SelectionSet {
	t.Helper()
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `type Query { t: T } type T { a: Int b: Int c: Int t: T }`})
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, rules.NewDefaultRules())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	return doc.Operations[0].SelectionSet[0].(*ast.Field).SelectionSet
}

// A field counts wherever it may be asked for: directly, in an inline
// fragment, in a spread fragment, and whatever the fragment's type
// condition or directives.
func TestMaySelect(t *testing.T) {
	for _, c := range []struct {
		query string
		want  bool
	}{
		{`{ t { a b } }`, false},
		{`{ t { a c } }`, true},
		{`{ t { ... on T { c } } }`, true},
		{`{ t { ...F } } fragment F on T { a ... on T { c @skip(if: true) } }`, true},
		{`{ t { ...F ...F } } fragment F on T { a b }`, false},
		{`{ t { t { c } } }`, false}, // deeper, another field's
	} {
		if got := MaySelect([]string{"c"}, parseSelection(t, c.query)); got != c.want {
			t.Errorf("%s: %v, want %v", c.query, got, c.want)
		}
	}
}

// A fragment spread twice at every level is looked at once: the walk
// follows the document's size, not the 2^20 fields it would expand to.
func TestEachFieldLooksAtAFragmentOnce(t *testing.T) {
	const depth = 20
	var b strings.Builder
	b.WriteString(`{ t { ... on T { ...F0 } ... on T { ...F0 } } }`)
	for i := range depth {
		fmt.Fprintf(&b, " fragment F%d on T { a ... on T { ...F%d } ...F%d }", i, i+1, i+1)
	}
	fmt.Fprintf(&b, " fragment F%d on T { b }", depth)
	visited := 0
	EachField(parseSelection(t, b.String()), func(*ast.Field) bool { visited++; return true })
	if want := depth + 1; visited != want {
		t.Fatalf("visited %d fields, want %d (one per field of the document)", visited, want)
	}
	if MaySelect([]string{"c"}, parseSelection(t, b.String())) {
		t.Fatal("c is nowhere in the document")
	}
}
