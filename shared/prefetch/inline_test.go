package prefetch

import (
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/tandemgw/tandem/shared/execution"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// testConcurrent is the executor's table for testSchema: every field but
// ids is a resolver.
var testConcurrent = map[string]map[string]execution.FieldKind{
	"Query": {"items": execution.Resolver | execution.Concurrent},
	"Item":  {"price": execution.Resolver | execution.Concurrent, "stock": execution.Resolver | execution.Concurrent, "owner": execution.Resolver | execution.Concurrent},
	"User":  {"name": execution.Resolver | execution.Concurrent},
}

// inlinePlan is testPlan running inline over testSchema, with query's
// operation.
func inlinePlan(tb testing.TB, query string) (*Plan, *graphql.OperationContext) {
	tb.Helper()
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: testSchema})
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, rules.NewDefaultRules())
	if len(errs) > 0 {
		tb.Fatal(errs)
	}
	p := testPlan(&recorder{}).RunInline(testConcurrent)
	p.schema, p.satisfies = schema, implementors(schema)
	return p, &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0], Variables: map[string]any{}}
}

// decideFor runs the plan's decision over query and returns it with the
// operation's fields by response path ("items.nodes.owner").
func decideFor(t *testing.T, query string) (decisions, map[string]*ast.Field) {
	t.Helper()
	p, oc := inlinePlan(t, query)
	fields := map[string]*ast.Field{}
	var index func(prefix string, sel ast.SelectionSet)
	index = func(prefix string, sel ast.SelectionSet) {
		for _, s := range sel {
			switch s := s.(type) {
			case *ast.Field:
				fields[prefix+s.Alias] = s
				index(prefix+s.Alias+".", s.SelectionSet)
			case *ast.InlineFragment:
				index(prefix, s.SelectionSet)
			case *ast.FragmentSpread:
				index(prefix, s.Definition.SelectionSet)
			}
		}
	}
	index("", oc.Operation.SelectionSet)
	return p.decide(oc), fields
}

func TestLevelsThePlanLoadsRunInline(t *testing.T) {
	d, f := decideFor(t, `{ items { nodes { id price owner { name } } } }`)
	for _, path := range []string{"items", "items.nodes", "items.nodes.owner"} {
		if !d[f[path]] {
			t.Errorf("%s: not run inline, though the plan loads every field below it", path)
		}
	}
}

func TestALevelWithAFieldOutsideThePlanKeepsItsGoroutines(t *testing.T) {
	// stock has a resolver the plan does not load: resolving the items one
	// after another would make each wait for its own call.
	d, f := decideFor(t, `{ items { nodes { id owner { name } stock } } }`)
	for _, path := range []string{"items", "items.nodes"} {
		if d[f[path]] {
			t.Errorf("%s: run inline above a field the plan does not load", path)
		}
	}
	if !d[f["items.nodes.owner"]] {
		t.Error("items.nodes.owner: a settled level below an unsettled one is not run inline")
	}
}

func TestFragmentsAndDeferredFields(t *testing.T) {
	d, f := decideFor(t, `{ items { nodes { ...F } } } fragment F on Item { id owner { ...U } } fragment U on User { name }`)
	if !d[f["items.nodes"]] || !d[f["items.nodes.owner"]] {
		t.Error("levels selected through fragments are not run inline")
	}
	// A deferred field resolves in its own payload, not with its level.
	d, f = decideFor(t, `{ items { nodes { id ... @defer { stock } } } }`)
	if !d[f["items.nodes"]] {
		t.Error("a deferred field outside the plan keeps its level from running inline")
	}
}

func TestTheDecisionIsBounded(t *testing.T) {
	// The walk follows the executor's expansion of fragments, so it is
	// bounded by the fields it looks at: past the bound, the operation is
	// left to gqlgen.
	q := `{ items { nodes { ...F } } } fragment F on Item { id price owner { name } }`
	d, _ := decideFor(t, q)
	if len(d) == 0 {
		t.Fatal("no decision")
	}
	p, oc := inlinePlan(t, q)
	dc := &decider{plan: p, oc: oc, out: decisions{}, budget: 3}
	dc.level("Query", oc.Operation.SelectionSet, false)
	if dc.budget >= 0 {
		t.Fatal("the budget was not spent")
	}
}

func BenchmarkDecide(b *testing.B) {
	p, oc := inlinePlan(b, `{ items { nodes { id price stock owner { id name } } } }`)
	b.ReportAllocs()
	for b.Loop() {
		p.decide(oc)
	}
}
