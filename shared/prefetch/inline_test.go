package prefetch

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// testConcurrent is the executor's table for testSchema: every field but
// ids is a resolver.
var testConcurrent = map[string]map[string]FieldKind{
	"Query": {"items": Resolver | Concurrent},
	"Item":  {"price": Resolver | Concurrent, "stock": Resolver | Concurrent, "owner": Resolver | Concurrent},
	"User":  {"name": Resolver | Concurrent},
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

// execCtx is a context as the executor has it while it resolves field's
// value, with the decision d.
func execCtx(d decisions, field *ast.Field) context.Context {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	ctx = graphql.WithOperationContext(ctx, &graphql.OperationContext{RecoverFunc: graphql.DefaultRecover})
	ctx = context.WithValue(ctx, inlineKey{}, d)
	return graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: field}})
}

func TestMarshalSliceRunsASettledListInOrderInTheCallingGoroutine(t *testing.T) {
	field := &ast.Field{Name: "nodes", Alias: "nodes"}
	ctx := execCtx(decisions{field: true}, field)
	done := 0
	out := MarshalSlice(ctx, 3, 0, false, func(ctx context.Context, i int) graphql.Marshaler {
		if done != i { // items run one after another, so no lock is needed
			t.Errorf("item %d ran after %d others", i, done)
		}
		if fc := graphql.GetFieldContext(ctx); fc.Index == nil || *fc.Index != i {
			t.Errorf("item %d has no index of its own in its field context", i)
		}
		done++
		if i == 1 {
			panic("boom")
		}
		return graphql.MarshalString("ok")
	})
	if done != 3 || len(out) != 3 {
		t.Fatalf("%d items marshalled, %d values", done, len(out))
	}
	if out[1] != graphql.Null {
		t.Error("a panicking item is not null")
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 1 {
		t.Errorf("errors %v, want the panic's", errs)
	}
}

func TestResolveFieldRunsNowOnlyOnASettledLevel(t *testing.T) {
	field := &ast.Field{Name: "nodes", Alias: "nodes"}
	resolve := func(context.Context) graphql.Marshaler { return graphql.Null }
	price := graphql.CollectedField{Field: &ast.Field{Name: "price", Alias: "price"}}

	for _, settled := range []bool{true, false} {
		ctx := execCtx(decisions{field: settled}, field)
		out := graphql.NewFieldSet([]graphql.CollectedField{price})
		deferred := graphql.NewDeferredGroup(ctx)
		ResolveField(ctx, price, out, graphql.GetOperationContext(ctx), &deferred, 0, true, true, resolve)
		if ran := out.Values[0] != nil; ran != settled {
			t.Errorf("settled %v: resolved before dispatch: %v", settled, ran)
		}
		out.Dispatch(ctx)
		if out.Values[0] != graphql.Null || out.Invalids != 1 {
			t.Errorf("settled %v: value %v, invalids %d; want null counted once", settled, out.Values[0], out.Invalids)
		}
	}
}

func TestResolveFieldRecoversAPanicInline(t *testing.T) {
	field := &ast.Field{Name: "nodes", Alias: "nodes"}
	ctx := execCtx(decisions{field: true}, field)
	price := graphql.CollectedField{Field: &ast.Field{Name: "price", Alias: "price"}}
	out := graphql.NewFieldSet([]graphql.CollectedField{price})
	deferred := graphql.NewDeferredGroup(ctx)
	ResolveField(ctx, price, out, graphql.GetOperationContext(ctx), &deferred, 0, true, false, func(context.Context) graphql.Marshaler {
		panic(errors.New("boom"))
	})
	if out.Values[0] != graphql.Null || out.Invalids != 0 {
		t.Errorf("value %v, invalids %d; want null, not invalid for a nullable field", out.Values[0], out.Invalids)
	}
}

func BenchmarkDecide(b *testing.B) {
	p, oc := inlinePlan(b, `{ items { nodes { id price stock owner { id name } } } }`)
	b.ReportAllocs()
	for b.Loop() {
		p.decide(oc)
	}
}

func TestResolveLeafMarshalsAValueAtOnceAndLeavesTheRestToGqlgen(t *testing.T) {
	name := graphql.CollectedField{Field: &ast.Field{Name: "name", Alias: "name"}}
	initFC := func(_ context.Context, f graphql.CollectedField) (*graphql.FieldContext, error) {
		return graphql.NewScalarFieldContext("Item", f, false, false, "String")
	}
	marshal := func(ctx context.Context, _ ast.SelectionSet, v string) graphql.Marshaler {
		return graphql.MarshalString(v)
	}
	run := func(read func(context.Context) (any, error)) (context.Context, string) {
		ctx := execCtx(decisions{}, &ast.Field{Name: "items"})
		oc := graphql.GetOperationContext(ctx)
		oc.ResolverMiddleware = func(ctx context.Context, next graphql.Resolver) (any, error) { return next(ctx) }
		var b bytes.Buffer
		ResolveLeaf(ctx, oc, name, initFC, read, nil, marshal, true, true).MarshalGQL(&b)
		return ctx, b.String()
	}

	if _, out := run(func(context.Context) (any, error) { return "Kettle", nil }); out != `"Kettle"` {
		t.Errorf("value: %s", out)
	}
	ctx, out := run(func(context.Context) (any, error) { return nil, nil })
	if out != "null" || len(graphql.GetErrors(ctx)) != 1 {
		t.Errorf("nil for a non-null field: %s, errors %v; want null and gqlgen's error", out, graphql.GetErrors(ctx))
	}
	ctx, out = run(func(context.Context) (any, error) { panic("boom") })
	if out != "null" || len(graphql.GetErrors(ctx)) != 1 {
		t.Errorf("panic: %s, errors %v; want null and the recovered error", out, graphql.GetErrors(ctx))
	}
}
