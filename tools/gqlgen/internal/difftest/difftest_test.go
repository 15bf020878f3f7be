package difftest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tandemgw/tandem/shared/execution"
	"github.com/tandemgw/tandem/shared/prefetch"
	"github.com/tandemgw/tandem/tools/gqlgen/internal/difftest/model"
	"github.com/tandemgw/tandem/tools/gqlgen/internal/difftest/rewritten"
	"github.com/tandemgw/tandem/tools/gqlgen/internal/difftest/stock"
)

// operation is one request of the corpus.
type operation struct {
	name, query string
	vars        map[string]any
}

const itemFields = `id name color price count ratio active note`

var corpus = []operation{
	// Leaves of every built-in scalar, the custom scalar and the enum.
	{name: "scalars", query: `{ scalars { s i f b id money color colors ptrS ptrI nilS big unicode } }`},
	{name: "item leaves", query: `{ shelf(id: "s1") { id title tags items { ` + itemFields + ` } } }`},
	{name: "floats gqlgen refuses", query: `{ scalars { f nan } }`},
	{name: "infinite non-null float", query: `{ scalars { s inf } shelf(id: "s1") { id } }`},
	{name: "arguments", query: `query($c: Color!) { a: echo(color: $c, price: 1234) b: echo(color: RED, price: 5, count: 9) }`, vars: map[string]any{"c": "GREEN"}},
	{name: "bad enum variable", query: `query($c: Color!) { echo(color: $c, price: 1) }`, vars: map[string]any{"c": "PINK"}},
	{name: "typename", query: `{ __typename shelf(id: "s1") { __typename items { __typename id } owner { __typename } } }`},

	// Non-null propagation from nils, at every depth.
	{name: "nil root non-null", query: `{ missing { id } scalars { s } }`},
	{name: "nil non-null object in a list item", query: `{ maybeShelf(id: "s2") { id items { id detail { label } } } }`},
	{name: "nil stops at a nullable list", query: `{ maybeShelf(id: "s2") { id maybeItems { id detail { label } } } }`},
	{name: "nil stops at a nullable field", query: `{ shelf(id: "s2") { id items { id maybeDetail { label } } maybeFeatured { id detail { label } } } }`},
	{name: "nil non-null object field", query: `{ shelves { id featured { id detail { label } } } }`},
	{name: "nil non-null leaf", query: `{ shelf(id: "s3") { items { id detail { label ptrLabel } } } }`},
	{name: "nil non-null leaf under nullable", query: `{ shelf(id: "s3") { items { id maybeDetail { ptrLabel weight } } } }`},
	{name: "nil item of a non-null list", query: `{ shelf(id: "s1") { grid { id name } } nothing { id } }`},
	{name: "nil list items", query: `{ shelves { maybeItems { id } grid { id } } nothing { id } }`},
	{name: "nil non-null list", query: `{ node(id: "p3") { ... on Person { friends { id } } } named { ... on Person { id friends { name } } } }`},
	{name: "nested lists", query: `{ shelves { id grid { id related { id name } } } }`},
	{name: "deep propagation", query: `{ shelves { id items { id related { id detail { label parts { sku } } } } } }`},
	{name: "propagation to the root", query: `{ shelf(id: "s2") { featured { detail { label } } } scalars { s } }`},

	// Errors from resolvers, with their paths.
	{name: "root error", query: `{ failing { id } scalars { i } }`},
	{name: "root error non-null", query: `{ shelf(id: "nope") { id } }`},
	{name: "errors in list items", query: `{ shelf(id: "s3") { items { id strict } } }`},
	{name: "nullable errors in list items", query: `{ shelf(id: "s3") { items { id maybe } maybeItems { id maybe } } }`},
	{name: "error deep in a list", query: `{ shelf(id: "s3") { items { id detail { parts { sku quantity fragile check } } } } }`},
	{name: "panic", query: `{ maybeShelf(id: "s3") { maybeItems { id strict } } }`},
	{name: "error with extensions", query: `{ search(term: "fail") { __typename } scalars { b } }`},
	{name: "error in a nullable list", query: `{ shelf(id: "s3") { items { id variants { id } } } }`},
	{name: "many errors", query: `{ shelves { id items { id strict maybe detail { ptrLabel parts { check } } variants { id strict } } } }`},

	// Aliases, a field twice, a field with two aliases.
	{name: "aliases", query: `{ first: shelf(id: "s1") { t: title title items { n: name name id id } } second: shelf(id: "s2") { t: title } }`},
	{name: "same alias merged", query: `{ shelf(id: "s1") { items { id } items { name } featured { id } featured { price } } }`},
	{name: "aliased resolvers", query: `{ shelf(id: "s3") { a: items { id strict } b: items { id } c: featured { d: detail { label } } } }`},

	// Fragments on interfaces and unions.
	{name: "union", query: `{ search(term: "all") { __typename ... on Item { id name detail { label } } ... on Person { id name favorite { id } } } }`},
	{name: "union propagation", query: `{ search(term: "all") { ... on Item { id detail { label } } } }`},
	{name: "interface", query: `{ named { name ... on Item { id maybeDetail { ptrLabel } } ... on Person { friends { name } } } }`},
	{name: "node", query: `{ a: node(id: "s1") { id ... on Shelf { title items { id } } } b: node(id: "i1") { id ... on Named { name } } c: node(id: "p1") { ...person } d: node(id: "zz") { id } }
		fragment person on Person { id name friends { ...person2 } }
		fragment person2 on Person { id name }`},
	{name: "named fragments", query: `{ shelves { ...shelf items { ...item } } }
		fragment shelf on Shelf { id title tags }
		fragment item on Item { id name detail { label } strict }`},
	{name: "fragment spread twice", query: `{ shelf(id: "s1") { items { ...a ...b } } }
		fragment a on Item { id related { id } }
		fragment b on Item { name related { name } }`},

	// @include and @skip.
	{name: "include skip", query: `query($yes: Boolean!, $no: Boolean!) { shelf(id: "s1") { id @include(if: $yes) title @skip(if: $yes) items @include(if: $no) { id } featured @skip(if: $no) { id name @include(if: $yes) } ... on Shelf @include(if: $yes) { tags } } }`, vars: map[string]any{"yes": true, "no": false}},
	{name: "skip a failing field", query: `query($no: Boolean!) { shelf(id: "s3") { items { id strict @include(if: $no) } } }`, vars: map[string]any{"no": false}},

	// @defer: the incremental payloads are compared too.
	{name: "defer", query: `{ shelf(id: "s1") { id items { id ... @defer(label: "more") { name maybeDetail { label } related { id } } } } }`},
	{name: "defer with errors", query: `{ shelf(id: "s3") { items { id ... @defer { strict maybe } } } }`},
	{name: "defer propagation", query: `{ shelf(id: "s2") { items { id ... @defer(label: "d") { detail { label } } } } }`},
	{name: "defer on an object", query: `{ shelves { id ... @defer(label: "owner") { owner { name } featured { id } } } }`},
	{name: "defer disabled", query: `query($d: Boolean!) { shelf(id: "s1") { ... @defer(if: $d) { featured { id } } } }`, vars: map[string]any{"d": false}},

	// Field directives (schema/directives.graphqls): the field resolves
	// through its directives' chain, and its children get the context the
	// chain gave its resolver.
	{name: "directive on leaves", query: `{ shelves { id motto } shelf(id: "s1") { items { id loudStrict detail { shout open } } } }`},
	{name: "directive over resolver errors", query: `{ shelf(id: "s3") { items { id loudStrict } } }`},
	{name: "directive over a panic", query: `{ shelf(id: "s3") { maybeItems { id loudStrict } } }`},
	{name: "wrong type from a directive", query: `{ shelf(id: "s1") { items { id loudCount } } denied { loudCount } }`},
	{name: "denied nullable", query: `{ denied { id } allowed { id name } shelf(id: "s1") { id deniedItems { id } } }`},
	{name: "denied non-null", query: `{ maybeShelf(id: "s1") { id deniedFeatured { id } } shelf(id: "s2") { id } }`},
	{name: "denied leaves", query: `{ shelf(id: "s1") { items { id maybeDetail { label open secret hidden } detail { open secret } } } }`},
	{name: "denied non-null leaf to the root", query: `{ shelf(id: "s1") { items { id detail { hidden } } } scalars { s } }`},
	{name: "denied in a list under a directive", query: `{ shelves { id scopedItems { id scopedDetail { secret hidden } } deniedItems { id } } }`},
	{name: "scope", query: `{ scopedShelf(id: "s1") { id scopedItems { id scope loudScope scopedRelated { id scope } scopedDetail { label scopedParts { sku scope } parts { scope } } } items { scope } } }`},
	{name: "unscoped", query: `{ shelf(id: "s1") { scopedItems { scope } featured { scope scopedDetail { parts { scope } } } } scopedShelf(id: "zz") { id } }`},
	{name: "scope with aliases", query: `{ a: scopedShelf(id: "s1") { x: scopedItems { s: scope l: loudScope } y: items { s: scope } } b: shelf(id: "s2") { x: scopedItems { s: scope } } }`},
	{name: "scope with errors", query: `{ scopedShelf(id: "s3") { id scopedItems { id scope maybe scopedDetail { scopedParts { sku check scope } } } } }`},
	{name: "scope in fragments", query: `{ node(id: "s1") { ... on Shelf { scopedItems { ...scoped } } } search(term: "items") { ... on Item { ...scoped } } }
		fragment scoped on Item { scope loudScope scopedRelated { scope } }`},
	{name: "directives under include", query: `query($no: Boolean!) { shelf(id: "s1") { id deniedFeatured @include(if: $no) { id } scopedItems @skip(if: $no) { scope } } }`, vars: map[string]any{"no": false}},
	{name: "defer under a directive", query: `{ scopedShelf(id: "s1") { scopedItems { id ... @defer(label: "scoped") { scope loudScope scopedDetail { shout secret scopedParts { scope } } } } } }`},
	{name: "defer a denied field", query: `{ shelf(id: "s1") { id ... @defer(label: "denied") { deniedItems { id } motto } } maybeShelf(id: "s2") { id ... @defer { deniedFeatured { id } } } }`},

	// Introspection.
	{name: "introspection type", query: `{ __type(name: "Item") { name kind interfaces { name } fields { name args { name } type { name kind ofType { name kind ofType { name } } } } } }`},
	{name: "introspection schema", query: `{ __schema { queryType { name } types { name kind possibleTypes { name } enumValues { name } } directives { name locations args { name defaultValue } } } }`},
	{name: "introspection full", query: introspectionQuery},

	// Rejected before execution.
	{name: "invalid", query: `{ shelf(id: "s1") { nope } }`},
}

