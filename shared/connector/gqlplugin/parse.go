package gqlplugin

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Directive names.
const (
	dirSource = "source"
	dirREST   = "rest"
	dirGRPC   = "grpc"
	dirFrom   = "from"
)

// declaredSource is a @source on the schema: a backend with no
// hand-written package.
type declaredSource struct {
	Name, Kind, Address string
}

// ref is one {$parent.x}, {$args.x} or {$viewer.id} of a template, or one
// value of a @grpc request.
type ref struct {
	Scope string // "parent", "args", "viewer" or "keys"
	Name  string
}

func (r ref) String() string { return "$" + r.Scope + "." + r.Name }

// field is one field with @rest or @grpc.
type field struct {
	Type, Name string // GraphQL parent type and field
	Source     string
	Pos        *ast.Position

	// Key is where a parent's key comes from; Args are the arguments the
	// call also depends on, in template order.
	Key  ref
	Args []string

	REST *restCall
	GRPC *grpcCall
	At   []string // path to the value inside one item's answer
}

type restCall struct {
	Get      template // one key's path and query; Raw is "" with a batch only
	Batch    *template
	BatchIDs string // query parameter the batch's keys go in
	ItemKey  string // field of a batch item that holds its key
	// Brief is the query of the backend's lighter view, BriefOmits the
	// fields of the field's type it leaves out (connector.Spec.Brief).
	Brief      string
	BriefOmits []string
}

// BriefOmitsOrNil is r's BriefOmits; nil for a nil r (a @grpc field).
func (r *restCall) BriefOmitsOrNil() []string {
	if r == nil {
		return nil
	}
	return r.BriefOmits
}

type grpcCall struct {
	Method  string         // full name: pkg.Service/Method
	Request []requestField // request message fields and their values
	Items   string         // repeated field of the answer holding the items (batch)
	ItemKey string         // field of an item that holds its key (batch)
}

type requestField struct {
	Field string
	Value ref
}

// template is a path with {$...} placeholders and an optional query.
type template struct {
	Raw   string
	Path  []segment
	Query []queryParam
}

// segment is literal text or one placeholder of a path.
type segment struct {
	Text string
	Ref  *ref
}

type queryParam struct {
	Name  string
	Text  string
	Ref   *ref
	IsKey bool
}

var placeholder = regexp.MustCompile(`\{\$(parent|args|viewer|keys)(?:\.([A-Za-z_][A-Za-z0-9_]*))?\}`)

func parseTemplate(raw string) (template, error) {
	t := template{Raw: raw}
	path, query, _ := strings.Cut(raw, "?")
	if !strings.HasPrefix(path, "/") {
		return t, fmt.Errorf("path %q must start with /", raw)
	}
	rest := path
	for rest != "" {
		loc := placeholder.FindStringSubmatchIndex(rest)
		if loc == nil {
			t.Path = append(t.Path, segment{Text: rest})
			break
		}
		if loc[0] > 0 {
			t.Path = append(t.Path, segment{Text: rest[:loc[0]]})
		}
		r, err := refOf(rest, loc)
		if err != nil {
			return t, err
		}
		t.Path = append(t.Path, segment{Ref: &r})
		rest = rest[loc[1]:]
	}
	if query == "" {
		return t, nil
	}
	for _, part := range strings.Split(query, "&") {
		name, value, _ := strings.Cut(part, "=")
		name, err := url.QueryUnescape(name)
		if err != nil || name == "" {
			return t, fmt.Errorf("bad query parameter %q in %q", part, raw)
		}
		q := queryParam{Name: name}
		if loc := placeholder.FindStringSubmatchIndex(value); loc != nil {
			if loc[0] != 0 || loc[1] != len(value) {
				return t, fmt.Errorf("query parameter %q in %q: a placeholder must be the whole value", name, raw)
			}
			r, err := refOf(value, loc)
			if err != nil {
				return t, err
			}
			q.Ref, q.IsKey = &r, r.Scope == "keys"
		} else {
			q.Text = value
		}
		t.Query = append(t.Query, q)
	}
	return t, nil
}

