package gqlplugin

import (
	"fmt"
	"go/ast"
	"go/types"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/templates"
	gqlast "github.com/vektah/gqlparser/v2/ast"
	"golang.org/x/tools/go/packages"
)

// This file writes the schema's batching plan (Plan in the plugin's
// output): a step for every field that reads an endpoint, @rest and @grpc
// fields keyed by their parent and the hand-written fields marked @loads,
// and a Via for every plain field that leads to more of them. It also
// binds a directive to a source's endpoint when both make the same call,
// so that a resource has one cache per request.

// Directives of the batching plan: @loads marks a hand-written resolver
// that reads an endpoint, @unbatched one that reads a source per parent
// because the source has no batch form.
const (
	dirLoads     = "loads"
	dirUnbatched = "unbatched"
)

// pkgMarket is where a step's $market facts come from.
const pkgMarket = "github.com/tandemgw/tandem/shared/market"

// loadsField is one hand-written resolver field marked @loads.
type loadsField struct {
	Type, Name string
	Pos        *gqlast.Position
	Endpoint   string   // "catalog.ProductsByID"
	Key        string   // the parent's field holding the key
	Args       []string // "$args.first", "$market.currency"
	Omits      []string // the fields of the field's type a brief view lacks
}

var loadsArg = regexp.MustCompile(`^\$(args\.[A-Za-z_][A-Za-z0-9_]*|market\.currency)$`)

// parseLoads reads the schema's @loads fields.
func parseLoads(s *gqlast.Schema) ([]*loadsField, error) {
	var out []*loadsField
	var errs []string
	for _, def := range s.Types {
		if def.Kind != gqlast.Object || def.BuiltIn {
			continue
		}
		for _, fd := range def.Fields {
			d := fd.Directives.ForName(dirLoads)
			if d == nil {
				continue
			}
			fail := func(format string, args ...any) {
				errs = append(errs, fmt.Sprintf("%s:%d: %s.%s: %s", fd.Position.Src.Name, fd.Position.Line, def.Name, fd.Name, fmt.Sprintf(format, args...)))
			}
			if fd.Directives.ForName(dirREST) != nil || fd.Directives.ForName(dirGRPC) != nil {
				fail("@loads is for hand-written resolvers; a @rest or @grpc field has its step already")
				continue
			}
			lf := &loadsField{Type: def.Name, Name: fd.Name, Pos: fd.Position, Endpoint: stringArg(d, "endpoint"), Key: stringArg(d, "key")}
			if pkg, v, ok := strings.Cut(lf.Endpoint, "."); !ok || pkg == "" || !ast.IsExported(v) {
				fail("endpoint %q: want package.Endpoint, an exported connector.Endpoint of a package of shared/sources", lf.Endpoint)
				continue
			}
			for _, list := range []struct {
				name string
				out  *[]string
			}{{"args", &lf.Args}, {"briefOmits", &lf.Omits}} {
				if a := d.Arguments.ForName(list.name); a != nil && a.Value != nil {
					for _, c := range a.Value.Children {
						*list.out = append(*list.out, c.Value.Raw)
					}
				}
			}
			for _, a := range lf.Args {
				if !loadsArg.MatchString(a) {
					fail("args: %q is neither $args.<argument> nor $market.currency", a)
				} else if name, ok := strings.CutPrefix(a, "$args."); ok && fd.Arguments.ForName(name) == nil {
					fail("args: the field has no argument %q", name)
				}
			}
			if err := checkOmits(s, fd, lf.Omits); err != nil {
				fail("%v", err)
			}
			out = append(out, lf)
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return nil, fmt.Errorf("@loads:\n  %s", strings.Join(errs, "\n  "))
	}
	return out, nil
}

// sourceEndpoint is an exported connector.Endpoint of a source package.
type sourceEndpoint struct {
	ref   string // "catalog.ProductsByID"
	pkg   *types.Package
	name  string
	value types.Type // the endpoint's V
	spec  map[string]string
}

// expr is the endpoint's Go expression in the generated file.
func (g *generator) endpointExpr(e *sourceEndpoint) string {
	return g.imp(e.pkg.Path()) + "." + e.name
}

// sourceIndex is what the plan's generation reads of the Go code: the
// source packages' endpoints and the resolver package's functions, loaded
// together so that their types compare.
type sourceIndex struct {
	endpoints map[string]*sourceEndpoint // by ref
	resolver  *types.Package
}

// loadSourceIndex loads the source packages and the resolver package.
func loadSourceIndex(dir, resolverPath string) (*sourceIndex, error) {
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedTypes | packages.NeedSyntax | packages.NeedImports | packages.NeedDeps, Dir: dir}, strings.TrimSuffix(SourcesPackage, "/")+"/...", resolverPath)
	if err != nil {
		return nil, err
	}
	idx := &sourceIndex{endpoints: map[string]*sourceEndpoint{}}
	for _, p := range pkgs {
		if p.PkgPath == resolverPath {
			idx.resolver = p.Types
			continue
		}
		if p.Types == nil {
			continue
		}
		for _, file := range p.Syntax {
			for _, decl := range file.Decls {
				gd, ok := decl.(*ast.GenDecl)
				if !ok {
					continue
				}
				for _, s := range gd.Specs {
					vs, ok := s.(*ast.ValueSpec)
					if !ok || len(vs.Names) != 1 || len(vs.Values) != 1 || !vs.Names[0].IsExported() {
						continue
					}
					v, ok := p.Types.Scope().Lookup(vs.Names[0].Name).(*types.Var)
					if !ok {
						continue
					}
					value := endpointValue(v.Type())
					if value == nil {
						continue
					}
					idx.endpoints[p.Name+"."+v.Name()] = &sourceEndpoint{ref: p.Name + "." + v.Name(), pkg: p.Types, name: v.Name(), value: value, spec: specOf(vs.Values[0])}
				}
			}
		}
	}
	if idx.resolver == nil {
		return nil, fmt.Errorf("could not load the resolver package %s", resolverPath)
	}
	return idx, nil
}

