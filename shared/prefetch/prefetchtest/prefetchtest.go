// Package prefetchtest holds a BFF's batching plan to its schema and its
// resolvers, for the BFFs' graph tests: every field that reads a source
// per parent object has a step, and every level of those fields resolves
// inline. Both checks derive what to look at from the schema and the
// code, so a field added without a step fails them without anyone having
// to list it.
package prefetchtest

import (
	"fmt"
	"go/ast"
	"go/types"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	gqlast "github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"
	"golang.org/x/tools/go/packages"

	"github.com/tandemgw/tandem/shared/execution"
	"github.com/tandemgw/tandem/shared/prefetch"
)

// Import paths whose objects are reads of a backend.
const (
	sourcesPrefix = "github.com/tandemgw/tandem/shared/sources/"
	connectorPath = "github.com/tandemgw/tandem/shared/connector"
)

// Batched lists the fields ("Type.field") the schema says are read by key
// per parent object: @loads fields, and @rest and @grpc fields whose call
// takes a value of the parent ($parent).
func Batched(schema *gqlast.Schema) []string {
	var out []string
	for _, def := range schema.Types {
		if def.Kind != gqlast.Object || def.BuiltIn {
			continue
		}
		for _, fd := range def.Fields {
			if fd.Directives.ForName("loads") != nil {
				out = append(out, def.Name+"."+fd.Name)
				continue
			}
			for _, name := range []string{"rest", "grpc"} {
				d := fd.Directives.ForName(name)
				if d == nil {
					continue
				}
				for _, a := range d.Arguments {
					if a.Value != nil && strings.Contains(a.Value.Raw, "$parent.") {
						out = append(out, def.Name+"."+fd.Name)
						break
					}
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// CheckSteps fails t for every field of the resolver package at pkgPath
// (a BFF's graph package, dir its folder) whose resolver reads a source,
// directly or through the shared packages it calls, and that plan has no
// step for, unless the field is read once per request (a field of a root
// type, or of a type only ever reached once, such as the viewer) or
// carries @unbatched. It also fails for a field of Batched without a step.
func CheckSteps(t *testing.T, plan *prefetch.Plan, es graphql.ExecutableSchema, dir, pkgPath string) {
	t.Helper()
	schema := es.Schema()
	for _, f := range Batched(schema) {
		typeName, field, _ := strings.Cut(f, ".")
		if !plan.Loads(typeName, field) {
			t.Errorf("%s is read by key per parent (its directive says so) but the plan has no step for it", f)
		}
	}
	reads, err := sourceReads(dir, pkgPath)
	if err != nil {
		t.Fatal(err)
	}
	if len(reads) == 0 {
		t.Fatal("found no resolver that reads a source: the scan is broken")
	}
	once := readOnce(schema)
	for _, r := range reads {
		def := schema.Types[r.typeName]
		if def == nil {
			continue
		}
		fd := fieldOfGo(def, r.method)
		if fd == nil || once[def.Name] || fd.Directives.ForName("unbatched") != nil {
			continue
		}
		if !plan.Loads(def.Name, fd.Name) {
			t.Errorf("%s.%s reads %s per parent object, and the plan has no step for it: mark it @loads(endpoint: ...) in the schema, or @unbatched(reason: ...) when the source has no batch form of the read", def.Name, fd.Name, r.what)
		}
	}
}

// read is a resolver method that reads a source.
type read struct {
	typeName, method, what string
}

// sourceReads lists the resolver methods of the package that reach a
// source: an object of a shared/sources package or a connector.Endpoint,
// in their bodies or in the bodies of the package's or shared/resolve's
// functions they call.
func sourceReads(dir, pkgPath string) ([]read, error) {
	const resolvePath = "github.com/tandemgw/tandem/shared/resolve"
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedTypesInfo, Dir: dir}, pkgPath, resolvePath)
	if err != nil {
		return nil, err
	}
	decls := map[*types.Func]*ast.FuncDecl{}
	infos := map[*ast.FuncDecl]*types.Info{}
	var methods []*ast.FuncDecl
	for _, p := range pkgs {
		if len(p.Errors) > 0 {
			return nil, fmt.Errorf("%s: %v", p.PkgPath, p.Errors[0])
		}
		for _, file := range p.Syntax {
			for _, d := range file.Decls {
				fd, ok := d.(*ast.FuncDecl)
				if !ok || fd.Body == nil {
					continue
				}
				if fn, ok := p.TypesInfo.Defs[fd.Name].(*types.Func); ok {
					decls[fn] = fd
				}
				infos[fd] = p.TypesInfo
				if p.PkgPath == pkgPath && fd.Recv != nil && strings.HasSuffix(recvName(fd), "Resolver") {
					methods = append(methods, fd)
				}
			}
		}
	}
	// reaches says what source object fd reaches, "" when none.
	memo := map[*ast.FuncDecl]string{}
	var reaches func(fd *ast.FuncDecl) string
	reaches = func(fd *ast.FuncDecl) string {
		if v, ok := memo[fd]; ok {
			return v
		}
		memo[fd] = "" // a cycle reaches nothing new
		found := ""
		info := infos[fd]
		ast.Inspect(fd.Body, func(n ast.Node) bool {
			id, ok := n.(*ast.Ident)
			if !ok || found != "" {
				return found == ""
			}
			obj := info.Uses[id]
			if obj == nil || obj.Pkg() == nil {
				return true
			}
			if strings.HasPrefix(obj.Pkg().Path(), sourcesPrefix) {
				found = obj.Pkg().Name() + "." + obj.Name()
			} else if v, ok := obj.(*types.Var); ok && isEndpoint(v.Type()) {
				found = obj.Name()
			} else if fn, ok := obj.(*types.Func); ok && decls[fn] != nil && decls[fn] != fd {
				found = reaches(decls[fn])
			}
			return found == ""
		})
		memo[fd] = found
		return found
	}
	var out []read
	for _, m := range methods {
		if what := reaches(m); what != "" {
			typeName := strings.TrimSuffix(recvName(m), "Resolver")
			out = append(out, read{typeName: strings.ToUpper(typeName[:1]) + typeName[1:], method: m.Name.Name, what: what})
		}
	}
	return out, nil
}

func recvName(fd *ast.FuncDecl) string {
	e := fd.Recv.List[0].Type
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func isEndpoint(t types.Type) bool {
	p, ok := t.(*types.Pointer)
	if !ok {
		return false
	}
	n, ok := p.Elem().(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == connectorPath && n.Obj().Name() == "Endpoint"
}

// fieldOfGo is the field of def whose resolver method is named method.
func fieldOfGo(def *gqlast.Definition, method string) *gqlast.FieldDefinition {
	for _, fd := range def.Fields {
		if strings.EqualFold(fd.Name, method) {
			return fd
		}
	}
	return nil
}

// readOnce lists the types whose objects a response holds at most once:
// the root types, and the types that only non-list fields of such types
// return (the viewer, the home screen).
func readOnce(schema *gqlast.Schema) map[string]bool {
	once := map[string]bool{}
	for _, root := range []*gqlast.Definition{schema.Query, schema.Mutation, schema.Subscription} {
		if root != nil {
			once[root.Name] = true
		}
	}
	for changed := true; changed; {
		changed = false
		for _, def := range schema.Types {
			if once[def.Name] || def.Kind != gqlast.Object || def.BuiltIn {
				continue
			}
			single, seen := true, false
			for _, parent := range schema.Types {
				for _, fd := range parent.Fields {
					if fd.Type.Name() != def.Name {
						continue
					}
					seen = true
					if !once[parent.Name] || fd.Type.Elem != nil {
						single = false
					}
				}
			}
			if seen && single {
				once[def.Name] = true
				changed = true
			}
		}
	}
	return once
}

// CheckInline fails t for every field of Batched whose level does not
// resolve inline: for each, it builds the shortest query that reaches the
// field's type along fields the plan's walk follows and selects the field,
// and asks the plan which levels run inline. The level holding the field
// must: the plan loads it, so nothing on that level waits for a call of
// its own.
func CheckInline(t *testing.T, plan *prefetch.Plan, es graphql.ExecutableSchema, concurrent map[string]map[string]execution.FieldKind) {
	t.Helper()
	schema := es.Schema()
	paths := walkPaths(plan, schema, concurrent)
	checked := 0
	for _, f := range Batched(schema) {
		typeName, field, _ := strings.Cut(f, ".")
		path, ok := paths[typeName]
		if !ok {
			t.Errorf("%s: no query reaches %s along fields the plan walks", f, typeName)
			continue
		}
		query, level := queryFor(schema, path, schema.Types[typeName].Fields.ForName(field))
		doc, errs := gqlparser.LoadQueryWithRules(schema, query, rules.NewDefaultRules())
		if len(errs) > 0 {
			t.Errorf("%s: %s: %v", f, query, errs)
			continue
		}
		got := plan.InlineLevels(&graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]})
		if !slices.Contains(got, level) {
			t.Errorf("%s: the level %q of %s does not resolve inline (inline: %v)", f, level, query, got)
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no batched field checked")
	}
	t.Logf("%d batched fields resolve inline on their levels", checked)
}

// hop is one field of a path from the query root.
type hop struct {
	parent string
	field  *gqlast.FieldDefinition
}

// walkPaths finds, for every object type the plan's walk reaches from
// the query root, the shortest path of fields to it: a root field, then
// fields the walk follows (the plan's steps and Vias, and resolvers whose
// objects the plan has steps for, which the observer walks).
func walkPaths(plan *prefetch.Plan, schema *gqlast.Schema, concurrent map[string]map[string]execution.FieldKind) map[string][]hop {
	paths := map[string][]hop{}
	queue := []string{}
	visit := func(from string, fd *gqlast.FieldDefinition) {
		child := schema.Types[fd.Type.Name()]
		if child == nil || child.Kind != gqlast.Object {
			return
		}
		if _, seen := paths[child.Name]; seen || requiresInput(schema, fd) {
			return
		}
		paths[child.Name] = append(slices.Clone(paths[from]), hop{from, fd})
		queue = append(queue, child.Name)
	}
	for _, fd := range schema.Query.Fields {
		if !strings.HasPrefix(fd.Name, "__") {
			visit(schema.Query.Name, fd)
		}
	}
	for len(queue) > 0 {
		typeName := queue[0]
		queue = queue[1:]
		steps := plan.Steps(typeName)
		for _, fd := range schema.Types[typeName].Fields {
			child := fd.Type.Name()
			walked := slices.Contains(steps, fd.Name) || concurrent[typeName][fd.Name]&execution.Resolver != 0 && len(plan.Steps(child)) > 0
			if walked {
				visit(typeName, fd)
			}
		}
	}
	return paths
}

// requiresInput reports a field with a required argument of an input
// object type, which the built queries do not make up.
func requiresInput(schema *gqlast.Schema, fd *gqlast.FieldDefinition) bool {
	for _, a := range fd.Arguments {
		if a.Type.NonNull && a.DefaultValue == nil {
			if d := schema.Types[a.Type.Name()]; d != nil && d.Kind == gqlast.InputObject {
				return true
			}
		}
	}
	return false
}

// queryFor is the query of path then last, and the response path of the
// level last is on.
func queryFor(schema *gqlast.Schema, path []hop, last *gqlast.FieldDefinition) (query, level string) {
	var open, names []string
	for _, h := range path {
		open = append(open, h.field.Name+arguments(schema, h.field))
		names = append(names, h.field.Name)
	}
	leaf := last.Name + arguments(schema, last)
	if d := schema.Types[last.Type.Name()]; d != nil && (d.Kind == gqlast.Object || d.Kind == gqlast.Interface || d.Kind == gqlast.Union) {
		leaf += " { __typename }"
	}
	q := leaf
	for i := len(open) - 1; i >= 0; i-- {
		q = open[i] + " { " + q + " }"
	}
	return "{ " + q + " }", strings.Join(names, ".")
}

// arguments are literal values for the required arguments of fd.
func arguments(schema *gqlast.Schema, fd *gqlast.FieldDefinition) string {
	var args []string
	for _, a := range fd.Arguments {
		if !a.Type.NonNull || a.DefaultValue != nil {
			continue
		}
		v := `"x"`
		switch d := schema.Types[a.Type.Name()]; {
		case a.Type.Elem != nil:
			v = "[]"
		case a.Type.Name() == "Int":
			v = "1"
		case a.Type.Name() == "Float":
			v = "1.0"
		case a.Type.Name() == "Boolean":
			v = "true"
		case d != nil && d.Kind == gqlast.Enum && len(d.EnumValues) > 0:
			v = d.EnumValues[0].Name
		}
		args = append(args, a.Name+": "+v)
	}
	if len(args) == 0 {
		return ""
	}
	return "(" + strings.Join(args, ", ") + ")"
}
