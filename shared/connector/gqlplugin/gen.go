package gqlplugin

import (
	"fmt"
	"go/types"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/templates"
)

var stringType = types.Typ[types.String]

// Import paths of the runtime the generated code calls.
const (
	pkgConnector = "github.com/tandemgw/tandem/shared/connector"
	pkgUpstream  = "github.com/tandemgw/tandem/shared/upstream"
	pkgPrefetch  = "github.com/tandemgw/tandem/shared/prefetch"
	pkgRegistry  = "github.com/tandemgw/tandem/shared/registry"
	pkgResolve   = "github.com/tandemgw/tandem/shared/resolve"
)

// generated is one field the plugin implements.
type generated struct {
	f   *field
	obj *codegen.Object
	cf  *codegen.Field
}

// generator writes the plugin's file.
type generator struct {
	data    *codegen.Data
	written map[string]bool
	fields  []generated
	sources []declaredSource
	reached map[string]bool // hand-written source packages the resolvers reach
	grpc    *protoIndex
	mappers map[string]bool

	index *sourceIndex               // the source packages' endpoints
	bound map[*field]*sourceEndpoint // fields that read a source's endpoint
	keyed map[string]bool            // the types the plan has steps for
	loads []*loadsField              // hand-written fields marked @loads

	endpoints map[string]string   // call (callOf) -> endpoint variable
	callers   map[string][]string // call -> the fields that make it
	pending   []string            // mapping functions, written at the end

	b    strings.Builder
	errs []string
}

func (g *generator) write(filename string) error {
	sort.Slice(g.fields, func(i, j int) bool {
		a, b := g.fields[i], g.fields[j]
		return a.f.Type+"."+a.f.Name < b.f.Type+"."+b.f.Name
	})
	var renderErr error
	err := templates.Render(templates.Options{
		PackageName:     g.data.Config.Resolver.Package,
		Filename:        filename,
		GeneratedHeader: true,
		FileNotice:      "// Generated from the schema's @source, @rest, @grpc and @loads directives by\n// shared/connector/gqlplugin (make generate). Do not edit: change the\n// directive, or write a resolver for the field in another file of this\n// package, which then wins.",
		Packages:        g.data.Config.Packages,
		Template:        `{{ .Body }}`,
		Data: bodyFunc(func() string {
			s, err := g.body()
			renderErr = err
			return s
		}),
	})
	if renderErr != nil {
		return renderErr
	}
	return err
}

// bodyFunc lets the template call back into the generator while gqlgen's
// import tracker (templates.CurrentImports) is live.
type bodyFunc func() string

func (f bodyFunc) Body() string { return f() }

func (g *generator) imp(path string) string  { return templates.CurrentImports.Lookup(path) }
func (g *generator) typ(t types.Type) string { return templates.CurrentImports.LookupType(t) }

func (g *generator) p(format string, args ...any) { fmt.Fprintf(&g.b, format, args...) }

func (g *generator) fail(gf generated, format string, args ...any) {
	g.errs = append(g.errs, fmt.Sprintf("%s:%d: %s.%s: %s", gf.f.Pos.Src.Name, gf.f.Pos.Line, gf.f.Type, gf.f.Name, fmt.Sprintf(format, args...)))
}

func (g *generator) body() (string, error) {
	idx, err := loadSourceIndex(g.data.Config.Resolver.Dir(), g.data.Config.Resolver.ImportPath())
	if err != nil {
		return "", err
	}
	g.index = idx
	g.bindEndpoints()
	g.nameEndpoints()
	g.keyed = map[string]bool{}
	for _, s := range g.steps() {
		g.keyed[s.typeName] = true
	}
	g.sourceLists()
	for _, gf := range g.fields {
		g.field(gf)
	}
	g.plan()
	g.resolverRoots()
	g.flushMappers()
	if len(g.errs) > 0 {
		return "", fmt.Errorf("source directives:\n  %s", strings.Join(g.errs, "\n  "))
	}
	return g.b.String(), nil
}

