package throttle

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/tandemgw/tandem/shared/introspection"
)

// walkWithin is what any walk over a generated document may take. The
// walks are linear, so they take microseconds; a walk that expands
// fragments where they are spread takes seconds on a 30-level bomb.
const walkWithin = 50 * time.Millisecond

// hostileShape is what a generated document's fragments select.
type hostileShape struct {
	typeCond string                 // the fragments' type condition
	wrap     func(j int) string     // the root selection spreading the top fragment ("…" marks it); j numbers aliases
	leaf     string                 // what the lowest fragment selects
	sized    bool                   // wrap sizes a connection whose sized fields leaf selects
	deep     func(depth int) string // a root selection nested depth levels deep
}

func categoryChain(depth int) string {
	if depth < 2 {
		return "tags"
	}
	return "categories { " + strings.Repeat("parent { ", depth-2) + "name" + strings.Repeat(" }", depth-2) + " }"
}

func typeChain(depth int) string {
	if depth < 2 {
		return "__typename"
	}
	return `__type(name: "Query") { ` + strings.Repeat("ofType { ", depth-2) + "name" + strings.Repeat(" }", depth-2) + " }"
}

var hostileShapes = []hostileShape{
	{typeCond: "Query", wrap: func(int) string { return "…" }, leaf: "__typename", deep: categoryChain},
	{typeCond: "Query", wrap: func(int) string { return "…" }, leaf: "__schema { queryType { name } }", deep: typeChain},
	{typeCond: "Product", wrap: func(j int) string { return fmt.Sprintf(`a%d: product(id: "%d") { … }`, j, j) },
		leaf: "id name price { currency } reviews(first: 2) { author { name } }", deep: categoryChain},
	{typeCond: "ProductConnection", wrap: func(j int) string { return fmt.Sprintf("a%d: products(first: 5) { … }", j) },
		leaf: "nodes { id price { amountMinor } } pageInfo { hasNextPage }", sized: true, deep: categoryChain},
	// Every alias sizes the connection differently: the fragments that
	// select its sized fields are costed once per size.
	{typeCond: "ProductConnection", wrap: func(j int) string { return fmt.Sprintf("a%d: products(first: %d) { … }", j, j+1) },
		leaf: "edges { node { id } } totalCount", sized: true, deep: categoryChain},
	{typeCond: "SearchResult", wrap: func(j int) string { return fmt.Sprintf(`a%d: search(term: "%d") { … }`, j, j) },
		leaf: "... on Product { id price { currency } } ... on Category { id parent { id } }", deep: typeChain},
	{typeCond: "Category", wrap: func(j int) string { return fmt.Sprintf("a%d: categories { parent { … } }", j) },
		leaf: "parent { name } id", deep: categoryChain},
}

// hostileDocument writes a document of shape: levels fragments each
// spreading the one below width times, spread by aliases root selections
// (one when aliases is 0), next to a selection depth levels deep.
func hostileDocument(shape hostileShape, levels, width, aliases, depth int) string {
	var b strings.Builder
	b.WriteString("{ ")
	for j := range max(aliases, 1) {
		b.WriteString(strings.Replace(shape.wrap(j), "…", fmt.Sprintf("...F%d", levels), 1))
		b.WriteByte(' ')
	}
	if shape.typeCond == "Query" {
		for j := range aliases {
			fmt.Fprintf(&b, "t%d: __typename ", j)
		}
	}
	b.WriteString(shape.deep(depth))
	b.WriteString(" }\n")
	for i := levels; i > 0; i-- {
		fmt.Fprintf(&b, "fragment F%d on %s {%s }\n", i, shape.typeCond, strings.Repeat(fmt.Sprintf(" ...F%d", i-1), width))
	}
	fmt.Fprintf(&b, "fragment F0 on %s { %s }\n", shape.typeCond, shape.leaf)
	return b.String()
}

