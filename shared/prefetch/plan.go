package prefetch

import (
	"context"
	"reflect"
	"slices"
	"sync"
	"unsafe"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tandemgw/tandem/shared/execution"
)

// Plan knows, per GraphQL object type of one schema, which of its fields
// are loaded in batches (Load) and which lead to more objects without a
// call (Via). The zero value is not usable; build one with New.
type Plan struct {
	types map[string]*objectPlan
	// concurrent is the executor's table of the fields it resolves in
	// goroutines of their own (see RunInline); nil: never run inline.
	concurrent map[string]map[string]execution.FieldKind
	// schema is the executable schema's, known once the plan is in use,
	// and satisfies its implementors (see implementors).
	schema    *ast.Schema
	satisfies map[string][]string
}

// objectPlan is the plan of one object type.
type objectPlan struct {
	// parents turns a resolver's result (one object or a slice of them)
	// into the level's parents, dropping nils.
	parents func(any) []any
	fields  map[string]registered
	// order is the walk's order of the fields: those that need a
	// request-wide fact (registered.needs) after those that do not, each
	// group in registration order.
	order []string
	// pointers: the type's objects are pointers, so the walk can tell an
	// object it has been over (see walked).
	pointers bool
}

// registered is one field's step and what it is.
type registered struct {
	run step
	// load: the step starts a call (Load), not a plain walk (Via).
	load bool
	// leaf: the step never walks on into the field's objects (a Load
	// whose children are struct{}).
	leaf bool
	// needs are the request-wide facts the step waits for before its call
	// can start (see Load).
	needs []string
}

// step is what the walk does for one selected field over all the parents
// of a level: it starts the field's loads and returns; next, called with
// the field's child objects once they are known, walks on into them.
type step func(ctx context.Context, parents []any, field graphql.CollectedField, next func(children []any))

// New returns an empty plan.
func New() *Plan { return &Plan{types: map[string]*objectPlan{}} }

var (
	_ graphql.HandlerExtension = (*Plan)(nil)
	_ execution.FieldObserver  = (*Plan)(nil)
)

// Load registers typeName.field as served by a loader. When a level of
// objects of typeName is resolved and the query selects field on them,
// load is called once with all of them. It starts the field's loads for
// every parent at once without waiting (upstream.Loader.Start, which
// connector.Prefetch wraps) and returns. When the field's type has fields
// in the plan too, load passes next to the loader's then-callback and
// calls it there with the loaded child objects: the walk then starts the
// next level before any resolver of this level sees its value. load skips
// parents it has no key for and never fails: errors stay in the loader's
// cache for the resolver to report.
//
// needs names the request-wide facts load waits for before it can start
// its call ("market": a price is loaded in the request's currency, which
// for a signed-in viewer is read from the account). The walk starts a
// level's steps that need nothing first, so that waiting for a fact never
// holds up a call that does not depend on it; the order steps are
// registered in does not matter.
func Load[P, C any](p *Plan, typeName, field string, needs []string, load func(ctx context.Context, parents []P, field graphql.CollectedField, next func(children []C))) {
	leaf := reflect.TypeFor[C]() == reflect.TypeFor[struct{}]()
	p.object(typeName, parentsOf[P], isPointer[P]()).add(field, registered{load: true, leaf: leaf, needs: needs, run: func(ctx context.Context, parents []any, f graphql.CollectedField, next func([]any)) {
		load(ctx, typed[P](parents), f, func(children []C) { next(toAny(children)) })
	}})
}

// Via registers typeName.field as a plain field whose value holds more
// objects, such as a connection's nodes or an order's lines: the walk
// continues into them without a call.
func Via[P, C any](p *Plan, typeName, field string, children func(P) []C) {
	p.object(typeName, parentsOf[P], isPointer[P]()).add(field, registered{run: func(_ context.Context, parents []any, _ graphql.CollectedField, next func([]any)) {
		var out []any
		for _, pa := range parents {
			for _, c := range children(pa.(P)) {
				if !isNil(c) {
					out = append(out, c)
				}
			}
		}
		next(out)
	}})
}

func (op *objectPlan) add(field string, st registered) {
	if _, ok := op.fields[field]; ok {
		op.order = slices.DeleteFunc(op.order, func(f string) bool { return f == field })
	}
	op.fields[field] = st
	// After the last step that needs nothing, unless st needs something.
	at := len(op.order)
	if len(st.needs) == 0 {
		at = slices.IndexFunc(op.order, func(f string) bool { return len(op.fields[f].needs) > 0 })
		if at < 0 {
			at = len(op.order)
		}
	}
	op.order = slices.Insert(op.order, at, field)
}

// Steps lists the fields of typeName the plan has a step for, in the
// order the walk runs them; for tests and diagnostics.
func (p *Plan) Steps(typeName string) []string {
	if op := p.types[typeName]; op != nil {
		return slices.Clone(op.order)
	}
	return nil
}

// Loads reports whether typeName.field has a step that starts a call
// (Load, not Via).
func (p *Plan) Loads(typeName, field string) bool {
	op := p.types[typeName]
	return op != nil && op.fields[field].load
}

func (p *Plan) object(typeName string, parents func(any) []any, pointers bool) *objectPlan {
	op := p.types[typeName]
	if op == nil {
		op = &objectPlan{parents: parents, fields: map[string]registered{}, pointers: pointers}
		p.types[typeName] = op
	}
	return op
}

// ExtensionName implements graphql.HandlerExtension.
func (p *Plan) ExtensionName() string { return "Prefetch" }