// introspectionQuery is the shape of the query GraphQL clients send.
const introspectionQuery = `query IntrospectionQuery { __schema { queryType { name } mutationType { name } subscriptionType { name }
	types { ...FullType } directives { name description locations args { ...InputValue } } } }
	fragment FullType on __Type { kind name description fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
	inputFields { ...InputValue } interfaces { ...TypeRef } enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason } possibleTypes { ...TypeRef } }
	fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
	fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } }`

// inline is which levels the rewritten executor is told to resolve in
// the calling goroutine (execution.WithInline, as prefetch.Plan marks
// them for the gateway).
type inline int

const (
	inlineNone inline = iota
	inlineAll
	inlineAlternate // every other level of fields that select objects
	inlineGateway   // the levels the batching plan settles, as the gateway decides them
)

func (m inline) String() string {
	return [...]string{"nothing inline", "every level inline", "every other level inline", "the gateway's levels inline"}[m]
}

// gatewayPlan is a batching plan that loads most of the schema's resolver
// fields, so that its decision (prefetch.Plan.RunInline) settles the
// levels under them. The loads start nothing: the resolvers answer from
// fixed data, and the decision reads only which fields are loaded.
func gatewayPlan() *prefetch.Plan {
	p := prefetch.New()
	prefetch.Load(p, "Shelf", "items", nil, noLoad[*model.Shelf, *model.Item])
	prefetch.Load(p, "Shelf", "maybeItems", nil, noLoad[*model.Shelf, *model.Item])
	prefetch.Load(p, "Shelf", "featured", nil, noLoad[*model.Shelf, *model.Item])
	prefetch.Load(p, "Shelf", "owner", nil, noLoad[*model.Shelf, *model.Person])
	prefetch.Load(p, "Item", "strict", nil, noLoad[*model.Item, struct{}])
	prefetch.Load(p, "Item", "maybe", nil, noLoad[*model.Item, struct{}])
	prefetch.Load(p, "Item", "detail", nil, noLoad[*model.Item, *model.Detail])
	prefetch.Load(p, "Item", "related", nil, noLoad[*model.Item, *model.Item])
	prefetch.Load(p, "Part", "check", nil, noLoad[*model.Part, struct{}])
	prefetch.Load(p, "Person", "friends", nil, noLoad[*model.Person, *model.Person])
	return p.RunInline(rewritten.ConcurrentFields)
}