func (g *generator) sourceLists() {
	ids := map[string]bool{}
	for _, gf := range g.fields {
		ids[gf.f.Source] = true
	}
	list := make([]string, 0, len(ids))
	for id := range ids {
		list = append(list, strconv.Quote(id))
	}
	sort.Strings(list)
	declared := map[string]bool{}
	for _, s := range g.sources {
		declared[s.Name] = true
	}
	for id := range g.reached {
		if !ids[id] {
			ids[id] = true
			list = append(list, strconv.Quote(id))
		}
	}
	sort.Strings(list)
	g.p("// RequiredSources are the sources this schema's resolvers read: those of\n// its directives and those the hand-written resolvers reach. The gateway\n// refuses to start without every one.\nvar RequiredSources = []string{%s}\n\n", strings.Join(list, ", "))
	var eps []string
	for _, gf := range g.fields {
		name := g.endpointName(gf)
		if e := g.bound[gf.f]; e != nil {
			name = g.endpointExpr(e)
		}
		if !slices.Contains(eps, "\t"+name+",\n") {
			eps = append(eps, "\t"+name+",\n")
		}
	}
	g.p("// ConnectorEndpoints are the endpoints the directives read (generated,\n// or a source's that makes the same call), for contract tests.\nvar ConnectorEndpoints = []%s.Described{\n%s}\n\n", g.imp(pkgConnector), strings.Join(eps, ""))
	reg, conn := g.imp(pkgRegistry), g.imp(pkgConnector)
	g.p("// Sources register every source in RequiredSources: the hand-written\n// packages under shared/sources, and the backends declared with @source,\n// whose clients the registry builds from the config. main and the tests\n// register this list; nothing else lists sources.\nvar Sources = []func(*%s.Registry) error{\n", reg)
	for _, q := range list {
		id, _ := strconv.Unquote(q)
		if declared[id] {
			continue
		}
		g.p("\t%s.Register,\n", g.imp(SourcesPackage+id))
	}
	for _, s := range g.sources {
		kind := strings.ToUpper(s.Kind)
		if kind != "REST" && kind != "GRPC" {
			g.errs = append(g.errs, fmt.Sprintf("@source(name: %q): kind must be REST or GRPC, not %q", s.Name, s.Kind))
		}
		g.p("\t%s.Declare(%q, %s.%s, %q),\n", conn, s.Name, reg, kind, s.Address)
	}
	g.p("}\n\n")
}

// endpointName is the Go name of a field's endpoint variable: fields that
// make the same call (catalog's batch of products for order lines, cart
// lines and wishlist items) share one endpoint, named after the first, and
// so one loader per request.
func (g *generator) endpointName(gf generated) string {
	return g.endpoints[g.callOf(gf)]
}

// callOf identifies the call a field makes: its source, its value type and
// its directive with the key's origin left out.
func (g *generator) callOf(gf generated) string {
	key := "{$" + gf.f.Key.Scope + "." + gf.f.Key.Name + "}"
	spec := strings.ReplaceAll(specLiteral("c", gf.f), key, "{$key}")
	return gf.f.Source + "|" + types.TypeString(gf.cf.TypeReference.GO, nil) + "|" + spec
}

// nameEndpoints gives every distinct call its endpoint name and the fields
// that make it.
func (g *generator) nameEndpoints() {
	g.endpoints, g.callers = map[string]string{}, map[string][]string{}
	for _, gf := range g.fields {
		c := g.callOf(gf)
		if _, ok := g.endpoints[c]; !ok {
			g.endpoints[c] = templates.LcFirst(gf.obj.Name) + templates.UcFirst(gf.cf.GoFieldName)
		}
		g.callers[c] = append(g.callers[c], gf.f.Type+"."+gf.f.Name)
	}
}

