package prefetch

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

const testSchema = `
type Query { items: ItemConnection }
type ItemConnection { nodes: [Item!]! }
type Item { id: ID! price: Int stock: Int owner: User }
type User { id: ID! name: String }
directive @defer(if: Boolean, label: String) on FRAGMENT_SPREAD | INLINE_FRAGMENT
`

type (
	conn struct{ nodes []*item }
	item struct{ id, owner string }
	user struct{ id string }
)

// walk parses query, and walks the plan over the connection its root
// field "items" returns, as ObserveField would.
func walk(t *testing.T, p *Plan, query string, c *conn) {
	t.Helper()
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: testSchema})
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, rules.NewDefaultRules())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	op := doc.Operations[0]
	ctx := graphql.WithOperationContext(context.Background(), &graphql.OperationContext{Doc: doc, Operation: op, Variables: map[string]any{}})
	root := op.SelectionSet[0].(*ast.Field)
	p.walk(ctx, "ItemConnection", []any{c}, root.SelectionSet)
}

// recorder remembers each step's call: which field, over which parents.
type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
}

func testPlan(r *recorder) *Plan {
	p := New()
	// Registered first, but it needs the market: runs after the level's
	// other steps whatever the order of registration and of the query.
	Load(p, "Item", "price", []string{"market"}, func(_ context.Context, items []*item, _ graphql.CollectedField, _ func([]struct{})) {
		ids := ""
		for _, it := range items {
			ids += it.id + ","
		}
		r.add("price:" + ids)
	})
	Via(p, "ItemConnection", "nodes", func(c *conn) []*item { return c.nodes })
	Load(p, "Item", "owner", nil, func(_ context.Context, items []*item, _ graphql.CollectedField, next func([]*user)) {
		ids := ""
		var owners []*user
		for _, it := range items {
			ids += it.id + ","
			owners = append(owners, &user{id: it.owner})
		}
		r.add("owner:" + ids)
		next(owners) // as a loader's then-callback would, once they are loaded
	})
	Load(p, "User", "name", nil, func(_ context.Context, us []*user, _ graphql.CollectedField, _ func([]struct{})) {
		ids := ""
		for _, u := range us {
			ids += u.id + ","
		}
		r.add("name:" + ids)
	})
	return p
}

func TestWalkLoadsEachLevelOnceNeedsLast(t *testing.T) {
	r := &recorder{}
	c := &conn{nodes: []*item{{id: "a", owner: "u1"}, {id: "b", owner: "u2"}, nil}}
	walk(t, testPlan(r), `{ items { nodes { price id owner { name } stock } } }`, c)
	want := []string{"owner:a,b,", "name:u1,u2,", "price:a,b,"}
	if len(r.calls) != len(want) {
		t.Fatalf("calls %v, want %v", r.calls, want)
	}
	for i := range want {
		if r.calls[i] != want[i] {
			t.Fatalf("calls %v, want %v", r.calls, want)
		}
	}
}

func TestWalkFollowsFragmentsAndSkipsWhatIsNotSelected(t *testing.T) {
	r := &recorder{}
	c := &conn{nodes: []*item{{id: "a", owner: "u1"}}}
	walk(t, testPlan(r), `{ items { nodes { ...F } } } fragment F on Item { id price }`, c)
	if len(r.calls) != 1 || r.calls[0] != "price:a," {
		t.Fatalf("calls %v, want only the price of a", r.calls)
	}
}

func TestWalkLeavesDeferredFieldsToTheirPayload(t *testing.T) {
	r := &recorder{}
	c := &conn{nodes: []*item{{id: "a", owner: "u1"}}}
	walk(t, testPlan(r), `{ items { nodes { id ... @defer { price } } } }`, c)
	if len(r.calls) != 0 {
		t.Fatalf("a deferred field was prefetched with the initial payload: %v", r.calls)
	}
}

func TestParentsOfDropsNils(t *testing.T) {
	var none *item
	if got := parentsOf[*item](none); got != nil {
		t.Errorf("a nil object gives parents %v", got)
	}
	if got := parentsOf[*item]([]*item{{id: "a"}, nil}); len(got) != 1 {
		t.Errorf("a list with a nil gives %d parents, want 1", len(got))
	}
	if got := parentsOf[*item]("not an item"); got != nil {
		t.Errorf("another type gives parents %v", got)
	}
}

// An item's resolver returns an object its level's walk has been over:
// ObserveField's walk of it starts nothing again, but the same object
// under another selection, or an object the walk has not seen, is walked.
func TestWalkGoesOverAnObjectOncePerSelection(t *testing.T) {
	r := &recorder{}
	p := New()
	Via(p, "ItemConnection", "nodes", func(c *conn) []*item { return c.nodes })
	Load(p, "Item", "price", nil, func(_ context.Context, items []*item, _ graphql.CollectedField, _ func([]struct{})) {
		ids := ""
		for _, it := range items {
			ids += it.id + ","
		}
		r.add("price:" + ids)
	})
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: testSchema})
	doc, errs := gqlparser.LoadQueryWithRules(schema, `{ items { nodes { price } } again: items { nodes { id price } } }`, rules.NewDefaultRules())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	op := doc.Operations[0]
	ctx := graphql.WithOperationContext(context.Background(), &graphql.OperationContext{Doc: doc, Operation: op, Variables: map[string]any{}})
	ctx = withWalked(ctx)
	a, b := &item{id: "a"}, &item{id: "b"}
	// What the executor hands the resolver of an item's field: the
	// selection it collected, as the walk collects it.
	oc := graphql.GetOperationContext(ctx)
	nodes := func(i int) ast.SelectionSet {
		return graphql.CollectFields(oc, op.SelectionSet[i].(*ast.Field).SelectionSet, []string{"ItemConnection"})[0].Selections
	}

	p.walk(ctx, "ItemConnection", []any{&conn{nodes: []*item{a, b}}}, op.SelectionSet[0].(*ast.Field).SelectionSet)
	p.walk(ctx, "Item", []any{a}, nodes(0))    // a's resolver, after its level
	p.walk(ctx, "Item", []any{b, a}, nodes(0)) // both again
	p.walk(ctx, "Item", []any{a}, nodes(1))    // another selection
	p.walk(ctx, "Item", []any{a, &item{id: "c"}, b}, nodes(0))

	want := []string{"price:a,b,", "price:a,", "price:c,"}
	if len(r.calls) != len(want) {
		t.Fatalf("calls %v, want %v", r.calls, want)
	}
	for i := range want {
		if r.calls[i] != want[i] {
			t.Fatalf("calls %v, want %v", r.calls, want)
		}
	}
}

func TestStepsNeedingAFactRunLast(t *testing.T) {
	p := New()
	noop := func(context.Context, []*item, graphql.CollectedField, func([]struct{})) {}
	Load(p, "Item", "a", []string{"market"}, noop)
	Load(p, "Item", "b", nil, noop)
	Load(p, "Item", "c", []string{"market"}, noop)
	Load(p, "Item", "d", nil, noop)
	Load(p, "Item", "a", nil, noop) // registered again, needing nothing now
	if got, want := p.Steps("Item"), []string{"b", "d", "a", "c"}; !slices.Equal(got, want) {
		t.Fatalf("steps %v, want %v", got, want)
	}
	if !p.Loads("Item", "a") || p.Loads("Item", "x") || p.Loads("Nope", "a") {
		t.Fatal("Loads")
	}
}
