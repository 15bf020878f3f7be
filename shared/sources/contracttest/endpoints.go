package contracttest

import (
	"fmt"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/tandemgw/tandem/shared/connector"
)

// CheckEndpoints holds every endpoint that a schema's @rest and @grpc
// directives generated against its service's contract and fails t with
// every disagreement. A REST endpoint is held to dir/<source>.yaml
// (EndpointMismatches). A gRPC endpoint's method, fields and types are
// checked when it is generated (the plugin compiles against the generated
// client); here its enums are (ProtoEnumMismatches). The SDL's enums are
// read from the GraphQL schemas beside dir (dir/../graphql), so that a
// GraphQL enum and its contract must list the same values.
func CheckEndpoints(t *testing.T, dir string, endpoints []connector.Described) {
	t.Helper()
	enums, err := LoadSDLEnums(filepath.Join(dir, "..", "graphql"))
	if err != nil {
		t.Fatalf("read the SDL's enums: %v", err)
	}
	docs := map[string]*openapi3.T{}
	for _, e := range endpoints {
		source, field, spec, value := e.Describe()
		if spec.Method != "" {
			for _, m := range ProtoEnumMismatches(spec, value, enums) {
				t.Errorf("%s (source %s): %s", field, source, m)
			}
			continue
		}
		doc, ok := docs[source]
		if !ok {
			doc = Load(t, filepath.Join(dir, source+".yaml"))
			docs[source] = doc
		}
		for _, m := range EndpointMismatches(doc, spec, value, enums) {
			t.Errorf("%s (source %s): %s", field, source, m)
		}
	}
}

var templateRef = regexp.MustCompile(`\{\$[a-z]+(\.[A-Za-z0-9_]+)?\}`)

// EndpointMismatches lists every disagreement between a REST endpoint's
// directive and the contract doc: a path or query parameter the contract
// does not have, a batch item without the key field, or a field of the Go
// type the answer decodes into (value) that the answer's schema does not
// have or types differently, or a GraphQL enum whose contract spells its
// values differently. enums are the SDL's enums (nil: only the values
// the contract lists are checked).
func EndpointMismatches(doc *openapi3.T, spec connector.Spec, value reflect.Type, enums SDLEnums) []string {
	var out []string
	if spec.Get != "" {
		if schema, errs := operation(doc, spec.Get, ""); len(errs) > 0 {
			out = append(out, errs...)
		} else {
			out = append(out, firstFitting(schema, func(s *openapi3.Schema) []string { return valueMismatches("get", s, spec.At, value, enums) })...)
		}
	}
	if spec.Brief != "" {
		for _, t := range []string{spec.Get, spec.Batch} {
			if t != "" {
				out = append(out, briefMismatches(doc, t, spec.Brief)...)
			}
		}
	}
	if spec.Batch == "" {
		return out
	}
	schema, errs := operation(doc, spec.Batch, "={")
	if len(errs) > 0 {
		return append(out, errs...)
	}
	return append(out, firstFitting(schema, func(s *openapi3.Schema) []string { return batchMismatches(s, spec, value, enums) })...)
}

// batchMismatches compares one batch answer schema with the directive.
func batchMismatches(schema *openapi3.Schema, spec connector.Spec, value reflect.Type, enums SDLEnums) []string {
	items := property(schema, "items")
	if items == nil || items.Items == nil || items.Items.Value == nil {
		return []string{fmt.Sprintf("batch %s: the answer has no items array", spec.Batch)}
	}
	item := items.Items.Value
	var out []string
	if property(item, spec.Key) == nil {
		out = append(out, fmt.Sprintf("batch %s: items have no key field %q", spec.Batch, spec.Key))
	}
	return append(out, valueMismatches("batch item", item, spec.At, value, enums)...)
}