// endpointValue is V of t when t is *connector.Endpoint[V], else nil.
func endpointValue(t types.Type) types.Type {
	p, ok := t.(*types.Pointer)
	if !ok {
		return nil
	}
	n, ok := p.Elem().(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != pkgConnector || n.Obj().Name() != "Endpoint" || n.TypeArgs().Len() != 1 {
		return nil
	}
	return n.TypeArgs().At(0)
}

// specOf reads the string fields of an endpoint literal's Spec.
func specOf(e ast.Expr) map[string]string {
	out := map[string]string{}
	if u, ok := e.(*ast.UnaryExpr); ok {
		e = u.X
	}
	lit, ok := e.(*ast.CompositeLit)
	if !ok {
		return out
	}
	for _, el := range lit.Elts {
		kv, ok := el.(*ast.KeyValueExpr)
		if !ok || fmt.Sprint(kv.Key) != "Spec" {
			continue
		}
		spec, ok := kv.Value.(*ast.CompositeLit)
		if !ok {
			continue
		}
		for _, sel := range spec.Elts {
			if kv, ok := sel.(*ast.KeyValueExpr); ok {
				if b, ok := kv.Value.(*ast.BasicLit); ok {
					if s, err := strconv.Unquote(b.Value); err == nil {
						out[fmt.Sprint(kv.Key)] = s
					}
				}
			}
		}
	}
	return out
}

var anyPlaceholder = regexp.MustCompile(`\{\$[^}]*\}`)

// callSig identifies a batch call the way a directive and an endpoint's
// Spec both state it: the source, the batch path (its placeholders all
// alike) or the method, and the key of an item.
func callSig(source, batch, method, key string) string {
	if batch != "" {
		return source + "|GET " + anyPlaceholder.ReplaceAllString(batch, "{}") + "|" + key
	}
	return source + "|" + method + "|" + key
}

// bindEndpoints finds, for every generated field whose call a source
// package's endpoint makes too, that endpoint: the field reads through it,
// and the request has one cache of the resource.
func (g *generator) bindEndpoints() {
	g.bound = map[*field]*sourceEndpoint{}
	bySig := map[string]*sourceEndpoint{}
	refs := make([]string, 0, len(g.index.endpoints))
	for ref := range g.index.endpoints {
		refs = append(refs, ref)
	}
	sort.Strings(refs)
	for _, ref := range refs {
		e := g.index.endpoints[ref]
		if e.spec["Key"] == "" || e.spec["Batch"] == "" && e.spec["Method"] == "" {
			continue
		}
		src := strings.TrimPrefix(e.pkg.Path(), SourcesPackage)
		bySig[callSig(src, e.spec["Batch"], e.spec["Method"], e.spec["Key"])] = e
	}
	for _, gf := range g.fields {
		var sig string
		switch f := gf.f; {
		case len(f.Args) > 0 || len(f.At) > 0:
			continue
		case f.REST != nil && f.REST.Batch != nil:
			sig = callSig(f.Source, f.REST.Batch.Raw, "", f.REST.ItemKey)
		case f.GRPC != nil && f.GRPC.ItemKey != "":
			sig = callSig(f.Source, "", f.GRPC.Method, f.GRPC.ItemKey)
		default:
			continue
		}
		e := bySig[sig]
		if e == nil {
			continue
		}
		if gf.f.REST != nil && gf.f.REST.Brief != "" && gf.f.REST.Brief != e.spec["Brief"] {
			g.fail(gf, "reads %s, whose brief view is %q, not %q", e.ref, e.spec["Brief"], gf.f.REST.Brief)
			continue
		}
		if g.convertFrom(e.value, gf.cf.TypeReference.GO) == "" {
			g.fail(gf, "reads %s (%s): write a func(%s) %s in the resolver package to convert its values", e.ref, types.TypeString(e.value, nil), types.TypeString(e.value, nil), types.TypeString(gf.cf.TypeReference.GO, nil))
			continue
		}
		g.bound[gf.f] = e
	}
}

// convertFrom is the Go expression that turns a value of type from into
// one of type to ("" when none is known): nothing when they are the same
// type, else a function of the resolver package of that signature.
func (g *generator) convertFrom(from, to types.Type) string {
	if types.TypeString(from, nil) == types.TypeString(to, nil) {
		return "="
	}
	scope := g.index.resolver.Scope()
	var found []string
	for _, name := range scope.Names() {
		fn, ok := scope.Lookup(name).(*types.Func)
		if !ok {
			continue
		}
		sig := fn.Type().(*types.Signature)
		if sig.Params().Len() == 1 && sig.Results().Len() == 1 && types.Identical(sig.Params().At(0).Type(), from) && types.TypeString(sig.Results().At(0).Type(), nil) == types.TypeString(to, nil) {
			found = append(found, name)
		}
	}
	if len(found) != 1 {
		return ""
	}
	return found[0]
}

// step is one plan step to write.
type step struct {
	typeName, field string
	parent          types.Type // the parent's Go type
	endpoint        string     // Go expression
	value           types.Type // the endpoint's V
	key             string     // Go expression of the key of parent "obj"
	args            string     // Go expression of Step.Args, or ""
	omits           string     // Go expression of Step.Omits, or ""
	result          types.Type // the field's Go type
	needs           []string
}

// steps lists the plan's steps: the generated fields keyed by their
// parent, then the @loads fields.
func (g *generator) steps() []step {
	var out []step
	for _, gf := range g.fields {
		if gf.f.Key.Scope != "parent" {
			continue
		}
		s := step{typeName: gf.f.Type, field: gf.f.Name, parent: gf.obj.Reference(), result: gf.cf.TypeReference.GO, key: g.keyExpr(gf, "obj")}
		if e := g.bound[gf.f]; e != nil {
			s.endpoint, s.value = g.endpointExpr(e), e.value
			if gf.f.REST != nil && len(gf.f.REST.BriefOmits) > 0 {
				s.omits = g.omitsVar(gf)
			}
		} else {
			s.endpoint, s.value = g.endpointName(gf), gf.cf.TypeReference.GO
		}
		if len(gf.f.Args) > 0 {
			q := make([]string, len(gf.f.Args))
			for i, a := range gf.f.Args {
				q[i] = strconv.Quote(a)
			}
			s.args = g.imp(pkgConnector) + ".FieldArgs(" + strings.Join(q, ", ") + ")"
		}
		out = append(out, s)
	}
	for _, lf := range g.loads {
		obj, cf := findField(g.data, &field{Type: lf.Type, Name: lf.Name})
		fail := func(format string, args ...any) {
			g.errs = append(g.errs, fmt.Sprintf("%s:%d: %s.%s: %s", lf.Pos.Src.Name, lf.Pos.Line, lf.Type, lf.Name, fmt.Sprintf(format, args...)))
		}
		if cf == nil {
			fail("not in the schema's objects")
			continue
		}
		e := g.index.endpoints[lf.Endpoint]
		if e == nil {
			fail("@loads(endpoint: %q): no such exported connector.Endpoint in %s*", lf.Endpoint, SourcesPackage)
			continue
		}
		gf := generated{f: &field{Type: lf.Type, Name: lf.Name, Pos: lf.Pos, Key: ref{Scope: "parent", Name: lf.Key}}, obj: obj, cf: cf}
		s := step{typeName: lf.Type, field: lf.Name, parent: obj.Reference(), endpoint: g.endpointExpr(e), value: e.value, result: cf.TypeReference.GO, key: g.keyExpr(gf, "obj")}
		if len(lf.Omits) > 0 {
			s.omits = g.literal(lf.Omits)
		}
		s.args, s.needs = g.loadsArgs(lf.Args)
		out = append(out, s)
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].typeName+"."+out[i].field < out[j].typeName+"."+out[j].field
	})
	return out
}

