package prefetch

import (
	"context"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// FieldKind says how gqlgen's executor resolves a field; the generated
// table a BFF hands to RunInline holds one per field that is not a plain
// struct field.
type FieldKind uint8

const (
	// Resolver: the field has a resolver method (the plan's interceptor
	// walks what it returns).
	Resolver FieldKind = 1 << iota
	// Concurrent: gqlgen resolves the field in a goroutine of its own,
	// because it may wait for something (a resolver, or a model method
	// that takes a context).
	Concurrent
)

// maxInlineFields bounds the fields one operation's inline decision
// looks at. Documents that passed the cost limit stay far below it; past
// it the operation simply runs the way gqlgen runs it.
const maxInlineFields = 10_000

// RunInline lets the executor resolve, in the goroutine that is already
// running, the objects and list items whose whole selection is settled:
// every field under them that gqlgen would resolve concurrently is one the
// plan loads, on a level the plan walks.
//
// Why: gqlgen starts a goroutine for every item of a list of objects and
// for every concurrent field of an object past the first, so that a field
// waiting for a backend does not hold up its siblings. Once the plan has
// started every call of a level before its resolvers run, that waiting is
// already concurrent: the first item waits for the level's calls, and
// every later one finds its values loaded. The goroutines then buy
// nothing and cost most of a request's CPU (creation, stack growth, GC
// scanning); a 50-item list with three loaded fields made about 150 of
// them. A level with any field the plan does not load keeps gqlgen's
// goroutines, so a per-item call outside the plan is never serialised.
//
// concurrent is the table tools/gqlgen generates beside the executor
// (generated.ConcurrentFields): type name → field name → FieldKind. The
// executor reaches the decision through MarshalSlice and ResolveField,
// which tools/gqlgen puts in the generated code where gqlgen calls
// graphql.MarshalSliceConcurrently and FieldSet.ResolveConcurrently.
func (p *Plan) RunInline(concurrent map[string]map[string]FieldKind) *Plan {
	p.concurrent = concurrent
	return p
}

var (
	_ graphql.OperationInterceptor = (*Plan)(nil)
)

// inlineKey holds an operation's decisions in its context.
type inlineKey struct{}

// decisions maps each field whose value is objects to whether those
// objects (and, for a list, its items) may be resolved inline.
type decisions map[*ast.Field]bool

// InterceptOperation implements graphql.OperationInterceptor: it decides,
// once per operation, which levels run inline.
func (p *Plan) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if p.concurrent == nil || p.schema == nil {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil {
		return next(ctx)
	}
	if d := p.decide(oc); len(d) > 0 {
		ctx = context.WithValue(ctx, inlineKey{}, d)
	}
	return next(ctx)
}

// decide walks the operation's selection the way the executor will
// (graphql.CollectFields, with the request's variables) and records, for
// every field whose value is objects, whether the level below is settled.
// A field reached along several paths (a fragment spread twice) is
// settled only if it is settled on all of them.
//
// Like the execution it prepares, the walk expands fragments where they
// are spread, so its work follows the response's size, which the cost
// limit has already bounded by the time an operation runs; maxInlineFields
// bounds it again, and each CollectFields visits a fragment once.
func (p *Plan) decide(oc *graphql.OperationContext) decisions {
	var root *ast.Definition
	switch oc.Operation.Operation {
	case ast.Query:
		root = p.schema.Query
	case ast.Mutation:
		root = p.schema.Mutation
	default:
		return nil // a subscription's events are resolved one by one anyway
	}
	if root == nil {
		return nil
	}
	d := &decider{plan: p, oc: oc, out: decisions{}, budget: maxInlineFields}
	d.level(root.Name, oc.Operation.SelectionSet, false)
	if d.budget < 0 {
		return nil
	}
	return d.out
}

type decider struct {
	plan   *Plan
	oc     *graphql.OperationContext
	out    decisions
	budget int
	// paths, when not nil, receives each decided field's response path.
	paths map[*ast.Field]string
	path  string
}

// InlineLevels lists the response paths ("viewer.orders.nodes") of the
// fields whose objects the executor resolves inline for oc's operation,
// sorted. It is for tests and diagnostics: which levels of a page's query
// the plan covers.
func (p *Plan) InlineLevels(oc *graphql.OperationContext) []string {
	if p.concurrent == nil || p.schema == nil || oc == nil || oc.Operation == nil {
		return nil
	}
	root := p.schema.Query
	if oc.Operation.Operation == ast.Mutation {
		root = p.schema.Mutation
	}
	d := &decider{plan: p, oc: oc, out: decisions{}, budget: maxInlineFields, paths: map[*ast.Field]string{}}
	d.level(root.Name, oc.Operation.SelectionSet, false)
	var out []string
	for f, ok := range d.out {
		if ok {
			out = append(out, d.paths[f])
		}
	}
	slices.Sort(out)
	return out
}

// level reports whether the objects of typeName selected by sel are
// settled; walked says whether the plan's walk reaches them (so that their
// Load fields are started before they resolve).
func (d *decider) level(typeName string, sel ast.SelectionSet, walked bool) bool {
	def := d.plan.schema.Types[typeName]
	if def == nil || def.Kind != ast.Object {
		return false // an interface or union: its objects keep gqlgen's goroutines
	}
	op := d.plan.types[typeName]
	kinds := d.plan.concurrent[typeName]
	settled := true
	for _, f := range graphql.CollectFields(d.oc, sel, d.plan.satisfies[typeName]) {
		if d.budget--; d.budget < 0 {
			return false
		}
		if f.Definition == nil {
			continue // __typename and the like
		}
		kind := kinds[f.Name]
		st, stepped := registered{}, false
		if walked && op != nil && !f.IsDeferred() {
			st, stepped = op.fields[f.Name]
		}
		ok := kind&Concurrent == 0 || (stepped && st.load)
		if len(f.Selections) > 0 {
			child := f.Definition.Type.Name()
			// The walk goes on into a step's objects, and the
			// interceptor starts a walk on what a resolver returns.
			childWalked := (stepped && !st.leaf) || (kind&Resolver != 0 && d.plan.types[child] != nil)
			var childOK bool
			if d.paths == nil {
				childOK = d.level(child, f.Selections, childWalked)
			} else {
				parent := d.path
				d.path = strings.TrimPrefix(parent+"."+f.Alias, ".")
				d.paths[f.Field] = d.path
				childOK = d.level(child, f.Selections, childWalked)
				d.path = parent
			}
			if prev, seen := d.out[f.Field]; seen {
				childOK = childOK && prev
			}
			d.out[f.Field] = childOK
			ok = ok && childOK
		}
		if !f.IsDeferred() { // a deferred field resolves in its own payload
			settled = settled && ok
		}
	}
	return settled
}

// implementors lists, for each object type of schema, the names an inline
// fragment or fragment spread may be typed with to apply to it: the type,
// its interfaces and its unions.
func implementors(schema *ast.Schema) map[string][]string {
	out := map[string][]string{}
	for _, t := range schema.Types {
		if t.Kind == ast.Object {
			out[t.Name] = append([]string{t.Name}, t.Interfaces...)
		}
	}
	for _, t := range schema.Types {
		if t.Kind == ast.Union {
			for _, member := range t.Types {
				out[member] = append(out[member], t.Name)
			}
		}
	}
	return out
}

// inline reports whether the objects resolved under ctx may be resolved
// in the calling goroutine: ctx belongs to the field that returned them,
// or to an item of its list.
func inline(ctx context.Context) bool {
	d, _ := ctx.Value(inlineKey{}).(decisions)
	if d == nil {
		return false
	}
	fc := graphql.GetFieldContext(ctx)
	for fc != nil && fc.Field.Field == nil {
		fc = fc.Parent // a list item's context
	}
	return fc != nil && d[fc.Field.Field]
}

// MarshalSlice is graphql.MarshalSliceConcurrently for the generated
// executor: the items of a settled level are marshalled one after another
// in the calling goroutine, the others as gqlgen does.
func MarshalSlice(ctx context.Context, length int, workerLimit int64, omitPanicHandler bool, marshalElement func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	if length < 2 || !inline(ctx) {
		return graphql.MarshalSliceConcurrently(ctx, length, workerLimit, omitPanicHandler, marshalElement)
	}
	ret := make(graphql.Array, length)
	for i := range length {
		childCtx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Index: &i})
		ret[i] = marshalItem(childCtx, i, omitPanicHandler, marshalElement)
	}
	return ret
}

