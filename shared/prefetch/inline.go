package prefetch

import (
	"context"
	"slices"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tandemgw/tandem/shared/execution"
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
// decision travels in the operation's context (execution.Inline), where
// the generated executor's execution.MarshalSlice and
// execution.ResolveField read it.
func (p *Plan) RunInline(concurrent map[string]map[string]execution.FieldKind) *Plan {
	p.concurrent = concurrent
	return p
}

var (
	_ graphql.OperationInterceptor = (*Plan)(nil)
)

// decisions maps each field whose value is objects to whether those
// objects (and, for a list, its items) may be resolved inline.
type decisions = execution.Inline

// InterceptOperation implements graphql.OperationInterceptor: it gives
// the operation its record of walked objects (see Walk) and decides, once
// per operation, which levels run inline.
func (p *Plan) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if len(p.types) > 0 {
		ctx = withWalked(ctx)
	}
	if p.concurrent == nil || p.schema == nil {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc == nil || oc.Operation == nil {
		return next(ctx)
	}
	if d := p.decide(oc); len(d) > 0 {
		ctx = execution.WithInline(ctx, d)
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
	root := p.root(oc.Operation)
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

// root is op's root type; nil for a subscription, whose events are
// resolved one by one anyway.
func (p *Plan) root(op *ast.OperationDefinition) *ast.Definition {
	switch op.Operation {
	case ast.Query:
		return p.schema.Query
	case ast.Mutation:
		return p.schema.Mutation
	}
	return nil
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
	if p.concurrent == nil || p.schema == nil || oc == nil || oc.Operation == nil || p.root(oc.Operation) == nil {
		return nil
	}
	root := p.root(oc.Operation)
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
		ok := kind&execution.Concurrent == 0 || (stepped && st.load)
		if len(f.Selections) > 0 {
			child := f.Definition.Type.Name()
			// The walk goes on into a step's objects, and the
			// observer starts a walk on what a resolver returns.
			childWalked := (stepped && !st.leaf) || (kind&execution.Resolver != 0 && d.plan.types[child] != nil)
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
// then its interfaces and unions in the order the generated executor lists
// them (gqlgen's codegen reads Schema.GetImplements too). With the same
// list, the walk's CollectFields calls hit the operation's cache entries
// the executor's make, so both see the very same collected fields.
func implementors(schema *ast.Schema) map[string][]string {
	out := map[string][]string{}
	for _, t := range schema.Types {
		if t.Kind != ast.Object {
			continue
		}
		names := []string{t.Name}
		for _, it := range schema.GetImplements(t) {
			names = append(names, it.Name)
		}
		out[t.Name] = names
	}
	return out
}