// selections counts the selections written in doc (its size; fragments
// counted once, where they are defined).
func selections(doc *ast.QueryDocument) int {
	var count func(ast.SelectionSet) int
	count = func(ss ast.SelectionSet) int {
		n := 0
		for _, sel := range ss {
			n++
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

// inlined is op with every fragment spread replaced by an inline fragment
// of the fragment's body: the same operation to every walker, written out
// in full. Only for small expansions.
func inlined(op *ast.OperationDefinition) *ast.OperationDefinition {
	var expand func(ast.SelectionSet) ast.SelectionSet
	expand = func(ss ast.SelectionSet) ast.SelectionSet {
		out := make(ast.SelectionSet, 0, len(ss))
		for _, sel := range ss {
			switch s := sel.(type) {
			case *ast.Field:
				c := *s
				c.SelectionSet = expand(s.SelectionSet)
				out = append(out, &c)
			case *ast.InlineFragment:
				c := *s
				c.SelectionSet = expand(s.SelectionSet)
				out = append(out, &c)
			case *ast.FragmentSpread:
				out = append(out, &ast.InlineFragment{
					TypeCondition: s.Definition.TypeCondition,
					SelectionSet:  expand(s.Definition.SelectionSet),
				})
			}
		}
		return out
	}
	c := *op
	c.SelectionSet = expand(op.SelectionSet)
	return &c
}

// timed runs walk and fails t if it took longer than walkWithin.
func timed(t *testing.T, name string, walk func()) {
	t.Helper()
	began := time.Now()
	walk()
	if took := time.Since(began); took > walkWithin {
		t.Errorf("%s took %v, want within %v", name, took, walkWithin)
	}
}

// Every walk over a document (introspection classification, shape, static
// cost) is linear in the document's size, whatever the document: fragment
// bombs (each fragment spreading the one below several times, 2^30 and
// more selections once expanded), wide alias trees and deep nesting, on
// objects, connections (whose size passes to fragments), unions and the
// root. Each walk answers within walkWithin and visits at most a constant
// times the document's selections (the cost walk once more per distinct
// connection size a fragment of sized fields is spread under); where the
// expansion is small, each agrees with the same operation written out in
// full. The seeds run in every `go test`; `go test -fuzz
// FuzzWalkersStayLinear ./shared/throttle` searches further.
func FuzzWalkersStayLinear(f *testing.F) {
	for shape := range hostileShapes {
		f.Add(uint8(shape), uint8(30), uint8(2), uint16(0), uint8(0))
		f.Add(uint8(shape), uint8(3), uint8(3), uint16(4), uint8(6))
	}
	f.Add(uint8(0), uint8(15), uint8(4), uint16(0), uint8(0))   // 4^15 once expanded
	f.Add(uint8(2), uint8(0), uint8(1), uint16(300), uint8(0))  // wide alias tree
	f.Add(uint8(4), uint8(20), uint8(2), uint16(120), uint8(0)) // a bomb under 120 connection sizes
	f.Add(uint8(1), uint8(0), uint8(1), uint16(0), uint8(120))  // deep introspection
	f.Add(uint8(6), uint8(25), uint8(3), uint16(30), uint8(90)) // deep data next to a bomb

	schema := loadTestSchema(f)
	calc := NewCalculator(schema, CostConfig{})
	f.Fuzz(func(t *testing.T, shapeN, levelsN, widthN uint8, aliasesN uint16, depthN uint8) {
		shape := hostileShapes[int(shapeN)%len(hostileShapes)]
		levels, width := int(levelsN)%41, 1+int(widthN)%4
		aliases, depth := int(aliasesN)%301, int(depthN)%121
		query := hostileDocument(shape, levels, width, aliases, depth)
		doc, gerr := gqlparser.LoadQueryWithRules(schema, query, rules.NewDefaultRules())
		if gerr != nil {
			t.Fatalf("generated an invalid document: %v\n%s", gerr, query)
		}
		op := doc.Operations[0]
		size := selections(doc)

		var (
			use        introspection.Use
			shapeOut   Shape
			shapeSteps int
			costOut    costResult
		)
		timed(t, "introspection.Classify", func() { use = introspection.Classify(op) })
		timed(t, "MeasureOperation", func() { shapeOut, shapeSteps = measure(op) })
		timed(t, "Calculator.Cost", func() { costOut = calc.cost(op, nil) })

		if shapeSteps > size {
			t.Errorf("MeasureOperation visited %d selections of a document of %d", shapeSteps, size)
		}
		sizes := 1
		if shape.sized {
			sizes += max(aliases, 1)
		}
		// Each fragment is costed once per distinct size (plus once
		// unsized), and asked once per connection definition whether it
		// selects the sized fields: at most twice the document per size.
		if bound := 2 * size * sizes; costOut.steps > bound {
			t.Errorf("the cost walk visited %d selections of a document of %d (bound %d)", costOut.steps, size, bound)
		}

		// Small expansions: the memoised walks agree with the written-out
		// operation.
		expanded := float64(size)
		for range levels {
			expanded *= float64(width)
		}
		if expanded > 20000 {
			return
		}
		full := inlined(op)
		if got := introspection.Classify(full); got != use {
			t.Errorf("Classify = %v, written out %v", use, got)
		}
		if got := MeasureOperation(full); got != shapeOut {
			t.Errorf("MeasureOperation = %+v, written out %+v", shapeOut, got)
		}
		if got := calc.Cost(full, nil); got != costOut.cost {
			t.Errorf("cost = %d, written out %d", costOut.cost, got)
		}
	})
}