func marshalItem(ctx context.Context, i int, omitPanicHandler bool, marshalElement func(ctx context.Context, i int) graphql.Marshaler) (ret graphql.Marshaler) {
	if !omitPanicHandler {
		defer func() {
			if r := recover(); r != nil {
				graphql.AddError(ctx, graphql.Recover(ctx, r))
				ret = graphql.Null
			}
		}()
	}
	return marshalElement(ctx, i)
}

// ResolveField is FieldSet.ResolveConcurrently for the generated executor:
// a field of an object on a settled level is resolved now, in the calling
// goroutine, with the same panic guard and invalid-field count; a deferred
// field, or one on any other level, is scheduled as gqlgen does.
func ResolveField(ctx context.Context, field graphql.CollectedField, out *graphql.FieldSet, oc *graphql.OperationContext, deferred *graphql.DeferredGroup, i int, recoverFromPanic, nonNull bool, resolve func(ctx context.Context) graphql.Marshaler) {
	if field.IsDeferred() {
		if deferred.FieldSet == nil { // the first deferred field of this object
			deferred.Path = graphql.GetPath(deferred.Context)
			deferred.FieldSet = graphql.NewFieldSet(nil)
			deferred.Defers = map[string]*graphql.FieldSetView{}
		}
		out.ResolveConcurrently(oc, deferred, i, recoverFromPanic, nonNull, resolve)
		return
	}
	if !inline(ctx) {
		out.ResolveConcurrently(oc, deferred, i, recoverFromPanic, nonNull, resolve)
		return
	}
	v := resolveGuarded(ctx, oc, recoverFromPanic, resolve)
	out.Values[i] = v
	// The value that makes the enclosing object invalid, as gqlgen counts it.
	invalid := graphql.RequiredNull
	if nonNull {
		invalid = graphql.Null
	}
	if v == invalid {
		atomic.AddUint32(&out.Invalids, 1)
	}
}

