package gqlplugin

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
	"github.com/99designs/gqlgen/codegen/templates"
	"github.com/99designs/gqlgen/plugin"
	"github.com/99designs/gqlgen/plugin/modelgen"
	"github.com/99designs/gqlgen/plugin/resolvergen"
	gqlast "github.com/vektah/gqlparser/v2/ast"
	"golang.org/x/tools/go/packages"
)

// OutputName is the file the plugin writes in the resolver package.
const OutputName = "connectors.generated.go"

// Plugin compiles the source directives of one schema. Build one per
// gqlgen run with New and pass Options to api.Generate.
type Plugin struct {
	sources []declaredSource
	fields  []*field
	loads   []*loadsField
}

// New returns the plugin.
func New() *Plugin { return &Plugin{} }

// Options are the api.Generate options that install the plugin: it reads
// the directives before the models are generated, gives generated models
// the hidden fields the directives key by (modelgen hooks), and takes the
// fields it implements away from gqlgen's resolver generator.
func (p *Plugin) Options() []api.Option {
	return []api.Option{
		api.PrependPlugin(p),
		api.ReplacePlugin(&modelgen.Plugin{MutateHook: p.mutateModels, FieldHook: p.mutateField}),
		api.ReplacePlugin(&resolvers{p: p}),
	}
}

var (
	_ plugin.ConfigMutator = (*Plugin)(nil)
	_ plugin.CodeGenerator = (*resolvers)(nil)
)

// Name implements plugin.Plugin.
func (p *Plugin) Name() string { return "tandem-connectors" }

// MutateConfig reads the directives and makes every field that carries one
// a resolver field; the directives themselves do nothing at run time.
func (p *Plugin) MutateConfig(cfg *config.Config) error {
	var err error
	p.sources, p.fields, err = parseSchema(cfg.Schema)
	if err != nil {
		return err
	}
	if p.loads, err = parseLoads(cfg.Schema); err != nil {
		return err
	}
	for _, name := range []string{dirSource, dirREST, dirGRPC, dirFrom, dirLoads, dirUnbatched} {
		cfg.Directives[name] = config.DirectiveConfig{SkipRuntime: true}
	}
	// A field that loads is a resolver, so that its parent never reads
	// what the query does not ask for.
	for _, lf := range p.loads {
		entry := cfg.Models[lf.Type]
		if entry.Fields == nil {
			entry.Fields = map[string]config.TypeMapField{}
		}
		tf := entry.Fields[lf.Name]
		tf.Resolver = true
		entry.Fields[lf.Name] = tf
		cfg.Models[lf.Type] = entry
	}
	for _, f := range p.fields {
		entry := cfg.Models[f.Type]
		if entry.Fields == nil {
			entry.Fields = map[string]config.TypeMapField{}
		}
		tf := entry.Fields[f.Name]
		tf.Resolver = true
		entry.Fields[f.Name] = tf
		cfg.Models[f.Type] = entry
	}
	return nil
}

// mutateModels gives generated models a hidden field for every
// {$parent.x} whose x is not a field of the GraphQL type: the backend's
// answer carries it (a product id on a wishlist item), the schema does
// not show it.
func (p *Plugin) mutateModels(b *modelgen.ModelBuild) *modelgen.ModelBuild {
	byName := map[string]*modelgen.Object{}
	for _, m := range b.Models {
		byName[m.Name] = m
	}
	for _, f := range p.fields {
		m := byName[f.Type]
		if m == nil || f.Key.Scope != "parent" {
			continue
		}
		if hasJSONField(m, f.Key.Name) {
			continue
		}
		m.Fields = append(m.Fields, &modelgen.Field{
			Description: fmt.Sprintf("%s is read from the backend for %s.%s; the schema does not show it.", templates.ToGo(f.Key.Name), f.Type, f.Name),
			Name:        f.Key.Name,
			GoName:      templates.ToGo(f.Key.Name),
			Type:        stringType,
			Tag:         fmt.Sprintf(`json:"%s"`, f.Key.Name),
		})
	}
	return b
}

func hasJSONField(m *modelgen.Object, name string) bool {
	for _, f := range m.Fields {
		if jsonName(f.Tag) == name {
			return true
		}
	}
	return false
}

// jsonName is the name in the json tag of a struct tag.
func jsonName(tag string) string {
	i := strings.Index(tag, `json:"`)
	if i < 0 {
		return ""
	}
	v := tag[i+len(`json:"`):]
	v = v[:strings.IndexByte(v, '"')]
	name, _, _ := strings.Cut(v, ",")
	return name
}

