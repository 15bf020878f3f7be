package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The tests rewrite gqlgen's real output: the differential test's
// executor as gqlgen alone generates it (internal/difftest/stock), which
// make generate keeps current with the pinned gqlgen.
const (
	stockDir     = "internal/difftest/stock"
	rewrittenDir = "internal/difftest/rewritten"
)

// stockExecutor returns gqlgen's executor files, named as in the
// rewritten package.
func stockExecutor(t *testing.T) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(stockDir, "*.generated.go"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no executor in %s: %v", stockDir, err)
	}
	files := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[filepath.Base(p)] = strings.Replace(string(b), "\npackage stock\n", "\npackage rewritten\n", 1)
	}
	return files
}

// plainLeaves are the functions the rewritten executor reads through a
// pointer ((*execution.T)(&obj.F), with T) or resolves through
// execution.ResolveLeaf (with ""): those the generator picked from
// gqlgen's model.
func plainLeaves(t *testing.T) map[string]string {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(rewrittenDir, "*.generated.go"))
	fn := regexp.MustCompile(`(?m)^func \(ec \*executionContext\) (\w+)\(`)
	byPointer := regexp.MustCompile(`^[^\n]*\n(?:\tif execution\.Finite\([^\n]*\n)?\t\t?return \(\*execution\.(\w+)\)\(&`)
	leaves := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, part := range strings.Split(string(b), "\nfunc ")[1:] {
			m := fn.FindStringSubmatch("func " + part)
			switch {
			case m == nil:
			case strings.Contains(part, "return execution.ResolveLeaf("):
				leaves[m[1]] = ""
			case byPointer.MatchString(part):
				leaves[m[1]] = byPointer.FindStringSubmatch(part)[1]
			}
		}
	}
	if len(leaves) == 0 {
		t.Fatal("no plain leaf in the rewritten executor")
	}
	return leaves
}

// rewriteAll writes files into a directory, rewrites it and returns the
// result.
func rewriteAll(t *testing.T, files map[string]string, leaves map[string]string) (map[string]string, error) {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err := rewriteExecutor(dir, leaves)
	out := map[string]string{}
	for name := range files {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		out[name] = string(b)
	}
	return out, err
}

