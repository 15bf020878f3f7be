package introspection

import (
	"fmt"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

var schema = gqlparser.MustLoadSchema(&ast.Source{Input: `type Query { product: Product } type Product { name: String }`})

func operation(t *testing.T, query string) (*ast.OperationDefinition, *ast.QueryDocument) {
	t.Helper()
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, rules.NewDefaultRules())
	if errs != nil {
		t.Fatalf("%s: %v", query, errs)
	}
	return doc.Operations[0], doc
}

func TestClassify(t *testing.T) {
	cases := map[string]Use{
		`{ __schema { queryType { name } } }`:                                                     Only,
		`{ __typename __type(name: "Product") { name } }`:                                         Only,
		`query { ...F } fragment F on Query { __schema { types { name } } }`:                      Only,
		`{ ... on Query { __type(name: "Query") { name } } }`:                                     Only,
		`{ product { name } __schema { queryType { name } } }`:                                    Mixed,
		`query { ...F __schema { queryType { name } } } fragment F on Query { product { name } }`: Mixed,
		`{ __typename }`:                                          None,
		`{ ... on Query { __typename } }`:                         None,
		`query { ...F } fragment F on Query { product { name } }`: None,
		// __typename below the root is not looked at, nor needed.
		`{ product { __typename name } }`: None,
	}
	for q, want := range cases {
		op, _ := operation(t, q)
		if got := Classify(op); got != want {
			t.Errorf("%s: Classify = %v, want %v", q, got, want)
		}
	}
	if Classify(nil) != None {
		t.Error("a missing operation is not introspection")
	}
}

// bomb is levels fragments on Query, each spreading the one below width
// times; the lowest selects leaf. tail follows the spread at the root.
func bomb(levels, width int, leaf, tail string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "{ ...F%d %s }\n", levels, tail)
	for i := levels; i > 0; i-- {
		fmt.Fprintf(&b, "fragment F%d on Query {%s }\n", i, strings.Repeat(fmt.Sprintf(" ...F%d", i-1), width))
	}
	fmt.Fprintf(&b, "fragment F0 on Query { %s }\n", leaf)
	return b.String()
}

// Classify reads each selection of the document at most once: a fragment
// bomb (2^30 and 4^15 root fields once expanded) is read in as many steps
// as it has selections written, and gets the verdict of its expansion.
func TestClassifyIsLinearOnFragmentBombs(t *testing.T) {
	cases := []struct {
		levels, width int
		leaf, tail    string
		want          Use
	}{
		{30, 2, "__typename", "", None},
		{30, 2, "__typename", "__typename", None},
		{30, 2, "__schema { queryType { name } }", "", Only},
		{15, 4, `__type(name: "Query") { name }`, "__typename", Only},
		{30, 2, "__typename", "product { name } __schema { queryType { name } }", Mixed},
		{30, 2, "product { name }", `__type(name: "Query") { name }`, Mixed},
	}
	for _, c := range cases {
		op, doc := operation(t, bomb(c.levels, c.width, c.leaf, c.tail))
		use, steps := classify(op)
		if use != c.want {
			t.Errorf("%d×%d bomb of %q with %q: %v, want %v", c.levels, c.width, c.leaf, c.tail, use, c.want)
		}
		if written := selections(doc); steps > written {
			t.Errorf("%d×%d bomb: %d steps for %d written selections", c.levels, c.width, steps, written)
		}
	}
}

// selections counts the selections written in doc, fragments once.
func selections(doc *ast.QueryDocument) int {
	var count func(ast.SelectionSet) int
	count = func(ss ast.SelectionSet) int {
		n := len(ss)
		for _, sel := range ss {
			switch s := sel.(type) {
			case *ast.Field:
				n += count(s.SelectionSet)
			case *ast.InlineFragment:
				n += count(s.SelectionSet)
			}
		}
		return n
	}
	n := 0
	for _, op := range doc.Operations {
		n += count(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		n += count(f.SelectionSet)
	}
	return n
}