// mutateField applies @from: the backend's name of a field becomes its
// json name, so the answer decodes straight into the model.
func (p *Plugin) mutateField(td *gqlast.Definition, fd *gqlast.FieldDefinition, f *modelgen.Field) (*modelgen.Field, error) {
	f, err := modelgen.DefaultFieldMutateHook(td, fd, f)
	if err != nil || f == nil {
		return f, err
	}
	if d := fd.Directives.ForName(dirFrom); d != nil {
		name := stringArg(d, "name")
		if old := jsonName(f.Tag); old != "" {
			f.Tag = strings.Replace(f.Tag, `json:"`+old, `json:"`+name, 1)
		} else {
			f.Tag = strings.TrimSpace(f.Tag + fmt.Sprintf(` json:"%s"`, name))
		}
	}
	return f, nil
}

// resolvers stands in for gqlgen's resolver generator: it hides the fields
// the plugin implements from it, runs it, and writes the plugin's file.
type resolvers struct{ p *Plugin }

func (r *resolvers) Name() string { return "resolvergen" }

func (r *resolvers) GenerateCode(data *codegen.Data) error {
	dir := data.Config.Resolver.Dir()
	written, err := handWritten(dir)
	if err != nil {
		return err
	}
	g := &generator{data: data, written: written, loads: r.p.loads}
	for _, f := range r.p.fields {
		obj, cf := findField(data, f)
		if cf == nil {
			return fmt.Errorf("%s.%s: not in the schema's objects", f.Type, f.Name)
		}
		if written[resolverType(obj.Name)+"."+cf.GoFieldName] {
			continue // a hand-written resolver wins
		}
		g.fields = append(g.fields, generated{f: f, obj: obj, cf: cf})
	}
	for _, gf := range g.fields {
		gf.cf.IsResolver = false
	}
	err = resolvergen.New().(plugin.CodeGenerator).GenerateCode(data)
	for _, gf := range g.fields {
		gf.cf.IsResolver = true
	}
	if err != nil {
		return err
	}
	// gqlgen's generator has just rewritten the resolver files: declare the
	// resolver types it no longer declares.
	if g.written, err = handWritten(dir); err != nil {
		return err
	}
	g.sources = r.p.sources
	if g.reached, err = reachedSources(dir); err != nil {
		return err
	}
	return g.write(filepath.Join(dir, OutputName))
}

func resolverType(object string) string { return templates.LcFirst(object) + "Resolver" }

func findField(data *codegen.Data, f *field) (*codegen.Object, *codegen.Field) {
	for _, o := range data.Objects {
		if o.Name != f.Type {
			continue
		}
		for _, cf := range o.Fields {
			if cf.Name == f.Name {
				return o, cf
			}
		}
	}
	return nil, nil
}

// SourcesPackage is where hand-written source packages live: the source
// id is the package name, and each has Register.
var SourcesPackage = "github.com/tandemgw/tandem/shared/sources/"

// handWritten lists the methods ("recv.Method") and types ("type name")
// of the resolver package's files other than the plugin's own output.
func handWritten(dir string) (map[string]bool, error) {
	out := map[string]bool{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || name == OutputName {
			continue
		}
		file, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		for _, decl := range file.Decls {
			switch d := decl.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil && len(d.Recv.List) == 1 {
					out[recvName(d.Recv.List[0].Type)+"."+d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					if ts, ok := s.(*ast.TypeSpec); ok {
						out["type "+ts.Name.Name] = true
					}
				}
			}
		}
	}
	return out, nil
}

func recvName(e ast.Expr) string {
	if s, ok := e.(*ast.StarExpr); ok {
		e = s.X
	}
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// reachedSources lists the ids of the hand-written source packages that
// the hand-written files of the resolver package in dir reach, directly or
// through shared packages. The plugin's own output is left out, or a
// source once listed would keep itself listed.
func reachedSources(dir string) (map[string]bool, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var imports []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || name == OutputName {
			continue
		}
		file, err := parser.ParseFile(fset, filepath.Join(dir, name), nil, parser.ImportsOnly)
		if err != nil {
			return nil, err
		}
		for _, imp := range file.Imports {
			imports = append(imports, strings.Trim(imp.Path.Value, `"`))
		}
	}
	return sourcesReachedFrom(dir, imports)
}

// sourcesReachedFrom lists the ids of the source packages among imports
// and their dependencies; dir is a folder of the module.
func sourcesReachedFrom(dir string, imports []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(imports) == 0 {
		return out, nil
	}
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedImports | packages.NeedDeps, Dir: dir}, imports...)
	if err != nil {
		return nil, err
	}
	packages.Visit(pkgs, nil, func(p *packages.Package) {
		id, ok := strings.CutPrefix(p.PkgPath, SourcesPackage)
		if ok && !strings.Contains(id, "/") && id != "contracttest" {
			out[id] = true
		}
	})
	return out, nil
}