func (g *generator) field(gf generated) {
	name := g.endpointName(gf)
	vt := g.typ(gf.cf.TypeReference.GO)
	conn := g.imp(pkgConnector)

	// The resolver.
	g.p("// %s resolves %s.%s from %s (%s).\n", gf.cf.GoFieldName, gf.f.Type, gf.f.Name, gf.f.Source, describe(gf.f))
	g.p("func (r *%s) %s%s {\n", resolverType(gf.obj.Name), gf.cf.GoFieldName, gf.cf.ShortResolverDeclaration())
	key := g.keyExpr(gf, "obj")
	if gf.f.Key.Scope == "viewer" {
		if gf.cf.TypeReference.GQL.NonNull {
			g.p("\tkey, err := %s.ViewerID(ctx)\n\tif err != nil {\n\t\tvar zero %s\n\t\treturn zero, err\n\t}\n", g.imp(pkgResolve), vt)
		} else {
			// Nullable: an anonymous caller gets null (@authenticated
			// makes it an error instead).
			g.p("\tkey, ok := %s.SignedIn(ctx)\n\tif !ok {\n\t\tvar zero %s\n\t\treturn zero, nil\n\t}\n", g.imp(pkgResolve), vt)
		}
		key = "key"
	}
	args := []string{"ctx", key}
	for _, a := range gf.f.Args {
		args = append(args, conn+".Arg("+g.argVar(gf, a)+")")
	}
	if e := g.bound[gf.f]; e != nil {
		// A source's endpoint makes this call: read through it, and
		// convert its value.
		omits := "nil"
		if len(gf.f.REST.BriefOmitsOrNil()) > 0 {
			omits = g.omitsVar(gf)
		}
		conv := g.convertFrom(e.value, gf.cf.TypeReference.GO)
		if conv == "=" {
			g.p("\treturn %s.LoadFor(ctx, %s, %s)\n}\n\n", g.endpointExpr(e), omits, strings.Join(args[1:], ", "))
		} else {
			// A value the field's step walks on into is converted once
			// per request, so that the walk knows the object returned
			// here.
			ret := conv + "(v)"
			if gf.f.Key.Scope == "parent" && g.leadsTo(gf.cf.TypeReference.GO, g.keyed) {
				ret = conn + ".Convert(ctx, v, " + conv + ")"
			}
			g.p("\tv, err := %s.LoadFor(ctx, %s, %s)\n\tif err != nil {\n\t\treturn nil, err\n\t}\n\treturn %s, nil\n}\n\n", g.endpointExpr(e), omits, strings.Join(args[1:], ", "), ret)
		}
		if omits != "nil" {
			g.p("// %s are the fields of %s that %s's brief view leaves out.\nvar %s = %s\n\n", omits, gf.cf.TypeReference.GQL.Name(), e.ref, omits, g.literal(gf.f.REST.BriefOmits))
		}
		return
	}
	g.p("\treturn %s.Load(%s)\n}\n\n", name, strings.Join(args, ", "))

	// The endpoint, written with the first field that makes its call.
	callers := g.callers[g.callOf(gf)]
	if callers[0] != gf.f.Type+"."+gf.f.Name {
		return
	}
	g.p("var %s = &%s.Endpoint[%s]{\n\tSource: %q,\n\tField:  %q,\n\tSpec:   %s,\n\tFetch: ", name, conn, vt, gf.f.Source, strings.Join(callers, ", "), specLiteral(conn, gf.f))
	// Types the fetch function decodes into are written after the
	// endpoint.
	saved := g.b
	g.b = strings.Builder{}
	var fetch string
	if gf.f.REST != nil {
		fetch = g.restFetch(gf, name, vt)
	} else {
		fetch = g.grpcFetch(gf, name, vt)
	}
	decls := g.b.String()
	g.b = saved
	g.p("%s}\n\n%s", fetch, decls)
}