func noLoad[P, C any](context.Context, []P, graphql.CollectedField, func([]C)) {}

// marks is the operation's Inline decision for mode m: every field of the
// document with a selection, or every other one by depth.
func marks(doc *ast.QueryDocument, m inline) execution.Inline {
	d := execution.Inline{}
	var walk func(sel ast.SelectionSet, depth int)
	walk = func(sel ast.SelectionSet, depth int) {
		for _, s := range sel {
			switch s := s.(type) {
			case *ast.Field:
				if len(s.SelectionSet) > 0 {
					d[s] = m == inlineAll || depth%2 == 0
				}
				walk(s.SelectionSet, depth+1)
			case *ast.InlineFragment:
				walk(s.SelectionSet, depth)
			}
		}
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet, 0)
	}
	for _, f := range doc.Fragments {
		walk(f.SelectionSet, 1)
	}
	return d
}

// newExecutor serves es with the field observers wired as the gateway
// wires them: one field interceptor, and (every mode but nothing inline,
// so that both of execution.Resolve's ways are compared) the observers
// called directly by the rewritten executor. Stock gqlgen's executor has
// no call that reads the direct observers, so it observes through the
// interceptor.
func newExecutor(es graphql.ExecutableSchema, m inline, more ...execution.FieldObserver) *executor.Executor {
	exec := executor.New(es)
	exec.Use(extension.Introspection{})
	// gqlgen's own, without the stack trace it prints.
	exec.SetRecoverFunc(func(context.Context, any) error { return errors.New("internal system error") })
	observers := append([]execution.FieldObserver{recorder{}}, more...)
	if m == inlineGateway {
		plan := gatewayPlan()
		exec.Use(plan)
		observers = append(observers, plan)
	}
	exec.AroundFields(execution.Observe(observers...).InterceptField)
	if m != inlineNone {
		exec.Use(execution.Direct(observers...))
		exec.Use(execution.Fields())
	}
	if m != inlineNone && m != inlineGateway {
		exec.AroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
			return next(execution.WithInline(ctx, marks(graphql.GetOperationContext(ctx).Doc, m)))
		})
	}
	return exec
}