// Rewriting gqlgen's output gives exactly the committed rewritten
// executor, with the header that says so on each file it changed.
func TestRewriteOfGqlgensOutputIsTheRewrittenExecutor(t *testing.T) {
	// Go's convention for generated files, which go vet, staticcheck and
	// code review tools read.
	if !regexp.MustCompile(`^// Code generated .* DO NOT EDIT\.$`).MatchString(strings.TrimSuffix(rewrittenHeader, "\n")) {
		t.Errorf("%q is not a generated-code header", rewrittenHeader)
	}
	got, err := rewriteAll(t, stockExecutor(t), plainLeaves(t))
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range got {
		want, err := os.ReadFile(filepath.Join(rewrittenDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if src != string(want) {
			t.Errorf("%s: the rewrite of gqlgen's output is not the committed %s/%s", name, rewrittenDir, name)
		}
		rewritten := strings.Contains(src, `"github.com/tandemgw/tandem/shared/execution"`)
		if rewritten != strings.HasPrefix(src, rewrittenHeader) {
			t.Errorf("%s: rewritten %v, but its header is %q", name, rewritten, strings.SplitN(src, "\n", 2)[0])
		}
		for _, left := range []string{"graphql.MarshalSliceConcurrently(", "out.ResolveConcurrently(", "graphql.NewDeferredGroup(", "\treturn out\n"} {
			if strings.Contains(src, left) {
				t.Errorf("%s: %s is left", name, left)
			}
		}
	}
}

// The names the rewrite needs are read from gqlgen's code, not assumed.
func TestRewriteFollowsRenamedVariables(t *testing.T) {
	files := stockExecutor(t)
	out := regexp.MustCompile(`\bout\b`)
	for name, src := range files {
		files[name] = strings.ReplaceAll(out.ReplaceAllString(src, "fs"), "deferred", "group")
	}
	got, err := rewriteAll(t, files, plainLeaves(t))
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(mapValues(got), "\n")
	for _, want := range []string{"execution.ResolveField(ctx, field, fs, ec.OperationContext, &group, i,", "return execution.Object(fields, fs)", "group := execution.NewDeferredGroup(ctx)"} {
		if !strings.Contains(all, want) {
			t.Errorf("the rewritten executor lacks %s", want)
		}
	}
}

// A change in gqlgen's output that a rewrite no longer fits fails the
// generation, naming what changed; nothing is written half-rewritten.
func TestRewriteFailsWhenGqlgensOutputChanges(t *testing.T) {
	for _, c := range []struct {
		name, old, new string
		all            bool // replace every occurrence, not the first
		want           string
	}{
		{"slice call renamed", "graphql.MarshalSliceConcurrently(", "graphql.MarshalSliceInParallel(", true, "no graphql.MarshalSliceConcurrently call to rewrite"},
		{"slice call takes another argument", "graphql.MarshalSliceConcurrently(ctx,", "graphql.MarshalSliceConcurrently(ctx, nil,", false, "takes 6 arguments, not 5"},
		{"concurrent field takes another argument", "out.ResolveConcurrently(ec.OperationContext, &deferred, i,", "out.ResolveConcurrently(ec.OperationContext, &deferred, i, nil,", false, "takes 7 arguments, not 6"},
		{"concurrent field on another field set", "out.ResolveConcurrently(", "other.ResolveConcurrently(", false, "not called on the object's field set"},
		// The group would be left to a call this command does not know.
		{"concurrent fields renamed", "out.ResolveConcurrently(", "out.ResolveInParallel(", true, "so neither it nor the object's ResolveConcurrently calls can be rewritten"},
		{"a legacy concurrent call", "out.ResolveConcurrently(ec.OperationContext, &deferred, i,", "out.Concurrently(i, nil, ", false, "a call of Concurrently this command does not know"},
		{"deferred group used otherwise", "deferred := graphql.NewDeferredGroup(ctx)\n", "deferred := graphql.NewDeferredGroup(ctx)\n\t_ = deferred.Path\n", false, "the deferred group, is used in a way this command does not know"},
		{"deferred group made otherwise", "graphql.NewDeferredGroup(ctx)", "graphql.NewDeferredGroupAt(ctx)", true, "a call of NewDeferredGroupAt this command does not know"},
		{"deferred group made twice", "deferred := graphql.NewDeferredGroup(ctx)\n", "deferred := graphql.NewDeferredGroup(ctx)\n\t_ = graphql.NewDeferredGroup(ctx)\n", false, "not the object's deferred := graphql.NewDeferredGroup(ctx)"},
		{"object returned otherwise", "\treturn out\n}", "\treturn graphql.Marshaler(out)\n}", false, "returns out nowhere"},
		{"leaves resolved otherwise", "return graphql.ResolveField(", "return graphql.ResolveFieldValue(", true, "no graphql.ResolveField call of a plain leaf to rewrite"},
		{"header changed", gqlgenHeader, "// Code generated by gqlgen, DO NOT EDIT.\n", true, "does not start with gqlgen's header"},
	} {
		files := stockExecutor(t)
		changed := false
		for name, src := range files {
			n := 1
			if c.all {
				n = -1
			}
			if strings.Contains(src, c.old) && (c.all || !changed) {
				files[name] = strings.Replace(src, c.old, c.new, n)
				changed = true
			}
		}
		if !changed {
			t.Fatalf("%s: gqlgen's output has no %q", c.name, c.old)
		}
		_, err := rewriteAll(t, files, plainLeaves(t))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one saying %q", c.name, err, c.want)
		}
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