// loadsArgs is the Step.Args of a @loads field's args, and the facts they
// need.
func (g *generator) loadsArgs(args []string) (string, []string) {
	if len(args) == 0 {
		return "", nil
	}
	var names, exprs, needs []string
	for _, a := range args {
		if name, ok := strings.CutPrefix(a, "$args."); ok {
			exprs = append(exprs, fmt.Sprintf("fa[%d]", len(names)))
			names = append(names, strconv.Quote(name))
			continue
		}
		exprs = append(exprs, g.imp(pkgMarket)+".For(ctx).Currency")
		if len(needs) == 0 {
			needs = append(needs, "market")
		}
	}
	if len(needs) == 0 {
		return g.imp(pkgConnector) + ".FieldArgs(" + strings.Join(names, ", ") + ")", nil
	}
	body := ""
	if len(names) > 0 {
		body = fmt.Sprintf("fa := %s.CollectedArgs(ctx, f, %s)\n\t\t\t", g.imp(pkgConnector), strings.Join(names, ", "))
	}
	return fmt.Sprintf("func(ctx %s.Context, f %s.CollectedField) ([]string, bool) {\n\t\t\t%sreturn []string{%s}, true\n\t\t}", g.imp("context"), g.imp("github.com/99designs/gqlgen/graphql"), body, strings.Join(exprs, ", ")), needs
}

