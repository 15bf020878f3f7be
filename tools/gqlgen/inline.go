package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/plugin"
	"golang.org/x/tools/go/ast/astutil"
)

// The generated executor calls shared/execution where gqlgen would spend
// a request's CPU on machinery (see that package): the two places that
// start goroutines (graphql.MarshalSliceConcurrently and
// FieldSet.ResolveConcurrently), which then resolve the levels the
// batching plan has already loaded in the calling goroutine
// (prefetch.Plan.RunInline); graphql.NewDeferredGroup, whose path gqlgen
// builds for every object though only @defer reads it; the plain leaves
// (isPlainLeaf), read through a pointer into the model where the Go type
// allows (pointerLeaf: (*execution.String)(&obj.Name)) and otherwise
// through execution.ResolveLeaf; and each object's
// marshaller, through execution.Object. gqlgen has no hook for any of
// these, so after it has written the executor this command rewrites those
// calls (same arguments; each falls back to gqlgen's function), marks the
// files it rewrote in their header, and writes the table of concurrent
// fields the plan's decision needs.
//
// The rewrite is checked three ways. Generation fails when gqlgen's output
// no longer has a shape it rewrites: each of the five kinds must be made at
// least once (rewriteKinds), every plain leaf must be rewritten, and a call
// that starts goroutines or makes a deferred group in a shape it does not
// know is an error, not a call left alone. The names it needs (the field
// set, the collected fields, the group, the loop's field) are read from
// gqlgen's code. And internal/difftest generates a test schema with gqlgen
// alone and through this command, and requires both executors to answer
// the same operations with the same bytes.
//
// gqlgen's own options do not replace the rewrite. Batch resolvers
// (@goField(batch: true), 0.17.88) call a resolver once for a list's
// parents instead of once per parent, which the batching plan already
// does for Tandem's sources; a batch field is still a resolver, so
// codegen's Field.IsConcurrent still schedules it with ResolveConcurrently
// and the list's items are still marshalled with MarshalSliceConcurrently,
// each parent's goroutine waiting on the batch's result
// (BatchParentGroup.GetFieldResult). exec.worker_limit is the workerLimit
// argument of MarshalSliceConcurrently: it bounds the goroutines with a
// semaphore made per list, but still starts one per item, and leaves
// ResolveConcurrently alone. The rewrite passes it on unchanged.

const (
	executionPath = "github.com/tandemgw/tandem/shared/execution"
	tableFile     = "concurrency.generated.go"
)

// concurrency records, from gqlgen's own model of the executor, how each
// field is resolved.
type concurrency struct {
	kinds map[string]map[string][]string // type → field → FieldKind constant names
	// leaves are the executor functions ("_Product_name") of plain
	// built-in scalar fields, each with the execution leaf type its value
	// is read through (pointerLeaf), or "" for one resolved through
	// execution.ResolveLeaf.
	leaves map[string]string
}

// leafScalars are the built-in scalars whose marshalling cannot fail, so a
// leaf of one needs its field context only for an error it cannot have.
var leafScalars = map[string]bool{"String": true, "ID": true, "Boolean": true, "Int": true}

var _ plugin.CodeGenerator = (*concurrency)(nil)

func (c *concurrency) Name() string { return "tandem-concurrency" }

func (c *concurrency) GenerateCode(data *codegen.Data) error {
	c.kinds = map[string]map[string][]string{}
	c.leaves = map[string]string{}
	for _, o := range data.Objects {
		for _, f := range o.Fields {
			if isPlainLeaf(data, o, f) {
				c.leaves["_"+o.Name+"_"+f.Name] = pointerLeaf(o, f)
			}
			var kind []string
			if f.IsResolver {
				kind = append(kind, "execution.Resolver")
			}
			if f.IsConcurrent() {
				kind = append(kind, "execution.Concurrent")
			}
			if kind == nil {
				continue
			}
			if c.kinds[o.Name] == nil {
				c.kinds[o.Name] = map[string][]string{}
			}
			c.kinds[o.Name][f.Name] = kind
		}
	}
	// Written now, before gqlgen compiles the resolvers that read it.
	return c.writeTable(data.Config.Exec.Dir(), data.Config.Exec.Package)
}

