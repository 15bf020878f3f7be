package gqlplugin

import (
	"fmt"
	"go/constant"
	"go/types"
	"reflect"
	"sort"
	"strings"

	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/templates"
	"golang.org/x/tools/go/packages"
)

// ProtoPackages is the package pattern searched for the Go code of the
// gRPC methods that @grpc names (buf generate's output).
var ProtoPackages = "github.com/tandemgw/tandem/shared/gen/..."

// protoIndex finds the generated Go client of a gRPC method from its full
// name, through the <Service>_<Method>_FullMethodName constants that
// protoc-gen-go-grpc writes.
type protoIndex struct {
	methods map[string]*protoMethod
}

type protoMethod struct {
	pkg           *types.Package
	service, name string
	req, resp     *types.Named
}

func loadProtoIndex(dir string) (*protoIndex, error) {
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedTypes, Dir: dir}, ProtoPackages)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", ProtoPackages, err)
	}
	idx := &protoIndex{methods: map[string]*protoMethod{}}
	for _, p := range pkgs {
		if p.Types == nil {
			continue
		}
		scope := p.Types.Scope()
		for _, n := range scope.Names() {
			c, ok := scope.Lookup(n).(*types.Const)
			if !ok || !strings.HasSuffix(n, "_FullMethodName") || c.Val().Kind() != constant.String {
				continue
			}
			full := strings.TrimPrefix(constant.StringVal(c.Val()), "/")
			svcMethod := strings.TrimSuffix(n, "_FullMethodName")
			svc, method, _ := strings.Cut(svcMethod, "_")
			client, ok := scope.Lookup(svc + "Client").(*types.TypeName)
			if !ok {
				continue
			}
			iface, ok := client.Type().Underlying().(*types.Interface)
			if !ok {
				continue
			}
			for i := range iface.NumMethods() {
				m := iface.Method(i)
				if m.Name() != method {
					continue
				}
				sig := m.Type().(*types.Signature)
				if sig.Params().Len() < 2 || sig.Results().Len() != 2 {
					continue // a stream
				}
				req, _ := types.Unalias(sig.Params().At(1).Type().(*types.Pointer).Elem()).(*types.Named)
				resp, _ := types.Unalias(sig.Results().At(0).Type().(*types.Pointer).Elem()).(*types.Named)
				if req != nil && resp != nil {
					idx.methods[full] = &protoMethod{pkg: p.Types, service: svc, name: method, req: req, resp: resp}
				}
			}
		}
	}
	return idx, nil
}

// protoField finds the field of message type t named name (its JSON name,
// its proto name, or its Go name ignoring case).
func protoField(t types.Type, name string) *types.Var {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := t.Underlying().(*types.Struct)
	if !ok {
		return nil
	}
	for i := range st.NumFields() {
		f := st.Field(i)
		tag := reflect.StructTag(st.Tag(i)).Get("protobuf")
		if !f.Exported() || tag == "" {
			continue
		}
		var protoName, jsonName string
		for _, part := range strings.Split(tag, ",") {
			if v, ok := strings.CutPrefix(part, "name="); ok {
				protoName = v
			}
			if v, ok := strings.CutPrefix(part, "json="); ok {
				jsonName = v
			}
		}
		if name == jsonName || name == protoName || strings.EqualFold(name, f.Name()) {
			return f
		}
	}
	return nil
}