// specLiteral is the connector.Spec of f as a Go literal.
func specLiteral(conn string, f *field) string {
	var parts []string
	add := func(name, v string) {
		if v != "" {
			parts = append(parts, name+": "+strconv.Quote(v))
		}
	}
	if f.REST != nil {
		add("Get", f.REST.Get.Raw)
		if f.REST.Batch != nil {
			add("Batch", f.REST.Batch.Raw)
			add("Key", f.REST.ItemKey)
		}
		add("Brief", f.REST.Brief)
	} else {
		add("Method", f.GRPC.Method)
		add("Key", f.GRPC.ItemKey)
	}
	if len(f.At) > 0 {
		q := make([]string, len(f.At))
		for i, a := range f.At {
			q[i] = strconv.Quote(a)
		}
		parts = append(parts, "At: []string{"+strings.Join(q, ", ")+"}")
	}
	if f.REST != nil && len(f.REST.BriefOmits) > 0 {
		q := make([]string, len(f.REST.BriefOmits))
		for i, o := range f.REST.BriefOmits {
			q[i] = strconv.Quote(o)
		}
		parts = append(parts, "BriefOmits: []string{"+strings.Join(q, ", ")+"}")
	}
	return conn + ".Spec{" + strings.Join(parts, ", ") + "}"
}

func describe(f *field) string {
	if f.REST != nil {
		var parts []string
		if f.REST.Get.Raw != "" {
			parts = append(parts, "GET "+f.REST.Get.Raw)
		}
		if f.REST.Batch != nil {
			parts = append(parts, "batched through GET "+f.REST.Batch.Raw+" keyed by "+f.REST.ItemKey)
		}
		return strings.Join(parts, ", ")
	}
	s := f.GRPC.Method
	if f.GRPC.Items != "" {
		s += ", " + f.GRPC.Items + " keyed by " + f.GRPC.ItemKey
	}
	return s
}

// argVar is the Go parameter of argument name in the field's resolver.
func (g *generator) argVar(gf generated, name string) string {
	for _, a := range gf.cf.Args {
		if a.Name == name {
			return a.VarName
		}
	}
	g.fail(gf, "no argument %q", name)
	return "nil"
}

// keyExpr is the Go expression of the field's key for parent variable v
// (the resolver's obj); {$viewer.id} is handled by the caller.
func (g *generator) keyExpr(gf generated, v string) string {
	switch gf.f.Key.Scope {
	case "args":
		return g.imp(pkgConnector) + ".Arg(" + g.argVar(gf, gf.f.Key.Name) + ")"
	case "parent":
		sf := structField(gf.obj.Type, gf.f.Key.Name)
		if sf == nil {
			g.fail(gf, "%s: %s has no Go field with json name %q; add one (generated models get it added)", gf.f.Key, g.typ(gf.obj.Type), gf.f.Key.Name)
			return `""`
		}
		if b, ok := sf.Type().(*types.Basic); ok && b.Kind() == types.String {
			return v + "." + sf.Name()
		}
		return g.imp(pkgConnector) + ".Arg(" + v + "." + sf.Name() + ")"
	}
	return "key"
}

// structField finds the field of struct type t (or *t) whose json name,
// or else whose Go name ignoring case, is name.
func structField(t types.Type, name string) *types.Var {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	var byName *types.Var
	for i := range st.NumFields() {
		f := st.Field(i)
		if !f.Exported() {
			continue
		}
		tag, _, _ := strings.Cut(reflect.StructTag(st.Tag(i)).Get("json"), ",")
		if tag == name {
			return f
		}
		if (tag == "" || tag == "-") && strings.EqualFold(f.Name(), name) {
			byName = f
		}
	}
	return byName
}