// isPlainLeaf reports a field read straight from its model, of a built-in
// scalar type, with no directive, argument or cost of its own: the field
// interceptors have nothing to do for it (the cost of a scalar is 0
// without @cost, see shared/throttle), so execution.ResolveLeaf may skip
// them.
func isPlainLeaf(data *codegen.Data, o *codegen.Object, f *codegen.Field) bool {
	if o.Root || f.IsResolver || f.IsMethod() || len(f.Args) > 0 || len(f.Directives) > 0 || f.FieldDefinition == nil {
		return false
	}
	if len(f.FieldDefinition.Directives) > 0 {
		return false
	}
	if scalar := f.FieldDefinition.Type.Name(); !leafScalars[scalar] && (scalar != "Float" || pointerLeaf(o, f) != "Float") {
		// A Float can fail to marshal (NaN, ±Inf): only one read through
		// a pointer, which checks the value first, is a plain leaf.
		return false
	}
	if _, ptr := f.TypeReference.GO.(*types.Pointer); ptr {
		// A nil pointer for a non-null field is an error gqlgen reports at
		// the field's path, which needs the field's context.
		return false
	}
	def := data.Schema.Types[f.FieldDefinition.Type.Name()]
	return def != nil && len(def.Directives) == 0
}

// pointerLeaf is the execution leaf type (execution.String …) that reads
// a plain leaf through a pointer into its model, when the field is a
// struct field of the model itself (not promoted through an embedded
// pointer, which may be nil) of exactly the Go type that type reads; ""
// otherwise, and the leaf goes through execution.ResolveLeaf.
func pointerLeaf(o *codegen.Object, f *codegen.Field) string {
	b, ok := f.TypeReference.GO.(*types.Basic)
	if !ok || f.GoFieldType != codegen.GoFieldVariable {
		return ""
	}
	st, ok := o.Type.Underlying().(*types.Struct)
	if !ok {
		return ""
	}
	direct := false
	for i := range st.NumFields() {
		if v := st.Field(i); v.Name() == f.GoFieldName && !v.Embedded() {
			direct = types.Identical(v.Type(), b)
		}
	}
	if !direct {
		return ""
	}
	switch scalar := f.FieldDefinition.Type.Name(); {
	case b.Kind() == types.String && (scalar == "String" || scalar == "ID"):
		return "String"
	case b.Kind() == types.Bool && scalar == "Boolean":
		return "Boolean"
	case b.Kind() == types.Int && scalar == "Int":
		return "Int"
	case b.Kind() == types.Int32 && scalar == "Int":
		return "Int32"
	case b.Kind() == types.Int64 && scalar == "Int":
		return "Int64"
	case b.Kind() == types.Float64 && scalar == "Float":
		return "Float"
	}
	return ""
}

// writeTable writes ConcurrentFields into the executor's package.
func (c *concurrency) writeTable(dir, pkg string) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by tools/gqlgen, DO NOT EDIT.\n\npackage %s\n\nimport %q\n\n", pkg, executionPath)
	b.WriteString("// ConcurrentFields is, per object type, every field the executor does not\n// read straight from the model: resolvers, and fields it resolves in a\n// goroutine of their own. The batching plan reads it (prefetch.Plan.RunInline).\n")
	b.WriteString("var ConcurrentFields = map[string]map[string]execution.FieldKind{\n")
	for _, typ := range sortedKeys(c.kinds) {
		fmt.Fprintf(&b, "\t%q: {\n", typ)
		for _, f := range sortedKeys(c.kinds[typ]) {
			fmt.Fprintf(&b, "\t\t%q: %s,\n", f, strings.Join(c.kinds[typ][f], " | "))
		}
		b.WriteString("\t},\n")
	}
	b.WriteString("}\n")
	src, err := format.Source(b.Bytes())
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, tableFile), src, 0o644)
}