func refOf(s string, loc []int) (ref, error) {
	r := ref{Scope: s[loc[2]:loc[3]]}
	if loc[4] >= 0 {
		r.Name = s[loc[4]:loc[5]]
	}
	switch {
	case r.Scope == "keys" && r.Name != "":
		return r, fmt.Errorf("{$keys} takes no field name")
	case r.Scope == "viewer" && r.Name != "id":
		return r, fmt.Errorf("only {$viewer.id} is known of the viewer")
	case r.Scope != "keys" && r.Name == "":
		return r, fmt.Errorf("{$%s} needs a field name", r.Scope)
	}
	return r, nil
}

// refs lists the placeholders of t other than {$keys}, in order.
func (t template) refs() []ref {
	var out []ref
	for _, s := range t.Path {
		if s.Ref != nil {
			out = append(out, *s.Ref)
		}
	}
	for _, q := range t.Query {
		if q.Ref != nil && !q.IsKey {
			out = append(out, *q.Ref)
		}
	}
	return out
}

// parseBrief reads brief and briefOmits, which go together: a fixed query
// and the fields it leaves out.
func parseBrief(r *restCall, d *ast.Directive) error {
	r.Brief = stringArg(d, "brief")
	if a := d.Arguments.ForName("briefOmits"); a != nil && a.Value != nil {
		for _, c := range a.Value.Children {
			r.BriefOmits = append(r.BriefOmits, c.Value.Raw)
		}
	}
	switch {
	case r.Brief == "" && len(r.BriefOmits) == 0:
		return nil
	case r.Brief == "" || len(r.BriefOmits) == 0:
		return fmt.Errorf("brief and briefOmits go together: the query of the lighter view, and the fields it leaves out")
	case strings.ContainsAny(r.Brief, "{}?"):
		return fmt.Errorf("brief %q must be a fixed query, such as view=basic", r.Brief)
	}
	if q, err := url.ParseQuery(r.Brief); err != nil || len(q) == 0 {
		return fmt.Errorf("brief %q is not a query", r.Brief)
	}
	return nil
}

func stringArg(d *ast.Directive, name string) string {
	if a := d.Arguments.ForName(name); a != nil && a.Value != nil {
		return a.Value.Raw
	}
	return ""
}

// parseSchema reads every @source and every field with @rest or @grpc.
func parseSchema(s *ast.Schema) ([]declaredSource, []*field, error) {
	var sources []declaredSource
	for _, d := range s.SchemaDirectives.ForNames(dirSource) {
		sources = append(sources, declaredSource{Name: stringArg(d, "name"), Kind: stringArg(d, "kind"), Address: stringArg(d, "address")})
	}
	var fields []*field
	var errs []string
	for _, def := range s.Types {
		if def.Kind != ast.Object || def.BuiltIn {
			continue
		}
		for _, fd := range def.Fields {
			rest, grpc := fd.Directives.ForName(dirREST), fd.Directives.ForName(dirGRPC)
			if rest == nil && grpc == nil {
				continue
			}
			f, err := parseField(def, fd, rest, grpc)
			if err == nil && f.REST != nil {
				err = checkOmits(s, fd, f.REST.BriefOmits)
			}
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s:%d: %s.%s: %v", fd.Position.Src.Name, fd.Position.Line, def.Name, fd.Name, err))
				continue
			}
			fields = append(fields, f)
		}
	}
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("source directives:\n  %s", strings.Join(errs, "\n  "))
	}
	return sources, fields, nil
}