// grpcFetch returns the fetch function of a @grpc field; the mapping
// functions it needs are written to g.b.
func (g *generator) grpcFetch(gf generated, name, vt string) string {
	if g.grpc == nil {
		idx, err := loadProtoIndex(g.data.Config.Resolver.Dir())
		if err != nil {
			g.fail(gf, "%v", err)
			return "nil,\n"
		}
		g.grpc = idx
	}
	call := gf.f.GRPC
	m := g.grpc.methods[call.Method]
	if m == nil {
		g.fail(gf, "no generated client for %s in %s (run buf generate first)", call.Method, ProtoPackages)
		return "nil,\n"
	}
	pkg := g.imp(m.pkg.Path())
	conn, ctx := g.imp(pkgConnector), g.imp("context")

	// The request: the key goes in the field that takes it; a repeated
	// one makes the call a batch.
	batch := false
	var fields []string
	for _, rf := range call.Request {
		f := protoField(m.req, rf.Field)
		if f == nil {
			g.fail(gf, "%s has no field %q", m.req.Obj().Name(), rf.Field)
			return "nil,\n"
		}
		var v string
		if rf.Value == gf.f.Key {
			v = "key"
			if s, ok := f.Type().(*types.Slice); ok && isString(s.Elem()) {
				batch, v = true, "keys"
			}
		} else {
			v = g.valueRef(gf, rf.Value, false)
		}
		if !isString(f.Type()) && v != "keys" {
			g.fail(gf, "request field %s.%s is %s: only string fields (and a repeated string for a batch's keys) can be filled from the query", m.req.Obj().Name(), f.Name(), f.Type())
		}
		fields = append(fields, f.Name()+": "+v)
	}
	req := fmt.Sprintf("&%s.%s{%s}", pkg, m.req.Obj().Name(), strings.Join(fields, ", "))
	client := fmt.Sprintf("%s.New%sClient(c.GRPC).%s(ctx, %s)", pkg, m.service, m.name, req)
	target := gf.cf.TypeReference.GO

	var b strings.Builder
	fmt.Fprintf(&b, "func(ctx %s.Context, c %s.Conn, keys, args []string) (map[string]%s, error) {\n", ctx, conn, vt)
	if batch {
		if call.Items == "" {
			g.fail(gf, "a batch RPC needs items and key")
			return "nil,\n"
		}
		items := protoField(m.resp, call.Items)
		if items == nil {
			g.fail(gf, "%s has no field %q", m.resp.Obj().Name(), call.Items)
			return "nil,\n"
		}
		slice, ok := items.Type().(*types.Slice)
		if !ok {
			g.fail(gf, "%s.%s is not repeated", m.resp.Obj().Name(), items.Name())
			return "nil,\n"
		}
		item := slice.Elem()
		keyF := protoField(item, call.ItemKey)
		if keyF == nil || !isString(keyF.Type()) {
			g.fail(gf, "the items have no string field %q", call.ItemKey)
			return "nil,\n"
		}
		val := g.convert(gf, "it", item, gf.f.At, target)
		fmt.Fprintf(&b, "\treturn %s.Chunked(ctx, keys, c.Config.MaxBatch, func(ctx %s.Context, keys []string) (map[string]%s, error) {\n", g.imp(pkgUpstream), ctx, vt)
		fmt.Fprintf(&b, "\t\tresp, err := %s\n\t\tif err != nil {\n\t\t\treturn nil, err\n\t\t}\n", client)
		fmt.Fprintf(&b, "\t\tout := make(map[string]%s, len(resp.Get%s()))\n\t\tfor _, it := range resp.Get%s() {\n\t\t\tout[it.Get%s()] = %s\n\t\t}\n\t\treturn out, nil\n\t})\n}", vt, items.Name(), items.Name(), keyF.Name(), val)
	} else {
		val := g.convert(gf, "resp", types.NewPointer(m.resp), gf.f.At, target)
		fmt.Fprintf(&b, "\treturn %s.FanOut(ctx, keys, c.Config.MaxConcurrent, func(ctx %s.Context, key string) (%s, error) {\n", g.imp(pkgUpstream), ctx, vt)
		fmt.Fprintf(&b, "\t\tresp, err := %s\n\t\tif err != nil {\n\t\t\tvar zero %s\n\t\t\treturn zero, err\n\t\t}\n\t\treturn %s, nil\n\t})\n}", client, vt, val)
	}
	return b.String() + ",\n"
}

func isString(t types.Type) bool {
	b, ok := t.(*types.Basic)
	return ok && b.Kind() == types.String
}

// convert returns the Go expression that turns x, of protobuf type from,
// followed down the path at, into a value of the model type to.
func (g *generator) convert(gf generated, x string, from types.Type, at []string, to types.Type) string {
	for _, a := range at {
		f := protoField(from, a)
		if f == nil {
			g.fail(gf, "at %q: %s has no field %q", strings.Join(at, "."), g.typ(from), a)
			return x
		}
		x, from = x+".Get"+f.Name()+"()", f.Type()
	}
	return g.conv(gf, x, from, to)
}

func (g *generator) conv(gf generated, x string, from, to types.Type) string {
	if types.Identical(from, to) {
		return x
	}
	fb, fok := from.Underlying().(*types.Basic)
	tb, tok := to.Underlying().(*types.Basic)
	switch {
	case fok && tok && fb.Info()&types.IsNumeric != 0 && tb.Info()&types.IsNumeric != 0:
		return g.typ(to) + "(" + x + ")"
	case fok && tok && fb.Kind() == types.String && tb.Kind() == types.String:
		return g.typ(to) + "(" + x + ")" // a string into a model enum
	case tok && tb.Kind() == types.String && hasStringMethod(from):
		return g.typ(to) + "(" + x + ".String())" // a proto enum
	}
	if n, ok := to.(*types.Named); ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Time" {
		if p, ok := from.(*types.Pointer); ok && p.Elem().(*types.Named).Obj().Name() == "Timestamp" {
			return x + ".AsTime()"
		}
	}
	fs, fok2 := from.(*types.Slice)
	ts, tok2 := to.(*types.Slice)
	if fok2 && tok2 {
		fn := g.mapper(gf, fs.Elem(), ts.Elem())
		return fmt.Sprintf("%s.Map(%s, %s)", g.imp(pkgResolve), x, fn)
	}
	fp, fok3 := from.(*types.Pointer)
	tp, tok3 := to.(*types.Pointer)
	if fok3 && tok3 {
		if _, ok := tp.Elem().Underlying().(*types.Struct); ok {
			if _, ok := fp.Elem().Underlying().(*types.Struct); ok {
				return g.mapper(gf, from, to) + "(" + x + ")"
			}
		}
	}
	g.fail(gf, "cannot map %s onto %s: write a resolver for the field", g.typ(from), g.typ(to))
	return x
}