// The kinds of rewrite: each must be made at least once in an executor,
// or generation fails (every executor Tandem generates has lists of
// objects, resolver fields, objects and plain leaves, so a kind that is
// never made means gqlgen's output no longer has the shape it rewrites).
const (
	rewriteSlice      = iota // graphql.MarshalSliceConcurrently → execution.MarshalSlice
	rewriteConcurrent        // out.ResolveConcurrently → execution.ResolveField
	rewriteDeferred          // graphql.NewDeferredGroup → execution.NewDeferredGroup
	rewriteLeaf              // a plain leaf → (*execution.T)(&obj.F), or its graphql.ResolveField → execution.ResolveLeaf
	rewriteObject            // an object marshaller's return out → execution.Object
	rewriteData              // Exec's data.MarshalGQL(&buf) → execution.MarshalData(ctx, data, &buf)
	rewriteResolve           // graphql.ResolveField of any other field → execution.Resolve
	rewriteCollect           // graphql.CollectFields → execution.CollectFields
	rewriteKinds
)

var kindNames = [rewriteKinds]string{
	"graphql.MarshalSliceConcurrently call",
	"FieldSet.ResolveConcurrently call",
	"graphql.NewDeferredGroup call",
	"graphql.ResolveField call of a plain leaf",
	"object marshaller returning its field set",
	"data.MarshalGQL(&buf) call in Exec",
	"graphql.ResolveField call of a field that is not a plain leaf",
	"graphql.CollectFields call",
}

// counts is how many rewrites of each kind were made.
type counts [rewriteKinds]int

func (c *counts) add(o counts) {
	for k := range o {
		c[k] += o[k]
	}
}

const (
	gqlgenGraphQL = "github.com/99designs/gqlgen/graphql"
	// gqlgenHeader is the first line of the files gqlgen writes;
	// rewrittenHeader replaces it in each file this command rewrites.
	gqlgenHeader    = "// Code generated by github.com/99designs/gqlgen, DO NOT EDIT.\n"
	rewrittenHeader = "// Code generated by github.com/99designs/gqlgen and rewritten by tools/gqlgen, DO NOT EDIT.\n"
)

// rewriteExecutor points the executor calls in dir described above at
// shared/execution, and fails unless each kind of rewrite was made and
// every plain leaf was rewritten.
func rewriteExecutor(dir string, leaves map[string]string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.generated.go"))
	if err != nil {
		return err
	}
	var total counts
	rewrote := map[string]bool{} // the leaves rewritten
	for _, path := range files {
		if filepath.Base(path) == tableFile {
			continue
		}
		n, err := rewriteFile(path, leaves, rewrote)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		total.add(n)
	}
	for k, n := range total {
		if n == 0 {
			return fmt.Errorf("%s: no %s to rewrite: has gqlgen's executor changed?", dir, kindNames[k])
		}
	}
	for _, fn := range sortedKeys(leaves) {
		if !rewrote[fn] {
			return fmt.Errorf("%s: %s has no graphql.ResolveField call to rewrite: has gqlgen's executor changed?", dir, fn)
		}
	}
	return nil
}

// rewriteFile rewrites the file at path, noting in rewrote the leaves it
// rewrote, and marks it as rewritten in its header. A call it does not
// recognise (one that starts goroutines, or makes a deferred group, in a
// shape it does not know) fails, so that no gqlgen upgrade silently
// brings the goroutines back or leaves a half-rewritten object.
func rewriteFile(path string, leaves map[string]string, rewrote map[string]bool) (counts, error) {
	var n counts
	src, err := os.ReadFile(path)
	if err != nil {
		return n, err
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, path, src, parser.ParseComments)
	if err != nil {
		return n, err
	}
	gql := importName(file, gqlgenGraphQL)
	if gql == "" {
		return n, nil // nothing of gqlgen's runtime is called here
	}
	for _, decl := range file.Decls {
		d, ok := decl.(*ast.FuncDecl)
		if !ok || d.Body == nil {
			continue
		}
		leafType, leaf := leaves[d.Name.Name]
		r := &funcRewrite{fset: fset, gql: gql, fn: d, leaf: leaf, leafType: leafType}
		if err := r.rewrite(); err != nil {
			return n, fmt.Errorf("%s: %w", d.Name.Name, err)
		}
		if r.n[rewriteLeaf] > 0 {
			rewrote[d.Name.Name] = true
		}
		n.add(r.n)
	}
	if n == (counts{}) {
		return n, nil
	}
	if !bytes.HasPrefix(src, []byte(gqlgenHeader)) {
		return n, fmt.Errorf("the file does not start with gqlgen's header %q", strings.TrimSpace(gqlgenHeader))
	}
	astutil.AddImport(fset, file, executionPath)
	var b bytes.Buffer
	if err := format.Node(&b, fset, file); err != nil {
		return n, err
	}
	out := append([]byte(rewrittenHeader), bytes.TrimPrefix(b.Bytes(), []byte(gqlgenHeader))...)
	return n, os.WriteFile(path, out, 0o644)
}