// valueRef is the Go expression of a placeholder inside a fetch function.
func (g *generator) valueRef(gf generated, r ref, inPath bool) string {
	var v string
	switch {
	case r.Scope == "keys":
		return "key"
	case r == gf.f.Key:
		v = "key"
	case r.Scope == "args":
		i := indexOf(gf.f.Args, r.Name)
		if i < 0 {
			g.fail(gf, "%s is not an argument of the call", r)
			return `""`
		}
		v = "args[" + strconv.Itoa(i) + "]"
	default:
		g.fail(gf, "%s cannot be used here", r)
		return `""`
	}
	if inPath {
		return g.imp(pkgUpstream) + ".PathSegment(" + v + ")"
	}
	return v
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// pathExpr is the Go expression of t's path.
func (g *generator) pathExpr(gf generated, t template) string {
	var parts []string
	for _, s := range t.Path {
		if s.Ref != nil {
			parts = append(parts, g.valueRef(gf, *s.Ref, true))
		} else {
			parts = append(parts, strconv.Quote(s.Text))
		}
	}
	return strings.Join(parts, " + ")
}

// queryExpr is the Go expression of t's query, leaving out the batch's
// keys parameter.
func (g *generator) queryExpr(gf generated, t template) string {
	var pairs []string
	for _, q := range t.Query {
		if q.IsKey {
			continue
		}
		v := strconv.Quote(q.Text)
		if q.Ref != nil {
			v = g.valueRef(gf, *q.Ref, false)
		}
		pairs = append(pairs, strconv.Quote(q.Name), v)
	}
	if len(pairs) == 0 {
		return "nil"
	}
	return g.imp(pkgConnector) + ".Query(" + strings.Join(pairs, ", ") + ")"
}

// atType writes type name: nested structs down the path at whose leaf is
// the field's value, with extra fields first; it returns the Go selector
// of the value.
func (g *generator) atType(name string, at []string, vt string, extra string) string {
	sel := ""
	g.p("type %s struct {\n%s", name, extra)
	for i, a := range at {
		goName := templates.ToGo(a)
		sel += "." + goName
		if i == len(at)-1 {
			g.p("%s %s `json:%q`\n", goName, vt, a)
		} else {
			g.p("%s struct {\n", goName)
		}
	}
	for i := len(at) - 2; i >= 0; i-- {
		g.p("} `json:%q`\n", at[i])
	}
	g.p("}\n\n")
	return sel
}

// restFetch returns the fetch function of a @rest field; the types it
// needs are written to g.b.
func (g *generator) restFetch(gf generated, name, vt string) string {
	conn := g.imp(pkgConnector)
	r := gf.f.REST
	sig := "func(ctx " + g.imp("context") + ".Context, c " + conn + ".Conn, keys, args []string) (map[string]" + vt + ", error) {\n"
	var body string
	if r.Batch != nil {
		itemType, keyX, valX := g.batchItem(gf, name, vt, r.ItemKey)
		body = fmt.Sprintf("\treturn %s.GetBatch(ctx, c, %s, %s, %q, keys, func(it %s) (string, %s) { return %s, %s })\n",
			conn, g.pathExpr(gf, *r.Batch), g.queryExpr(gf, *r.Batch), r.BatchIDs, itemType, vt, keyX, valX)
	} else {
		answer, valX := vt, "*t"
		if len(gf.f.At) > 0 {
			answer = name + "Answer"
			valX = "t" + g.atType(answer, gf.f.At, vt, "")
		}
		body = fmt.Sprintf("\treturn %s.GetEach(ctx, c, keys, func(key string) (string, %s.Values) {\n\t\treturn %s, %s\n\t}, func(t *%s) %s { return %s })\n",
			conn, g.imp("net/url"), g.pathExpr(gf, r.Get), g.queryExpr(gf, r.Get), answer, vt, valX)
	}
	return sig + body + "},\n"
}

// batchItem returns the Go type a batch item decodes into, and the
// expressions of its key and value for item variable it.
func (g *generator) batchItem(gf generated, name, vt, key string) (itemType, keyX, valX string) {
	v := gf.cf.TypeReference.GO
	if len(gf.f.At) == 0 {
		ptr, ok := v.(*types.Pointer)
		if !ok {
			g.fail(gf, "a batch item must be an object: use at to pick the field's value out of it")
			return vt, `""`, "it"
		}
		if sf := structField(ptr.Elem(), key); sf != nil {
			return vt, g.stringOf(sf, "it."+sf.Name()), "it"
		}
		elem := g.typ(ptr.Elem())
		embedded := elem[strings.LastIndex(elem, ".")+1:]
		itemType = name + "Item"
		g.p("type %s struct {\n\tKey string `json:%q`\n\t*%s\n}\n\n", itemType, key, elem)
		return "*" + itemType, "it.Key", "it." + embedded
	}
	itemType = name + "Item"
	sel := g.atType(itemType, gf.f.At, vt, fmt.Sprintf("\tKey string `json:%q`\n", key))
	return "*" + itemType, "it.Key", "it" + sel
}

func (g *generator) stringOf(v *types.Var, x string) string {
	if b, ok := v.Type().(*types.Basic); ok && b.Kind() == types.String {
		return x
	}
	return g.imp(pkgConnector) + ".Arg(" + x + ")"
}

// vias adds a Via step for every plain field that leads to an object with
// steps, directly or through more plain fields (a connection's nodes, an
// order's lines), so that the walk reaches them.
func (g *generator) vias(keyed map[string]bool) {
	pf := g.imp(pkgPrefetch)
	objs := append([]*codegen.Object(nil), g.data.Objects...)
	sort.Slice(objs, func(i, j int) bool { return objs[i].Name < objs[j].Name })
	for _, o := range objs {
		for _, f := range g.plain(o) {
			if !g.reaches(g.objectOf(f.TypeReference.GO), keyed, map[*codegen.Object]bool{}) {
				continue
			}
			child, flatten := g.children(f.TypeReference.GO)
			ret := "[]" + child + "{o." + f.GoFieldName + "}"
			if flatten {
				ret = "o." + f.GoFieldName
			}
			g.p("\t%s.Via(p, %q, %q, func(o %s) []%s { return %s })\n", pf, o.Name, f.Name, g.typ(o.Reference()), child, ret)
		}
	}
}

// plain lists the fields of o that are plain Go fields holding more
// objects.
func (g *generator) plain(o *codegen.Object) (out []*codegen.Field) {
	for _, f := range o.Fields {
		if !f.IsResolver && f.GoFieldType == codegen.GoFieldVariable {
			if child, _ := g.children(f.TypeReference.GO); child != "" && g.objectOf(f.TypeReference.GO) != nil {
				out = append(out, f)
			}
		}
	}
	return out
}

// reaches reports whether o has steps (keyed), or plain fields leading to
// an object that does.
func (g *generator) reaches(o *codegen.Object, keyed map[string]bool, seen map[*codegen.Object]bool) bool {
	if o == nil || seen[o] {
		return false
	}
	seen[o] = true
	if keyed[o.Name] {
		return true
	}
	for _, f := range g.plain(o) {
		if g.reaches(g.objectOf(f.TypeReference.GO), keyed, seen) {
			return true
		}
	}
	return false
}

// objectOf is the object a field of Go type t holds (a pointer to its
// model, or a slice of them), or nil.
func (g *generator) objectOf(t types.Type) *codegen.Object {
	if s, ok := t.(*types.Slice); ok {
		t = s.Elem()
	}
	if p, ok := t.(*types.Pointer); ok {
		return g.object(p.Elem())
	}
	return nil
}

// children is the Go type of the objects a field of type t leads to (a
// pointer to a struct, or a slice of them, flatten then true); "" when it
// leads to none.
func (g *generator) children(t types.Type) (string, bool) {
	if s, ok := t.(*types.Slice); ok {
		if p, ok := s.Elem().(*types.Pointer); ok {
			if _, ok := p.Elem().Underlying().(*types.Struct); ok {
				return g.typ(s.Elem()), true
			}
		}
		return "", false
	}
	if p, ok := t.(*types.Pointer); ok {
		if _, ok := p.Elem().Underlying().(*types.Struct); ok {
			return g.typ(t), false
		}
	}
	return "", false
}

// resolverRoots declares the resolver type of every object whose resolver
// fields are all generated: gqlgen's resolver generator leaves those out.
func (g *generator) resolverRoots() {
	done := map[string]bool{}
	for _, gf := range g.fields {
		o := gf.obj
		rt := resolverType(o.Name)
		if done[rt] {
			continue
		}
		done[rt] = true
		root := g.data.Config.Resolver.Type
		if !g.written[root+"."+o.Name] {
			g.p("// %s returns the %s resolver (generated fields only).\nfunc (r *%s) %s() %s { return &%s{r} }\n\n", o.Name, o.Name, root, o.Name, g.typ(o.ResolverInterface), rt)
		}
		if !g.written["type "+rt] {
			g.p("type %s struct{ *%s }\n\n", rt, root)
		}
	}
}