// ResolveLeaf is graphql.ResolveField for the generated executor's plain
// leaves: fields read straight from the model, of a built-in scalar type
// whose marshalling cannot fail, without directives, arguments or cost
// (tools/gqlgen picks them). A value is marshalled at once, without the
// field context and the field interceptors, which have nothing to do for
// such a field: most of a response's fields are these, and their context,
// closures and interceptor calls were a fifth of its allocations. A nil
// value, an error or a panic takes gqlgen's way, which reports it at the
// field's path.
func ResolveLeaf[T any](
	ctx context.Context,
	oc *graphql.OperationContext,
	field graphql.CollectedField,
	initializeFieldContext func(ctx context.Context, field graphql.CollectedField) (*graphql.FieldContext, error),
	fieldResolver func(ctx context.Context) (any, error),
	middlewareChain func(ctx context.Context, next graphql.Resolver) graphql.Resolver,
	marshal func(ctx context.Context, sel ast.SelectionSet, v T) graphql.Marshaler,
	recoverFromPanic bool,
	nonNull bool,
) graphql.Marshaler {
	if middlewareChain == nil {
		if v, ok := readLeaf[T](ctx, fieldResolver); ok {
			return marshal(ctx, field.Selections, v)
		}
	}
	return graphql.ResolveField(ctx, oc, field, initializeFieldContext, fieldResolver, middlewareChain, marshal, recoverFromPanic, nonNull)
}

// readLeaf reads a plain field's value; ok is false for nil, an error or
// a panic, which gqlgen's way then reports.
func readLeaf[T any](ctx context.Context, fieldResolver func(ctx context.Context) (any, error)) (v T, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	res, err := fieldResolver(ctx)
	if err != nil || res == nil {
		return v, false
	}
	v, ok = res.(T)
	return v, ok
}

// NewDeferredGroup is graphql.NewDeferredGroup for the generated executor:
// the group's path, field set and labels are made by ResolveField when the
// object's first deferred field comes, not for every object. The executor
// reads them only when a field was deferred.
func NewDeferredGroup(ctx context.Context) graphql.DeferredGroup {
	return graphql.DeferredGroup{Context: ctx}
}

func resolveGuarded(ctx context.Context, oc *graphql.OperationContext, recoverFromPanic bool, resolve func(ctx context.Context) graphql.Marshaler) (ret graphql.Marshaler) {
	if recoverFromPanic {
		defer func() {
			if r := recover(); r != nil {
				oc.Error(ctx, oc.Recover(ctx, r))
				ret = graphql.Null
			}
		}()
	}
	return resolve(ctx)
}
