package execution

import (
	"context"
	"io"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// FieldKind says how gqlgen's executor resolves a field; the generated
// table beside a BFF's executor (generated.ConcurrentFields) holds one per
// field that is not a plain struct field.
type FieldKind uint8

const (
	// Resolver: the field has a resolver method (the plan's observer
	// walks what it returns).
	Resolver FieldKind = 1 << iota
	// Concurrent: gqlgen resolves the field in a goroutine of its own,
	// because it may wait for something (a resolver, or a model method
	// that takes a context).
	Concurrent
)

// Inline marks, for one operation, each field whose objects (and, for a
// list, whose items) may be resolved in the calling goroutine.
type Inline map[*ast.Field]bool

type inlineKey struct{}

// WithInline returns ctx carrying the operation's Inline levels.
func WithInline(ctx context.Context, levels Inline) context.Context {
	return context.WithValue(ctx, inlineKey{}, levels)
}

// inline reports whether the objects resolved under ctx may be resolved
// in the calling goroutine: ctx belongs to the field that returned them,
// or to an item of its list.
func inline(ctx context.Context) bool {
	d, _ := ctx.Value(inlineKey{}).(Inline)
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
	// The items' field contexts and indexes in one allocation each, not
	// two per item.
	items := make([]graphql.FieldContext, length)
	indexes := make([]int, length)
	for i := range length {
		indexes[i] = i
		items[i].Index = &indexes[i]
		ret[i] = marshalItem(graphql.WithFieldContext(ctx, &items[i]), i, omitPanicHandler, marshalElement)
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

// Now reports whether a concurrent field of an object is resolved at once,
// in the calling goroutine (then Store keeps its value): it is not
// deferred, and its object is on a level the operation marked Inline. The
// generated executor asks it before it makes the closure ResolveField
// schedules, so that a settled level costs no closure per field.
func Now(ctx context.Context, field graphql.CollectedField) bool {
	return !field.IsDeferred() && inline(ctx)
}

// Store keeps v, the value of the object's field i resolved at once, and
// counts it against out.Invalids as gqlgen counts a scheduled field's
// value: graphql.Null for a non-null field, graphql.RequiredNull (a
// nullable field whose non-null child failed) otherwise.
func Store(out *graphql.FieldSet, i int, nonNull bool, v graphql.Marshaler) {
	out.Values[i] = v
	invalid := graphql.RequiredNull
	if nonNull {
		invalid = graphql.Null
	}
	if v == invalid {
		atomic.AddUint32(&out.Invalids, 1)
	}
}

// ResolveField is FieldSet.ResolveConcurrently for the generated executor,
// for the fields Now does not resolve at once: it makes the object's
// deferred group's bookkeeping when its first deferred field comes (see
// NewDeferredGroup), and schedules the field as gqlgen does.
func ResolveField(ctx context.Context, field graphql.CollectedField, out *graphql.FieldSet, oc *graphql.OperationContext, deferred *graphql.DeferredGroup, i int, recoverFromPanic, nonNull bool, resolve func(ctx context.Context) graphql.Marshaler) {
	if field.IsDeferred() && deferred.FieldSet == nil { // the object's first deferred field
		deferred.Path = graphql.GetPath(deferred.Context)
		deferred.FieldSet = graphql.NewFieldSet(nil)
		deferred.Defers = map[string]*graphql.FieldSetView{}
	}
	out.ResolveConcurrently(oc, deferred, i, recoverFromPanic, nonNull, resolve)
}

// ResolveLeaf is graphql.ResolveField for the generated executor's plain
// leaves: fields read straight from the model, of a built-in scalar type
// whose marshalling cannot fail, without directives, arguments or cost
// (tools/gqlgen picks them). A value is marshalled at once, without the
// field context and the field interceptors, which have nothing to do for
// such a field: most of a response's fields are these, and their context,
// closures and interceptor calls were a large share of its allocations. A nil
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

// Object is the generated executor's value of one object: the field set
// out of the collected fields, written exactly as out.MarshalGQL writes
// it (each alias once, the first time it comes, in order) but without
// what that costs per object: a map of the aliases written and a copy of
// every collected field, which a large response pays for every object.
func Object(fields []graphql.CollectedField, out *graphql.FieldSet) graphql.Marshaler {
	return &object{fields: fields, out: out}
}

type object struct {
	fields []graphql.CollectedField
	out    *graphql.FieldSet
}

// aliasScanMax is how many fields an object may have before written
// aliases are remembered in a map rather than looked for among the
// fields already written.
const aliasScanMax = 16

func (o *object) MarshalGQL(w io.Writer) {
	var written map[string]struct{}
	if len(o.fields) > aliasScanMax {
		written = make(map[string]struct{}, len(o.fields))
	}
	_, _ = io.WriteString(w, "{")
	first := true
	for i := range o.fields {
		alias := o.fields[i].Alias
		if o.writtenBefore(i, alias, written) {
			continue
		}
		if !first {
			_, _ = io.WriteString(w, ",")
		}
		first = false
		// An alias is a GraphQL name ([_A-Za-z][_0-9A-Za-z]*): nothing
		// in it needs escaping.
		_, _ = io.WriteString(w, `"`)
		_, _ = io.WriteString(w, alias)
		_, _ = io.WriteString(w, `":`)
		o.out.Values[i].MarshalGQL(w)
	}
	_, _ = io.WriteString(w, "}")
}

// writtenBefore reports whether alias was written by an earlier field
// (only @defer makes two fields of one object share an alias), and notes
// it in written when that map is in use.
func (o *object) writtenBefore(i int, alias string, written map[string]struct{}) bool {
	if written != nil {
		if _, ok := written[alias]; ok {
			return true
		}
		written[alias] = struct{}{}
		return false
	}
	for j := range i {
		if o.fields[j].Alias == alias {
			return true
		}
	}
	return false
}