// Validate implements graphql.HandlerExtension; the server calls it once,
// when the plan is put in use, with the schema RunInline reads.
func (p *Plan) Validate(es graphql.ExecutableSchema) error {
	p.schema = es.Schema()
	p.satisfies = implementors(p.schema)
	return nil
}

// ObserveField implements execution.FieldObserver: after a resolver
// returns objects of a type in the plan, it prefetches what the query asks
// of them before gqlgen resolves their fields.
func (p *Plan) ObserveField(ctx context.Context, fc *graphql.FieldContext, res any, err error) {
	if err != nil || res == nil || !fc.IsResolver || fc.Field.Field == nil || fc.Field.Definition == nil {
		return
	}
	typeName := fc.Field.Definition.Type.Name()
	op := p.types[typeName]
	if op == nil || len(fc.Field.Selections) == 0 {
		return
	}
	if parents := op.parents(res); len(parents) > 0 {
		p.walk(ctx, typeName, parents, fc.Field.Selections)
	}
}

// walk starts, for parents of typeName, the loads of every field of sel
// that the plan covers, and of the levels below as their parents arrive.
// It returns as soon as this level's loads are started: the resolvers wait
// for their values in the loaders' caches. ObserveField calls it.
//
// Within an operation (see InterceptOperation) an object the walk has
// already been over with the same selection is left out: its level's walk
// started its loads, and ObserveField, which sees each item's resolver
// return that very object, would otherwise walk it again, one item at a
// time.
func (p *Plan) walk(ctx context.Context, typeName string, parents []any, sel ast.SelectionSet) {
	op := p.types[typeName]
	oc := graphql.GetOperationContext(ctx)
	if op == nil || oc == nil || len(parents) == 0 || len(sel) == 0 {
		return
	}
	if op.pointers {
		if w, _ := ctx.Value(walkedKey{}).(*walked); w != nil {
			if parents = w.first(parents, sel); len(parents) == 0 {
				return
			}
		}
	}
	var selected map[string][]graphql.CollectedField
	for _, f := range graphql.CollectFields(oc, sel, p.satisfiesOf(typeName)) {
		if _, ok := op.fields[f.Name]; !ok || f.IsDeferred() {
			continue // not in the plan, or loads with its deferred payload
		}
		if selected == nil {
			selected = map[string][]graphql.CollectedField{}
		}
		selected[f.Name] = append(selected[f.Name], f)
	}
	// Steps that wait for a request-wide fact (the market a price is
	// loaded in) come last, so they hold up no other (see Load).
	for _, name := range op.order {
		for _, f := range selected[name] {
			op.fields[name].run(ctx, parents, f, func(children []any) {
				if len(children) > 0 && len(f.Selections) > 0 {
					p.walk(ctx, f.Definition.Type.Name(), children, f.Selections)
				}
			})
		}
	}
}

// satisfiesOf is what the generated executor collects typeName's fields
// with: the type and what it implements.
func (p *Plan) satisfiesOf(typeName string) []string {
	if s, ok := p.satisfies[typeName]; ok {
		return s
	}
	return []string{typeName}
}

// walked is the operation's record of the objects the walk has been over,
// each with the selection it walked them with.
type walked struct {
	mu   sync.Mutex
	seen map[walkedObject]struct{}
}

// walkedObject is an object (a pointer) and the selection set it was
// walked with, known the way gqlgen's CollectFields cache knows it: by the
// slice's address and length. The walk collects fields with the
// executor's arguments (satisfiesOf), so a resolver's collected
// selection is the very slice the walk went over its value with.
type walkedObject struct {
	object    any
	selection *ast.Selection
	length    int
}

type walkedKey struct{}

// withWalked returns ctx carrying an empty record for one operation.
func withWalked(ctx context.Context) context.Context {
	return context.WithValue(ctx, walkedKey{}, &walked{seen: map[walkedObject]struct{}{}})
}

// first records parents as walked with sel and returns those that were
// not already; parents is reused when none were.
func (w *walked) first(parents []any, sel ast.SelectionSet) []any {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []any // nil until one is left out
	for i, pa := range parents {
		k := walkedObject{pa, unsafe.SliceData(sel), len(sel)}
		if _, ok := w.seen[k]; ok {
			if out == nil {
				out = make([]any, i, len(parents)-1)
				copy(out, parents[:i])
			}
			continue
		}
		w.seen[k] = struct{}{}
		if out != nil {
			out = append(out, pa)
		}
	}
	if out == nil {
		return parents
	}
	return out
}

// isPointer reports whether P is a pointer type: only pointers tell one
// object from another equal one, and only comparable keys may enter a map.
func isPointer[P any]() bool { return reflect.TypeFor[P]().Kind() == reflect.Pointer }

// parentsOf converts a resolver result into parents of type P.
func parentsOf[P any](v any) []any {
	switch x := v.(type) {
	case P:
		if isNil(x) {
			return nil
		}
		return []any{x}
	case []P:
		out := make([]any, 0, len(x))
		for _, e := range x {
			if !isNil(e) {
				out = append(out, e)
			}
		}
		return out
	}
	return nil
}

func typed[P any](in []any) []P {
	out := make([]P, len(in))
	for i, v := range in {
		out[i] = v.(P)
	}
	return out
}

func toAny[C any](in []C) []any {
	if len(in) == 0 {
		return nil
	}
	out := make([]any, 0, len(in))
	for _, c := range in {
		if !isNil(c) {
			out = append(out, c)
		}
	}
	return out
}

// isNil reports a nil pointer, slice, map or interface.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface:
		return rv.IsNil()
	}
	return false
}
