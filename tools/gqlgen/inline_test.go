package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const executorSample = `package generated

func (ec *executionContext) _Item(ctx context.Context, sel ast.SelectionSet, obj *Item) graphql.Marshaler {
	out := graphql.NewFieldSet(fields)
	deferred := graphql.NewDeferredGroup(ctx)
	for i, field := range fields {
		out.ResolveConcurrently(ec.OperationContext, &deferred, i, true, false, func(ctx context.Context) graphql.Marshaler { return nil })
	}
	if out.Invalids > 0 {
		return graphql.Null
	}
	return out
}

func (ec *executionContext) _Item_name(ctx context.Context, field graphql.CollectedField, obj *Item) graphql.Marshaler {
	return graphql.ResolveField(ctx, ec.OperationContext, field, nil, nil, nil, nil, true, true)
}

func (ec *executionContext) marshalItems(ctx context.Context, sel ast.SelectionSet, v []*Item) graphql.Marshaler {
	return graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, nil)
}
`

func rewrite(t *testing.T, src string, leaves map[string]bool) (string, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "items.generated.go")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := rewriteFile(path, leaves, map[string]bool{})
	out, _ := os.ReadFile(path)
	return string(out), err
}

func TestRewritePointsTheExecutorAtExecution(t *testing.T) {
	out, err := rewrite(t, executorSample, map[string]bool{"_Item_name": true})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"execution.NewDeferredGroup(ctx)",
		"execution.ResolveField(ctx, field, out, ec.OperationContext, &deferred, i,",
		"execution.ResolveLeaf(ctx, ec.OperationContext, field,",
		"execution.MarshalSlice(ctx, len(v), 0, false, nil)",
		"\treturn execution.Object(fields, out)\n}",
		"\t\treturn graphql.Null\n",
		`"github.com/tandemgw/tandem/shared/execution"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the rewritten executor lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, "graphql.MarshalSliceConcurrently") || strings.Contains(out, "out.ResolveConcurrently") {
		t.Errorf("a goroutine-starting call is left:\n%s", out)
	}
}

func TestRewriteRefusesAShapeItDoesNotKnow(t *testing.T) {
	for _, changed := range []string{
		strings.Replace(executorSample, "out.ResolveConcurrently(", "fs.ResolveConcurrently(", 1),
		strings.Replace(executorSample, "len(v), 0, false, nil)", "len(v), 0, nil)", 1),
	} {
		if _, err := rewrite(t, changed, nil); err == nil {
			t.Errorf("a changed executor was rewritten without complaint:\n%s", changed)
		}
	}
}