func (g *generator) literal(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = strconv.Quote(s)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}

// omitsVar names the package variable holding a bound field's briefOmits.
func (g *generator) omitsVar(gf generated) string {
	return templates.LcFirst(gf.obj.Name) + templates.UcFirst(gf.cf.GoFieldName) + "Omits"
}

// plan writes Plan: every step, and the Vias that lead the walk to them.
func (g *generator) plan() {
	steps, keyed := g.steps(), g.keyed
	pf, conn := g.imp(pkgPrefetch), g.imp(pkgConnector)
	exec := g.imp(g.data.Config.Exec.ImportPath())
	g.p("// Plan is the schema's batching plan (see shared/prefetch): a step for\n// every field that reads an endpoint (@rest and @grpc fields keyed by\n// their parent, and the hand-written resolvers marked @loads), and a Via\n// for every plain field that leads to more of them. A level of parents is\n// read in one call per field before its resolvers run.\nfunc Plan() *%s.Plan {\n\tp := %s.New().RunInline(%s.ConcurrentFields)\n", pf, pf, exec)
	for _, s := range steps {
		child, flatten := g.children(s.result)
		leads := child != "" && g.leadsTo(s.result, keyed)
		ct := "struct{}"
		if leads {
			ct = child
		}
		g.p("\t%s.Prefetch(p, %q, %q, %s.Step[%s, %s, %s]{\n\t\tEndpoint: %s,\n\t\tKey:      func(obj %s) string { return %s },\n", conn, s.typeName, s.field, conn, g.typ(s.parent), g.typ(s.value), ct, s.endpoint, g.typ(s.parent), s.key)
		if s.args != "" {
			g.p("\t\tArgs: %s,\n", s.args)
		}
		if s.omits != "" {
			g.p("\t\tOmits: %s,\n", s.omits)
		}
		if leads {
			g.p("\t\tChildren: %s,\n", g.childrenFunc(s, child, flatten))
		}
		if len(s.needs) > 0 {
			g.p("\t\tNeeds: %s,\n", g.literal(s.needs))
		}
		g.p("\t})\n")
	}
	g.vias(keyed)
	g.p("\treturn p\n}\n\n")
}