// firstFitting runs check on schema, or, when it is a oneOf or anyOf (an
// endpoint with several answer shapes), on each alternative until one
// fits; it returns the first alternative's mismatches when none does.
func firstFitting(schema *openapi3.Schema, check func(*openapi3.Schema) []string) []string {
	alts := append(append(openapi3.SchemaRefs{}, schema.OneOf...), schema.AnyOf...)
	if len(alts) == 0 {
		return check(schema)
	}
	var first []string
	for i, alt := range alts {
		m := check(alt.Value)
		if len(m) == 0 {
			return nil
		}
		if i == 0 {
			first = m
		}
	}
	return first
}

// operation finds the GET operation of template in doc, checks its query
// parameters, and returns its success answer's schema.
func operation(doc *openapi3.T, template, keysRef string) (*openapi3.Schema, []string) {
	path, query, _ := strings.Cut(template, "?")
	op := getOperation(doc, path)
	if op == nil {
		return nil, []string{fmt.Sprintf("GET %s is not in the contract", path)}
	}
	var errs []string
	if query != "" {
		for _, part := range strings.Split(query, "&") {
			name, _, _ := strings.Cut(part, "=")
			if op.Parameters.GetByInAndName("query", name) == nil {
				errs = append(errs, fmt.Sprintf("GET %s has no query parameter %q", path, name))
			}
		}
	}
	if keysRef != "" && !strings.Contains(query, keysRef) {
		errs = append(errs, fmt.Sprintf("batch %s does not pass its keys", template))
	}
	for _, status := range []int{200, 201} {
		if r := op.Responses.Status(status); r != nil && r.Value != nil {
			if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
				return mt.Schema.Value, errs
			}
		}
	}
	return nil, append(errs, fmt.Sprintf("GET %s has no JSON success answer", path))
}

func property(s *openapi3.Schema, name string) *openapi3.Schema {
	if s == nil {
		return nil
	}
	if len(s.AllOf) > 0 {
		s = merge(s)
	}
	if p, ok := s.Properties[name]; ok && p.Value != nil {
		return p.Value
	}
	return nil
}

// valueMismatches walks at down schema and compares the value's Go type
// with what it finds.
func valueMismatches(what string, schema *openapi3.Schema, at []string, value reflect.Type, enums SDLEnums) []string {
	for _, a := range at {
		next := property(schema, a)
		if next == nil {
			return []string{fmt.Sprintf("%s: the answer has no field %q (at %s)", what, a, strings.Join(at, "."))}
		}
		schema = next
	}
	m := checker{enums: enums}.compare("$", value, schema)
	for i := range m {
		m[i] = what + ": " + m[i]
	}
	return m
}

// briefMismatches checks that the GET operation of template takes every
// parameter of the brief query, with a value its schema allows.
func briefMismatches(doc *openapi3.T, template, brief string) []string {
	path, _, _ := strings.Cut(template, "?")
	op := getOperation(doc, path)
	if op == nil {
		return nil // operation reports it
	}
	q, err := url.ParseQuery(brief)
	if err != nil {
		return []string{fmt.Sprintf("brief %q is not a query", brief)}
	}
	var out []string
	for name, values := range q {
		p := op.Parameters.GetByInAndName("query", name)
		if p == nil {
			out = append(out, fmt.Sprintf("GET %s has no query parameter %q for the brief view", path, name))
			continue
		}
		if p.Schema == nil || p.Schema.Value == nil {
			continue
		}
		for _, v := range values {
			if err := p.Schema.Value.VisitJSON(v); err != nil {
				out = append(out, fmt.Sprintf("GET %s: brief %s=%s is not a value the contract allows", path, name, v))
			}
		}
	}
	return out
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// getOperation is the GET operation of doc whose path is path, a
// directive's path with {$...} placeholders; nil when there is none.
func getOperation(doc *openapi3.T, path string) *openapi3.Operation {
	want := templateRef.ReplaceAllString(path, "{}")
	for p, item := range doc.Paths.Map() {
		if pathParam.ReplaceAllString(p, "{}") == want {
			return item.Get
		}
	}
	return nil
}