// importName is the name file refers to the package path by; "" when it
// does not import it.
func importName(file *ast.File, path string) string {
	for _, imp := range file.Imports {
		if imp.Path.Value != strconv.Quote(path) {
			continue
		}
		if imp.Name != nil {
			return imp.Name.Name
		}
		return path[strings.LastIndex(path, "/")+1:]
	}
	return ""
}

// funcRewrite rewrites one function of the executor. The names it needs
// are read from gqlgen's own code, not assumed: the field set and the
// collected fields from out := graphql.NewFieldSet(fields), the deferred
// group and the object's context from deferred := graphql.NewDeferredGroup(ctx),
// and each field from the loop whose index ResolveConcurrently is given.
type funcRewrite struct {
	fset     *token.FileSet
	gql      string // the file's name for gqlgen's graphql package
	fn       *ast.FuncDecl
	leaf     bool   // the function resolves a plain leaf
	leafType string // and reads it through this execution type ("" for ResolveLeaf)

	out, fields string        // the object's field set and collected fields
	deferred    string        // the object's deferred group
	ctx         ast.Expr      // the context the group is made with
	newGroup    *ast.CallExpr // graphql.NewDeferredGroup(ctx)
	groupUses   map[*ast.Ident]bool

	scheduled []scheduled // the fields ResolveField schedules, wrapped after the walk

	n counts
}

func (r *funcRewrite) errorf(at ast.Node, format string, args ...any) error {
	return fmt.Errorf("%s: %s: has gqlgen's executor changed?", r.fset.Position(at.Pos()), fmt.Sprintf(format, args...))
}

func (r *funcRewrite) isGQL(call *ast.CallExpr, name string) bool {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != name {
		return false
	}
	x, ok := sel.X.(*ast.Ident)
	return ok && x.Name == r.gql
}

// rewrite makes the function's rewrites. Those of an object's deferred
// group and of its concurrent fields are made together or not at all:
// execution.NewDeferredGroup leaves the group's field set to
// execution.ResolveField, so gqlgen's ResolveConcurrently would find none
// for a deferred field. Any use of the group this command does not know
// therefore fails generation rather than rewriting one without the other.
func (r *funcRewrite) rewrite() error {
	if err := r.declarations(); err != nil {
		return err
	}
	var stack []ast.Node
	var bad error
	ast.Inspect(r.fn.Body, func(node ast.Node) bool {
		if bad != nil {
			return false
		}
		if node == nil {
			stack = stack[:len(stack)-1]
			return true
		}
		stack = append(stack, node)
		if call, ok := node.(*ast.CallExpr); ok {
			bad = r.call(call, stack)
		}
		return bad == nil
	})
	if bad == errStopWalk {
		return nil
	}
	if bad != nil {
		return bad
	}
	for _, s := range r.scheduled {
		if err := r.resolveNowWhenInline(s); err != nil {
			return err
		}
	}
	if r.newGroup != nil {
		if err := r.checkGroupUses(); err != nil {
			return err
		}
		r.newGroup.Fun = execSel("NewDeferredGroup", r.newGroup.Fun)
		r.n[rewriteDeferred]++
	}
	if r.out != "" {
		if n := r.objectReturns(); n == 0 {
			return r.errorf(r.fn, "builds a field set with graphql.NewFieldSet but returns %s nowhere", r.out)
		} else {
			r.n[rewriteObject] += n
		}
	}
	return nil
}