// leadsTo reports whether the objects of a field of Go type t have steps,
// or plain fields leading to some.
func (g *generator) leadsTo(t types.Type, keyed map[string]bool) bool {
	o := g.objectOf(t)
	return o != nil && g.reaches(o, keyed, map[*codegen.Object]bool{})
}

// childrenFunc is Step.Children of s: the value's objects, converted to
// the field's type when the endpoint's values are a source's.
func (g *generator) childrenFunc(s step, child string, flatten bool) string {
	vt := g.typ(s.value)
	var valueElem, resultElem types.Type = s.value, s.result
	if flatten {
		if sl, ok := s.value.(*types.Slice); ok {
			valueElem = sl.Elem()
		}
		resultElem = s.result.(*types.Slice).Elem()
	}
	conv := g.convertFrom(valueElem, resultElem)
	ctx, cn := g.imp("context"), g.imp(pkgConnector)
	switch {
	case conv == "":
		g.errs = append(g.errs, fmt.Sprintf("%s.%s: its step walks on into %s: write a func(%s) %s in the resolver package to convert the endpoint's values", s.typeName, s.field, child, types.TypeString(valueElem, nil), types.TypeString(resultElem, nil)))
		return "nil"
	case conv == "=" && flatten:
		return fmt.Sprintf("func(_ %s.Context, v %s, out []%s) []%s { return append(out, v...) }", ctx, vt, child, child)
	case conv == "=":
		return fmt.Sprintf("func(_ %s.Context, v %s, out []%s) []%s { return append(out, v) }", ctx, vt, child, child)
	case flatten:
		return fmt.Sprintf("func(ctx %s.Context, v %s, out []%s) []%s {\n\t\t\tfor _, x := range v {\n\t\t\t\tout = append(out, %s.Convert(ctx, x, %s))\n\t\t\t}\n\t\t\treturn out\n\t\t}", ctx, vt, child, child, cn, conv)
	}
	return fmt.Sprintf("func(ctx %s.Context, v %s, out []%s) []%s { return append(out, %s.Convert(ctx, v, %s)) }", ctx, vt, child, child, cn, conv)
}