func hasStringMethod(t types.Type) bool {
	ms := types.NewMethodSet(t)
	for i := range ms.Len() {
		if ms.At(i).Obj().Name() == "String" {
			return true
		}
	}
	return false
}

// mapper returns the name of a function from *message to *model (or
// element to element), writing it the first time it is needed.
func (g *generator) mapper(gf generated, from, to types.Type) string {
	fp, fok := from.(*types.Pointer)
	tp, tok := to.(*types.Pointer)
	if !fok || !tok {
		// Elements that are not messages: convert inline.
		name := "map" + templates.UcFirst(typeWord(from)) + "To" + templates.UcFirst(typeWord(to))
		if g.mappers == nil {
			g.mappers = map[string]bool{}
		}
		if !g.mappers[name] {
			g.mappers[name] = true
			body := g.conv(gf, "v", from, to)
			g.pending = append(g.pending, fmt.Sprintf("func %s(v %s) %s { return %s }\n\n", name, g.typ(from), g.typ(to), body))
		}
		return name
	}
	fn, tn := fp.Elem().(*types.Named), tp.Elem().(*types.Named)
	name := "map" + fn.Obj().Name() + "To" + tn.Obj().Name()
	if g.mappers == nil {
		g.mappers = map[string]bool{}
	}
	if g.mappers[name] {
		return name
	}
	g.mappers[name] = true
	obj := g.object(tp.Elem())
	st := tn.Underlying().(*types.Struct)
	var lines []string
	for i := range st.NumFields() {
		f := st.Field(i)
		jn, _, _ := strings.Cut(reflect.StructTag(st.Tag(i)).Get("json"), ",")
		if !f.Exported() || jn == "-" {
			continue
		}
		if jn == "" {
			jn = templates.LcFirst(f.Name())
		}
		if obj != nil {
			if cf := fieldOf(obj, jn); cf != nil && cf.IsResolver {
				continue
			}
		}
		src := protoField(from, jn)
		if src == nil {
			g.fail(gf, "%s.%s: %s has no field %q (rename it with @from(name:), or write a resolver)", tn.Obj().Name(), f.Name(), fn.Obj().Name(), jn)
			continue
		}
		lines = append(lines, fmt.Sprintf("\t\t%s: %s,\n", f.Name(), g.conv(gf, "m.Get"+src.Name()+"()", src.Type(), f.Type())))
	}
	body := fmt.Sprintf("\treturn &%s{\n%s\t}\n", g.typ(tp.Elem()), strings.Join(lines, ""))
	if completes(to) {
		// The model derives fields of its own (connector.Completer).
		body = fmt.Sprintf("\tv := &%s{\n%s\t}\n\tv.Complete()\n\treturn v\n", g.typ(tp.Elem()), strings.Join(lines, ""))
	}
	g.pending = append(g.pending, fmt.Sprintf("func %s(m %s) %s {\n\tif m == nil {\n\t\treturn nil\n\t}\n%s}\n\n",
		name, g.typ(from), g.typ(to), body))
	return name
}

func typeWord(t types.Type) string {
	s := types.TypeString(t, func(*types.Package) string { return "" })
	return strings.NewReplacer("*", "", "[]", "List", ".", "").Replace(s)
}

// object returns the codegen object whose Go type is t.
func (g *generator) object(t types.Type) *codegen.Object {
	for _, o := range g.data.Objects {
		if types.Identical(o.Type, t) {
			return o
		}
	}
	return nil
}

func fieldOf(o *codegen.Object, name string) *codegen.Field {
	for _, f := range o.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// flushMappers writes the mapping functions in a stable order.
func (g *generator) flushMappers() {
	sort.Strings(g.pending)
	for _, s := range g.pending {
		g.p("%s", s)
	}
	g.pending = nil
}

// completes reports whether t has a Complete() method (connector.Completer).
func completes(t types.Type) bool {
	obj, _, _ := types.LookupFieldOrMethod(t, true, nil, "Complete")
	f, ok := obj.(*types.Func)
	if !ok {
		return false
	}
	sig := f.Type().(*types.Signature)
	return sig.Params().Len() == 0 && sig.Results().Len() == 0
}