// declarations finds out := graphql.NewFieldSet(fields) and
// deferred := graphql.NewDeferredGroup(ctx) among the function's
// statements.
func (r *funcRewrite) declarations() error {
	for _, st := range r.fn.Body.List {
		as, ok := st.(*ast.AssignStmt)
		if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 || as.Tok != token.DEFINE {
			continue
		}
		lhs, ok1 := as.Lhs[0].(*ast.Ident)
		call, ok2 := as.Rhs[0].(*ast.CallExpr)
		if !ok1 || !ok2 {
			continue
		}
		switch {
		case r.isGQL(call, "NewFieldSet"):
			arg, ok := oneIdent(call)
			if !ok {
				return r.errorf(call, "graphql.NewFieldSet is not given the collected fields")
			}
			r.out, r.fields = lhs.Name, arg.Name
		case r.isGQL(call, "NewDeferredGroup"):
			if _, ok := oneIdent(call); !ok {
				return r.errorf(call, "graphql.NewDeferredGroup is not given the object's context")
			}
			r.deferred, r.ctx, r.newGroup = lhs.Name, call.Args[0], call
			r.groupUses = map[*ast.Ident]bool{lhs: true}
		}
	}
	return nil
}

func oneIdent(call *ast.CallExpr) (*ast.Ident, bool) {
	if len(call.Args) != 1 {
		return nil, false
	}
	id, ok := call.Args[0].(*ast.Ident)
	return id, ok
}

// call rewrites one call; stack holds the nodes from the function's body
// down to it.
func (r *funcRewrite) call(call *ast.CallExpr, stack []ast.Node) error {
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	name := sel.Sel.Name
	switch {
	case r.isGQL(call, "MarshalSliceConcurrently"):
		if len(call.Args) != 5 {
			return r.errorf(call, "graphql.MarshalSliceConcurrently takes %d arguments, not 5", len(call.Args))
		}
		call.Fun = execSel("MarshalSlice", call.Fun)
		r.n[rewriteSlice]++
	case r.isGQL(call, "ResolveField") && r.leaf:
		if len(call.Args) != 9 {
			return r.errorf(call, "graphql.ResolveField takes %d arguments, not 9", len(call.Args))
		}
		if r.leafType != "" {
			return r.readLeafByPointer(call)
		}
		call.Fun = execSel("ResolveLeaf", call.Fun)
		r.n[rewriteLeaf]++
	case r.isGQL(call, "CollectFields"):
		if len(call.Args) != 3 {
			return r.errorf(call, "graphql.CollectFields takes %d arguments, not 3", len(call.Args))
		}
		call.Fun = execSel("CollectFields", call.Fun)
		r.n[rewriteCollect]++
	case r.isGQL(call, "ResolveField"):
		if len(call.Args) != 9 {
			return r.errorf(call, "graphql.ResolveField takes %d arguments, not 9", len(call.Args))
		}
		call.Fun = execSel("Resolve", call.Fun)
		r.n[rewriteResolve]++
	case r.isGQL(call, "NewDeferredGroup"):
		if call != r.newGroup {
			return r.errorf(call, "a graphql.NewDeferredGroup call that is not the object's deferred := graphql.NewDeferredGroup(ctx)")
		}
	case name == "MarshalGQL" && r.fn.Name.Name == "Exec" && r.fn.Recv != nil:
		return r.marshalData(call, sel, stack)
	case name == "ResolveConcurrently":
		return r.resolveConcurrently(call, sel, stack)
	case name == "ProcessDeferredGroup" && len(call.Args) == 1:
		r.groupUse(call.Args[0])
	case name == "ResolveRootConcurrently":
		// A root field: a handful per operation, left to gqlgen.
	case strings.Contains(name, "Concurrently") || strings.Contains(name, "DeferredGroup"):
		return r.errorf(call, "a call of %s this command does not know", name)
	}
	return nil
}