func parseField(def *ast.Definition, fd *ast.FieldDefinition, rest, grpc *ast.Directive) (*field, error) {
	if rest != nil && grpc != nil {
		return nil, fmt.Errorf("@rest and @grpc exclude each other")
	}
	f := &field{Type: def.Name, Name: fd.Name, Pos: fd.Position}
	d := rest
	if d == nil {
		d = grpc
	}
	f.Source = stringArg(d, "source")
	if at := stringArg(d, "at"); at != "" {
		f.At = strings.Split(at, ".")
	}
	var refs []ref
	if rest != nil {
		f.REST = &restCall{ItemKey: stringArg(rest, "key")}
		rawGet, rawBatch := stringArg(rest, "get"), stringArg(rest, "batch")
		if rawGet == "" && rawBatch == "" {
			return nil, fmt.Errorf("@rest needs get, batch or both")
		}
		if rawGet != "" {
			get, err := parseTemplate(rawGet)
			if err != nil {
				return nil, err
			}
			f.REST.Get = get
			refs = get.refs()
		}
		if rawBatch != "" {
			b, err := parseTemplate(rawBatch)
			if err != nil {
				return nil, err
			}
			// The keys go in the parameter given {$keys}, or, in a batch
			// with no get, the one given the parent's (or viewer's) value.
			for i, q := range b.Query {
				if q.Ref != nil && (q.IsKey || rawGet == "" && (q.Ref.Scope == "parent" || q.Ref.Scope == "viewer")) {
					if rawGet == "" {
						refs = append([]ref{*q.Ref}, refs...)
					}
					b.Query[i].IsKey = true
					f.REST.BatchIDs = q.Name
				} else if q.Ref != nil && rawGet == "" {
					refs = append(refs, *q.Ref)
				}
			}
			if f.REST.BatchIDs == "" {
				return nil, fmt.Errorf("batch %q must pass the keys in a query parameter: ?ids={$keys}, or ?ids={$parent.x} without get", rawBatch)
			}
			if f.REST.ItemKey == "" {
				return nil, fmt.Errorf("batch needs key: the field of each item that holds its key")
			}
			f.REST.Batch = &b
		}
		if err := parseBrief(f.REST, rest); err != nil {
			return nil, err
		}
	} else {
		g := &grpcCall{Method: stringArg(grpc, "method"), Items: stringArg(grpc, "items"), ItemKey: stringArg(grpc, "key")}
		if !strings.Contains(g.Method, "/") {
			return nil, fmt.Errorf("method %q must be package.Service/Method", g.Method)
		}
		for _, part := range strings.Split(stringArg(grpc, "request"), ",") {
			name, value, ok := strings.Cut(strings.TrimSpace(part), ":")
			value = strings.TrimSpace(value)
			if !ok || !strings.HasPrefix(value, "$") {
				return nil, fmt.Errorf("request %q: want field: $parent.x, field: $args.y", part)
			}
			braced := "{" + value + "}"
			loc := placeholder.FindStringSubmatchIndex(braced)
			if loc == nil || loc[0] != 0 || loc[1] != len(braced) {
				return nil, fmt.Errorf("request %q: bad value %q", part, value)
			}
			r, err := refOf(braced, loc)
			if err != nil {
				return nil, fmt.Errorf("request %q: %v", part, err)
			}
			g.Request = append(g.Request, requestField{Field: strings.TrimSpace(name), Value: r})
			refs = append(refs, r)
		}
		if (g.Items == "") != (g.ItemKey == "") {
			return nil, fmt.Errorf("a batch RPC needs both items and key")
		}
		f.GRPC = g
	}
	// The key is the first value taken from the parent, else from the
	// viewer, else the first argument; the other arguments partition the
	// request's loaders.
	keyAt := -1
	for _, scope := range []string{"parent", "viewer", "args"} {
		for i, r := range refs {
			if r.Scope == scope {
				keyAt = i
				break
			}
		}
		if keyAt >= 0 {
			break
		}
	}
	if keyAt < 0 {
		return nil, fmt.Errorf("the call takes nothing from $parent, $viewer or $args to key it by")
	}
	f.Key = refs[keyAt]
	for i, r := range refs {
		if i == keyAt {
			continue
		}
		switch r.Scope {
		case "args":
			if fd.Arguments.ForName(r.Name) == nil {
				return nil, fmt.Errorf("%s: the field has no argument %q", r, r.Name)
			}
			if !contains(f.Args, r.Name) {
				f.Args = append(f.Args, r.Name)
			}
		case "parent", "viewer":
			if r != f.Key {
				return nil, fmt.Errorf("%s: a call is keyed by one value of the parent or viewer; %s is a second", r, f.Key)
			}
		}
	}
	if f.Key.Scope == "args" && fd.Arguments.ForName(f.Key.Name) == nil {
		return nil, fmt.Errorf("%s: the field has no argument %q", f.Key, f.Key.Name)
	}
	return f, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// checkOmits checks that the fields a brief view leaves out are fields of
// the type fd returns.
func checkOmits(s *ast.Schema, fd *ast.FieldDefinition, omits []string) error {
	t := s.Types[fd.Type.Name()]
	for _, o := range omits {
		if t == nil || t.Fields.ForName(o) == nil {
			return fmt.Errorf("briefOmits: %s has no field %q", fd.Type.Name(), o)
		}
	}
	return nil
}
