package execution

import (
	"bytes"
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// execCtx is a context as the executor has it while it resolves field's
// value, with the decision d.
func execCtx(d Inline, field *ast.Field) context.Context {
	ctx := graphql.WithResponseContext(context.Background(), graphql.DefaultErrorPresenter, graphql.DefaultRecover)
	ctx = graphql.WithOperationContext(ctx, &graphql.OperationContext{RecoverFunc: graphql.DefaultRecover})
	ctx = WithInline(ctx, d)
	return graphql.WithFieldContext(ctx, &graphql.FieldContext{Field: graphql.CollectedField{Field: field}})
}

func TestMarshalSliceRunsASettledListInOrderInTheCallingGoroutine(t *testing.T) {
	field := &ast.Field{Name: "nodes", Alias: "nodes"}
	ctx := execCtx(Inline{field: true}, field)
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

func TestNowOnlyOnASettledLevelAndResolveFieldSchedulesTheRest(t *testing.T) {
	field := &ast.Field{Name: "nodes", Alias: "nodes"}
	resolve := func(context.Context) graphql.Marshaler { return graphql.Null }
	price := graphql.CollectedField{Field: &ast.Field{Name: "price", Alias: "price"}}

	for _, settled := range []bool{true, false} {
		ctx := execCtx(Inline{field: settled}, field)
		out := graphql.NewFieldSet([]graphql.CollectedField{price})
		if now := Now(ctx, price); now != settled {
			t.Fatalf("settled %v: Now is %v", settled, now)
		}
		if settled {
			Store(out, 0, true, resolve(ctx))
		} else {
			deferred := graphql.NewDeferredGroup(ctx)
			ResolveField(ctx, price, out, graphql.GetOperationContext(ctx), &deferred, 0, true, true, resolve)
			if out.Values[0] != nil {
				t.Errorf("a field of a level not settled was resolved before dispatch")
			}
		}
		out.Dispatch(ctx)
		if out.Values[0] != graphql.Null || out.Invalids != 1 {
			t.Errorf("settled %v: value %v, invalids %d; want null counted once", settled, out.Values[0], out.Invalids)
		}
	}

	deferredPrice := graphql.CollectedField{Field: price.Field, Deferrables: []*graphql.Deferrable{{Label: "later"}}}
	if Now(execCtx(Inline{field: true}, field), deferredPrice) {
		t.Error("a deferred field of a settled level is resolved at once")
	}
}

// TestStoreCountsAsGqlgen: the value that makes the object invalid is
// graphql.Null for a non-null field and graphql.RequiredNull for a
// nullable one, as ResolveConcurrently counts them.
func TestStoreCountsAsGqlgen(t *testing.T) {
	name := "x"
	value := (*String)(&name)
	for _, c := range []struct {
		nonNull bool
		v       graphql.Marshaler
		invalid uint32
	}{
		{true, graphql.Null, 1},
		{false, graphql.Null, 0},
		{false, graphql.RequiredNull, 1},
		{true, value, 0},
	} {
		out := graphql.NewFieldSet([]graphql.CollectedField{{Field: &ast.Field{Name: "f", Alias: "f"}}})
		Store(out, 0, c.nonNull, c.v)
		if out.Values[0] != c.v || out.Invalids != c.invalid {
			t.Errorf("nonNull %v, %v: invalids %d, want %d", c.nonNull, c.v, out.Invalids, c.invalid)
		}
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
		ctx := execCtx(Inline{}, &ast.Field{Name: "items"})
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

// Object writes what gqlgen's FieldSet writes: every alias once, the
// first time it comes, in order, with few fields and with many.
func TestObjectWritesWhatTheFieldSetWrites(t *testing.T) {
	for _, aliases := range [][]string{
		{},
		{"id"},
		{"id", "name", "price"},
		{"id", "name", "id", "price", "name"}, // @defer repeats a field
		{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "b", "r", "a"},
	} {
		fields := make([]graphql.CollectedField, len(aliases))
		for i, a := range aliases {
			fields[i] = graphql.CollectedField{Field: &ast.Field{Name: a, Alias: a}}
		}
		out := graphql.NewFieldSet(fields)
		for i, a := range aliases {
			out.Values[i] = graphql.MarshalString(a + "-value-" + string(rune('0'+i%10)))
		}
		var want, got bytes.Buffer
		out.MarshalGQL(&want)
		Object(fields, out).MarshalGQL(&got)
		if got.String() != want.String() {
			t.Errorf("%v:\n got %s\nwant %s", aliases, got.String(), want.String())
		}
	}
}

func BenchmarkObject(b *testing.B) {
	aliases := []string{"id", "name", "brand", "price", "stock"}
	fields := make([]graphql.CollectedField, len(aliases))
	for i, a := range aliases {
		fields[i] = graphql.CollectedField{Field: &ast.Field{Name: a, Alias: a}}
	}
	out := graphql.NewFieldSet(fields)
	for i, a := range aliases {
		out.Values[i] = graphql.MarshalString(a)
	}
	var buf bytes.Buffer
	b.Run("gqlgen", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			out.MarshalGQL(&buf)
		}
	})
	b.Run("Object", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			Object(fields, out).MarshalGQL(&buf)
		}
	})
}