// resolveConcurrently rewrites out.ResolveConcurrently(oc, &deferred, i, …)
// inside for i, field := range fields into
// execution.ResolveField(ctx, field, out, oc, &deferred, i, …).
func (r *funcRewrite) resolveConcurrently(call *ast.CallExpr, sel *ast.SelectorExpr, stack []ast.Node) error {
	if recv, ok := sel.X.(*ast.Ident); !ok || r.out == "" || recv.Name != r.out {
		return r.errorf(call, "ResolveConcurrently is not called on the object's field set")
	}
	if len(call.Args) != 6 {
		return r.errorf(call, "FieldSet.ResolveConcurrently takes %d arguments, not 6", len(call.Args))
	}
	if r.newGroup == nil {
		return r.errorf(call, "ResolveConcurrently in an object without deferred := graphql.NewDeferredGroup(ctx)")
	}
	group, ok := call.Args[1].(*ast.UnaryExpr)
	if !ok || group.Op != token.AND {
		return r.errorf(call, "ResolveConcurrently is not given &%s", r.deferred)
	}
	if id, ok := group.X.(*ast.Ident); !ok || id.Name != r.deferred {
		return r.errorf(call, "ResolveConcurrently is not given &%s", r.deferred)
	} else {
		r.groupUses[id] = true
	}
	index, ok := call.Args[2].(*ast.Ident)
	if !ok {
		return r.errorf(call, "ResolveConcurrently's index is not a variable")
	}
	var field *ast.Ident
	for i := len(stack) - 1; i >= 0 && field == nil; i-- {
		loop, ok := stack[i].(*ast.RangeStmt)
		if !ok {
			continue
		}
		key, ok1 := loop.Key.(*ast.Ident)
		value, ok2 := loop.Value.(*ast.Ident)
		over, ok3 := loop.X.(*ast.Ident)
		if ok1 && ok2 && ok3 && key.Name == index.Name && over.Name == r.fields {
			field = value
		}
	}
	if field == nil {
		return r.errorf(call, "ResolveConcurrently is not inside for %s, field := range %s", index.Name, r.fields)
	}
	call.Fun = execSel("ResolveField", call.Fun)
	call.Args = append([]ast.Expr{ast.NewIdent(exprIdent(r.ctx)), ast.NewIdent(field.Name), ast.NewIdent(r.out)}, call.Args...)
	if len(stack) < 3 {
		return r.errorf(call, "ResolveConcurrently is not a statement of its own")
	}
	stmt, ok := stack[len(stack)-2].(*ast.ExprStmt)
	if !ok {
		return r.errorf(call, "ResolveConcurrently is not a statement of its own")
	}
	r.scheduled = append(r.scheduled, scheduled{stmt: stmt, parent: stack[len(stack)-3], call: call})
	r.n[rewriteConcurrent]++
	return nil
}

// scheduled is a field execution.ResolveField schedules: its statement
// and the block or case clause that holds it.
type scheduled struct {
	stmt   *ast.ExprStmt
	parent ast.Node
	call   *ast.CallExpr
}

// resolveNowWhenInline wraps a field's execution.ResolveField(ctx, field,
// out, oc, &deferred, i, recover, nonNull, func(ctx) graphql.Marshaler {
// return F }) into
//
//	if execution.Now(ctx, field) {
//		execution.Store(out, i, nonNull, F)
//	} else {
//		execution.ResolveField(…)
//	}
//
// so that a field of a settled level is resolved without the closure the
// scheduling takes, which is made only where it is used.
func (r *funcRewrite) resolveNowWhenInline(s scheduled) error {
	args := s.call.Args
	lit, ok := args[len(args)-1].(*ast.FuncLit)
	if !ok || len(lit.Body.List) != 1 {
		return r.errorf(s.call, "a concurrent field is not resolved by func(ctx) graphql.Marshaler { return … }")
	}
	ret, ok := lit.Body.List[0].(*ast.ReturnStmt)
	if !ok || len(ret.Results) != 1 {
		return r.errorf(s.call, "a concurrent field is not resolved by func(ctx) graphql.Marshaler { return … }")
	}
	if ps := lit.Type.Params.List; len(ps) != 1 || len(ps[0].Names) != 1 || ps[0].Names[0].Name != exprIdent(args[0]) {
		return r.errorf(s.call, "a concurrent field's resolver does not take the object's context under its name")
	}
	now := &ast.IfStmt{
		If:   s.stmt.Pos(),
		Cond: &ast.CallExpr{Fun: execSel("Now", s.call.Fun), Args: []ast.Expr{ast.NewIdent(exprIdent(args[0])), ast.NewIdent(exprIdent(args[1]))}},
		Body: &ast.BlockStmt{List: []ast.Stmt{&ast.ExprStmt{X: &ast.CallExpr{
			Fun:  execSel("Store", s.call.Fun),
			Args: []ast.Expr{ast.NewIdent(exprIdent(args[2])), args[5], args[7], ret.Results[0]},
		}}}},
		Else: &ast.BlockStmt{List: []ast.Stmt{s.stmt}},
	}
	var list *[]ast.Stmt
	switch p := s.parent.(type) {
	case *ast.CaseClause:
		list = &p.Body
	case *ast.BlockStmt:
		list = &p.List
	default:
		return r.errorf(s.call, "ResolveConcurrently is not in a case or a block")
	}
	for i, st := range *list {
		if st == s.stmt {
			(*list)[i] = now
			return nil
		}
	}
	return r.errorf(s.call, "ResolveConcurrently's statement was not found in its block")
}