// recorder is a field observer that notes, in the operation's
// observations, each field it is told of (but plain leaves, which the
// rewritten executor reads without telling the observers, by design): its
// path, what it returned and whether it failed.
type recorder struct{}

type observationsKey struct{}

type observations struct {
	mu    sync.Mutex
	notes []string
}

func (recorder) ObserveField(ctx context.Context, fc *graphql.FieldContext, res any, err error) {
	if plainLeaf(fc, res) {
		return
	}
	if o, _ := ctx.Value(observationsKey{}).(*observations); o != nil {
		o.mu.Lock()
		o.notes = append(o.notes, fmt.Sprintf("%s %T failed=%v", fc.Path(), res, err != nil))
		o.mu.Unlock()
	}
}

// plainLeaf reports a field the rewritten executor reads straight from
// its model: a struct field of a built-in scalar's Go type, or a list of
// them, without arguments or directives.
func plainLeaf(fc *graphql.FieldContext, res any) bool {
	if fc.IsResolver || fc.IsMethod || len(fc.Field.Arguments) > 0 || fc.Field.Definition == nil || len(fc.Field.Definition.Directives) > 0 {
		return false
	}
	switch res.(type) {
	case string, bool, int, int32, int64, float64, []string, []bool, []int, []int32, []int64, []float64:
		return true
	}
	return false
}

// answer is what an executor answered one operation: its payloads, the
// first as written and the incremental ones in a canonical order.
type answer struct {
	payloads []string
}

// run executes op and returns the answer, each payload with its data as
// the executor wrote it and its errors (paths included) as JSON. gqlgen
// itself orders neither the errors of concurrent fields nor the payloads
// of concurrent deferred groups, so both are sorted; hasNext is kept in
// the order the payloads came.
func run(t *testing.T, exec *executor.Executor, op operation) answer {
	t.Helper()
	seen := &observations{}
	ctx := context.WithValue(graphql.StartOperationTrace(context.Background()), observationsKey{}, seen)
	var responses []*graphql.Response
	oc, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: op.query, Variables: op.vars})
	if errs != nil {
		responses = append(responses, exec.DispatchError(graphql.WithOperationContext(ctx, oc), errs))
	} else {
		handler, ctx := exec.DispatchOperation(ctx, oc)
		for r := handler(ctx); r != nil; r = handler(ctx) {
			responses = append(responses, r)
		}
	}
	var a answer
	var incremental, hasNext []string
	for i, r := range responses {
		errs := make([]string, len(r.Errors))
		for j, e := range r.Errors {
			b, err := json.Marshal(e)
			if err != nil {
				t.Fatal(err)
			}
			errs[j] = string(b)
		}
		slices.Sort(errs)
		path, _ := json.Marshal(r.Path)
		p := fmt.Sprintf("data: %s\nerrors: [%s]\nlabel: %q path: %s extensions: %v", r.Data, strings.Join(errs, ","), r.Label, path, r.Extensions)
		if r.HasNext != nil {
			hasNext = append(hasNext, strconv.FormatBool(*r.HasNext))
		}
		if i == 0 {
			a.payloads = append(a.payloads, p)
		} else {
			incremental = append(incremental, p)
		}
	}
	slices.Sort(incremental)
	a.payloads = append(a.payloads, incremental...)
	a.payloads = append(a.payloads, "hasNext: "+strings.Join(hasNext, ","))
	seen.mu.Lock()
	slices.Sort(seen.notes)
	a.payloads = append(a.payloads, "observed: "+strings.Join(seen.notes, "; "))
	seen.mu.Unlock()
	return a
}

// The rewritten executor answers every operation of the corpus with the
// bytes gqlgen's own executor answers it with, however many of its levels
// it resolves inline.
func TestRewrittenExecutorAnswersAsGqlgen(t *testing.T) {
	want := newExecutor(stock.NewExecutableSchema(stock.Config{Resolvers: StockResolvers{}, Directives: StockDirectives}), inlineNone)
	es := rewritten.NewExecutableSchema(rewritten.Config{Resolvers: RewrittenResolvers{}, Directives: RewrittenDirectives})
	for _, op := range corpus {
		expected := run(t, want, op)
		for _, m := range []inline{inlineNone, inlineAll, inlineAlternate, inlineGateway} {
			got := run(t, newExecutor(es, m), op)
			if !slices.Equal(got.payloads, expected.payloads) {
				t.Errorf("%s, %s:\n got %s\nwant %s", op.name, m, strings.Join(got.payloads, "\n     "), strings.Join(expected.payloads, "\n     "))
			}
		}
	}
}