func exprIdent(e ast.Expr) string { return e.(*ast.Ident).Name }

// groupUse notes e as a known use of the deferred group when it is one.
func (r *funcRewrite) groupUse(e ast.Expr) {
	if id, ok := e.(*ast.Ident); ok && r.deferred != "" && id.Name == r.deferred {
		r.groupUses[id] = true
	}
}

// checkGroupUses fails unless the deferred group is used only where
// execution.NewDeferredGroup's group is as good as gqlgen's: given to a
// rewritten ResolveField, its Defers read, handed to ProcessDeferredGroup
// (which only a deferred field, through ResolveField, makes non-empty).
func (r *funcRewrite) checkGroupUses() error {
	var bad error
	ast.Inspect(r.fn.Body, func(node ast.Node) bool {
		if bad != nil {
			return false
		}
		if sel, ok := node.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == r.deferred && sel.Sel.Name == "Defers" {
				r.groupUses[id] = true
			}
			return true
		}
		if id, ok := node.(*ast.Ident); ok && id.Name == r.deferred && !r.groupUses[id] {
			bad = r.errorf(id, "%s, the deferred group, is used in a way this command does not know, so neither it nor the object's ResolveConcurrently calls can be rewritten", r.deferred)
		}
		return true
	})
	return bad
}

// objectReturns makes the object's marshaller return
// execution.Object(fields, out) instead of out: the same JSON, written
// without gqlgen's map and field copies per object (see execution.Object).
func (r *funcRewrite) objectReturns() int {
	n := 0
	ast.Inspect(r.fn.Body, func(node ast.Node) bool {
		if _, ok := node.(*ast.FuncLit); ok {
			return false // a closure's return is not the object's
		}
		ret, ok := node.(*ast.ReturnStmt)
		if !ok || len(ret.Results) != 1 {
			return true
		}
		if id, ok := ret.Results[0].(*ast.Ident); ok && id.Name == r.out {
			// At out's position, so that the printer keeps the call on
			// the return's line.
			at := func(name string) *ast.Ident { return &ast.Ident{Name: name, NamePos: id.NamePos} }
			ret.Results[0] = &ast.CallExpr{
				Fun:    &ast.SelectorExpr{X: at("execution"), Sel: at("Object")},
				Lparen: id.NamePos,
				Args:   []ast.Expr{at(r.fields), at(r.out)},
				Rparen: id.NamePos,
			}
			n++
		}
		return true
	})
	return n
}