// The corpus exercises what it is meant to: each failure it provokes
// shows in gqlgen's own answer.
func TestCorpusProvokesWhatItNames(t *testing.T) {
	exec := newExecutor(stock.NewExecutableSchema(stock.Config{Resolvers: StockResolvers{}, Directives: StockDirectives}), inlineNone)
	byName := map[string]operation{}
	for _, op := range corpus {
		byName[op.name] = op
	}
	for name, want := range map[string]string{
		"nil root non-null":                  `data: null`,
		"nil non-null object in a list item": `data: {"maybeShelf":null}`,
		"nil stops at a nullable list":       `"maybeItems":[null,{"id":"i2","detail":{"label":"detail i2"}}]`,
		"nil non-null leaf":                  `"path":["shelf","items",2,"detail","ptrLabel"]`,
		"errors in list items":               `"message":"strict fails for i4","path":["shelf","items",0,"strict"]`,
		"panic":                              `"message":"internal system error","path":["maybeShelf","maybeItems",1,"strict"]`,
		"error with extensions":              `"extensions":{"code":"UNAVAILABLE","retry":true}`,
		"defer":                              `label: "more" path: ["shelf","items",1]`,
		"introspection type":                 `{"name":"ratio","args":[],"type":{"name":null,"kind":"NON_NULL","ofType":{"name":"Float","kind":"SCALAR"`,
		"same alias merged":                  `"items":[{"id":"i1","name":"Kettle"},{"id":"i2","name":"Lamp"}]`,
		"directive on leaves":                `"motto":"KEEP IT DOWN, ÜNÏCÖDÉ"`,
		"directive over resolver errors":     `"message":"strict fails for i4","path":["shelf","items",0,"loudStrict"]`,
		"wrong type from a directive":        `unexpected type string from middleware/directive chain, should be *int","path":["shelf","items",0,"loudCount"]`,
		"denied non-null":                    `data: {"maybeShelf":null,"shelf":{"id":"s2"}}`,
		"denied leaves":                      `"message":"denied at shelf.items[0].maybeDetail.hidden"`,
		"scope":                              `"loudScope":"I1 IN ROOT/ITEMS/INNER","scopedRelated":[{"id":"i2","scope":"i2 in root/items/related"}`,
		"unscoped":                           `"featured":{"scope":"i1 unscoped"`,
		"defer under a directive":            `"scope":"i1 in root/items"`,
	} {
		got := strings.Join(run(t, exec, byName[name]).payloads, "\n")
		if !strings.Contains(got, want) {
			t.Errorf("%s: gqlgen answered\n%s\nwhich lacks %s", name, got, want)
		}
	}
}

// goroutines records the goroutines the field resolvers of an operation
// run in.
type goroutines struct {
	mu  sync.Mutex
	ids map[string]bool
}

// ObserveField runs in the goroutine that resolved the field.
func (g *goroutines) ObserveField(context.Context, *graphql.FieldContext, any, error) {
	var b [64]byte
	id := strings.Fields(string(b[:runtime.Stack(b[:], false)]))[1] // "goroutine N [running]:"
	g.mu.Lock()
	g.ids[id] = true
	g.mu.Unlock()
}

// Marked inline, a level's fields and items really are resolved in the
// calling goroutine, so that the comparison above covers that way too.
func TestEveryLevelInlineStartsNoGoroutine(t *testing.T) {
	es := rewritten.NewExecutableSchema(rewritten.Config{Resolvers: RewrittenResolvers{}, Directives: RewrittenDirectives})
	op := operation{query: `{ shelves { id items { id strict maybe detail { parts { check } } related { id } } owner { friends { name } } } }`}
	for _, c := range []struct {
		mode inline
		one  bool
	}{{inlineAll, true}, {inlineNone, false}} {
		g := &goroutines{ids: map[string]bool{}}
		run(t, newExecutor(es, c.mode, g), op)
		if one := len(g.ids) == 1; one != c.one {
			t.Errorf("%s: the resolvers ran in %d goroutines", c.mode, len(g.ids))
		}
	}
}

// The gateway's decision settles some of the corpus's levels, so that the
// comparison covers the levels it inlines as well as those it does not.
func TestGatewaySettlesLevelsOfTheCorpus(t *testing.T) {
	es := rewritten.NewExecutableSchema(rewritten.Config{Resolvers: RewrittenResolvers{}, Directives: RewrittenDirectives})
	plan := gatewayPlan()
	if err := plan.Validate(es); err != nil {
		t.Fatal(err)
	}
	exec := newExecutor(es, inlineNone)
	settled := 0
	for _, op := range corpus {
		oc, errs := exec.CreateOperationContext(graphql.StartOperationTrace(context.Background()), &graphql.RawParams{Query: op.query, Variables: op.vars})
		if errs != nil {
			continue
		}
		if levels := plan.InlineLevels(oc); len(levels) > 0 {
			settled++
			t.Logf("%s: %v", op.name, levels)
		}
	}
	if settled < len(corpus)/3 {
		t.Errorf("the gateway's decision settles levels of %d of %d operations", settled, len(corpus))
	}
}