// execSel is execution.name, at the position of the call it replaces.
// readLeafByPointer replaces the body of a plain leaf's function, whose
// graphql.ResolveField call is given the field resolver
// func(ctx context.Context) (any, error) { return obj.F, nil }, with
// return (*execution.T)(&obj.F): the value read through a pointer into
// the model, with nothing allocated (see execution.String).
func (r *funcRewrite) readLeafByPointer(call *ast.CallExpr) error {
	const resolverArg = 4 // ctx, oc, field, initializeFieldContext, fieldResolver, …
	lit, ok := call.Args[resolverArg].(*ast.FuncLit)
	var field *ast.SelectorExpr
	if ok && len(lit.Body.List) == 1 {
		if ret, ok := lit.Body.List[0].(*ast.ReturnStmt); ok && len(ret.Results) == 2 {
			sel, ok1 := ret.Results[0].(*ast.SelectorExpr)
			nilErr, ok2 := ret.Results[1].(*ast.Ident)
			if ok1 && ok2 && nilErr.Name == "nil" {
				if obj, ok := sel.X.(*ast.Ident); ok && obj.Name == r.objParam() {
					field = sel
				}
			}
		}
	}
	if field == nil {
		return r.errorf(call, "a plain leaf's field resolver is not func(ctx) (any, error) { return obj.Field, nil }")
	}
	objField := func() ast.Expr {
		return &ast.SelectorExpr{X: ast.NewIdent(r.objParam()), Sel: ast.NewIdent(field.Sel.Name)}
	}
	value := &ast.CallExpr{
		Fun:  &ast.ParenExpr{X: &ast.StarExpr{X: &ast.SelectorExpr{X: ast.NewIdent("execution"), Sel: ast.NewIdent(r.leafType)}}},
		Args: []ast.Expr{&ast.UnaryExpr{Op: token.AND, X: objField()}},
	}
	ret := &ast.ReturnStmt{Return: r.fn.Body.Lbrace + 1, Results: []ast.Expr{value}}
	if r.leafType == "Float" {
		// A NaN or an infinity keeps gqlgen's way, which reports it at the
		// field's path: the check comes first, and gqlgen's call stays.
		check := &ast.IfStmt{
			If:   r.fn.Body.Lbrace + 1,
			Cond: &ast.CallExpr{Fun: &ast.SelectorExpr{X: ast.NewIdent("execution"), Sel: ast.NewIdent("Finite")}, Args: []ast.Expr{objField()}},
			Body: &ast.BlockStmt{List: []ast.Stmt{ret}},
		}
		r.fn.Body.List = append([]ast.Stmt{check}, r.fn.Body.List...)
	} else {
		r.fn.Body.List = []ast.Stmt{ret}
	}
	r.n[rewriteLeaf]++
	return errStopWalk
}

// marshalData rewrites Exec's data.MarshalGQL(&buf), which writes a
// response's data into an empty buffer, into
// execution.MarshalData(ctx, data, &buf), ctx being the response
// handler's own context parameter.
func (r *funcRewrite) marshalData(call *ast.CallExpr, sel *ast.SelectorExpr, stack []ast.Node) error {
	data, ok := sel.X.(*ast.Ident)
	if !ok || len(call.Args) != 1 {
		return r.errorf(call, "Exec marshals its data in a shape this command does not know")
	}
	if u, ok := call.Args[0].(*ast.UnaryExpr); !ok || u.Op != token.AND {
		return r.errorf(call, "Exec marshals its data into something other than &buf")
	}
	var ctx string
	for i := len(stack) - 1; i >= 0 && ctx == ""; i-- {
		lit, ok := stack[i].(*ast.FuncLit)
		if !ok {
			continue
		}
		if ps := lit.Type.Params.List; len(ps) == 1 && len(ps[0].Names) == 1 {
			if t, ok := ps[0].Type.(*ast.SelectorExpr); ok && t.Sel.Name == "Context" {
				ctx = ps[0].Names[0].Name
			}
		}
		if ctx == "" {
			return r.errorf(call, "Exec's response handler does not take the context alone")
		}
	}
	if ctx == "" {
		return r.errorf(call, "Exec marshals its data outside a response handler")
	}
	call.Fun = execSel("MarshalData", call.Fun)
	call.Args = []ast.Expr{ast.NewIdent(ctx), data, call.Args[0]}
	r.n[rewriteData]++
	return nil
}

// errStopWalk ends the walk of a function whose body was replaced.
var errStopWalk = errors.New("the function's body was replaced")

// objParam is the name of the function's last parameter, the model
// object a field function reads.
func (r *funcRewrite) objParam() string {
	ps := r.fn.Type.Params.List
	if len(ps) == 0 || len(ps[len(ps)-1].Names) == 0 {
		return ""
	}
	names := ps[len(ps)-1].Names
	return names[len(names)-1].Name
}

func execSel(name string, old ast.Expr) ast.Expr {
	return &ast.SelectorExpr{X: &ast.Ident{Name: "execution", NamePos: old.Pos()}, Sel: ast.NewIdent(name)}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
