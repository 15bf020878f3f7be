// Package contracttest checks the REST side of the gateway against the
// services' OpenAPI documents (schema/openapi), so that drift between the
// contract, the Go types and the services fails in CI rather than in
// production (where upstream JSON is decoded leniently: an unknown field is
// ignored, a missing one reads as zero).
//
// The entities (accounts.User, catalog.Product, ...) are generated from the
// documents into shared/gen/openapi, and both the sources and the mocks use
// them; what is still written by hand is the envelope around them (the
// batch, page and error forms of shared/upstream). Two checks keep all of
// it honest:
//
//   - Mismatches compares a Go type with a schema, recursively: every JSON
//     field of the Go type must be a property of the schema with a
//     compatible type, and every property the schema requires must be a
//     field of the Go type. Properties the Go type leaves out are allowed
//     (the gateway need not read everything).
//   - A GraphQL enum a directive's answer maps onto must list exactly the
//     values of its contract (the OpenAPI property's enum, or the proto
//     enum's value names), spelled alike: the connector maps them by
//     spelling, so "bronze" for BRONZE passes generation and fails only at
//     run time (CheckEndpoints).
//   - Router.CheckAnswer validates a service's answer (status, headers,
//     body) against the operation it answers, with kin-openapi's
//     openapi3filter: the tests drive every route of every mock through it.
//
// It is a test kit: only _test.go files import it.
package contracttest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
)

// Load reads and validates the OpenAPI document at path.
func Load(t testing.TB, path string) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile(path)
	if err != nil {
		t.Fatalf("load %s: %v", path, err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("%s is not a valid OpenAPI document: %v", path, err)
	}
	return doc
}

// Component returns the schema of components/schemas/name.
func Component(t testing.TB, doc *openapi3.T, name string) *openapi3.Schema {
	t.Helper()
	ref, ok := doc.Components.Schemas[name]
	if !ok || ref.Value == nil {
		t.Fatalf("no component schema %q", name)
	}
	return ref.Value
}

// Response returns the JSON schema of route's success answer (200 or
// 201); route is "GET /users/{id}/addresses".
func Response(t testing.TB, doc *openapi3.T, route string) *openapi3.Schema {
	t.Helper()
	method, path, _ := strings.Cut(route, " ")
	item := doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("no operation %s", route)
	}
	op := item.GetOperation(method)
	for _, status := range []int{200, 201} {
		if r := op.Responses.Status(status); r != nil && r.Value != nil {
			if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
				return mt.Schema.Value
			}
		}
	}
	t.Fatalf("%s has no JSON success answer", route)
	return nil
}

var timeType = reflect.TypeFor[time.Time]()

// Mismatches lists every disagreement between the Go type t and schema s;
// none means they agree.
func Mismatches(t reflect.Type, s *openapi3.Schema) []string {
	return checker{required: true}.compare("$", t, s)
}

// FieldMismatches is Mismatches without the rule that required properties
// be in the Go type, for answers the gateway reads only in part on
// purpose (of an error body, the code and never the message).
func FieldMismatches(t reflect.Type, s *openapi3.Schema) []string {
	return checker{}.compare("$", t, s)
}

type checker struct {
	required bool
	enums    SDLEnums // the SDL's enums, for enum fields; nil when not known
	owner    string   // the Go field being compared, "Loyalty.Tier"
}

func (c checker) compare(path string, t reflect.Type, s *openapi3.Schema) []string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s == nil {
		return []string{path + ": no schema"}
	}
	if len(s.OneOf) > 0 || len(s.AnyOf) > 0 {
		var all []string
		for _, alt := range append(append(openapi3.SchemaRefs{}, s.OneOf...), s.AnyOf...) {
			m := c.compare(path, t, alt.Value)
			if len(m) == 0 {
				return nil
			}
			all = append(all, m...)
		}
		return append([]string{path + ": matches none of the alternatives"}, all...)
	}
	if len(s.AllOf) > 0 {
		s = merge(s)
	}
	typ := func(want ...string) []string {
		for _, w := range want {
			if s.Type.Is(w) {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: Go %s, schema type %v", path, t, typeOf(s))}
	}
	switch {
	case t == timeType:
		if m := typ("string"); m != nil {
			return m
		}
		if s.Format != "date-time" && s.Format != "date" {
			return []string{fmt.Sprintf("%s: Go time.Time, schema string without a date format (%q)", path, s.Format)}
		}
		return nil
	case isEnum(t):
		if m := typ("string"); m != nil {
			return m
		}
		var values []string
		for _, v := range s.Enum {
			if v != nil { // a nullable enum's null decodes as no value
				values = append(values, fmt.Sprint(v))
			}
		}
		return c.enumMismatches(c.label(path), t, values, "the OpenAPI contract",
			"an answer is decoded by its exact spelling, so any other spelling fails at run time with UPSTREAM_ERROR")
	case t.Kind() == reflect.String:
		return typ("string")
	case t.Kind() == reflect.Bool:
		return typ("boolean")
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return typ("integer")
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return typ("number", "integer")
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		if m := typ("array"); m != nil {
			return m
		}
		if s.Items == nil {
			return nil
		}
		return c.compare(path+"[]", t.Elem(), s.Items.Value)
	case t.Kind() == reflect.Map:
		if m := typ("object"); m != nil {
			return m
		}
		if s.AdditionalProperties.Schema == nil {
			return []string{path + ": Go map, schema object without additionalProperties"}
		}
		return c.compare(path+"{}", t.Elem(), s.AdditionalProperties.Schema.Value)
	case t.Kind() == reflect.Struct:
		if !s.Type.IsEmpty() && !s.Type.Is("object") {
			return []string{fmt.Sprintf("%s: Go struct %s, schema type %v", path, t, typeOf(s))}
		}
		return c.compareObject(path, t, s)
	case t.Kind() == reflect.Interface:
		return nil
	}
	return []string{fmt.Sprintf("%s: Go %s has no JSON counterpart", path, t)}
}

func (c checker) compareObject(path string, t reflect.Type, s *openapi3.Schema) []string {
	var out []string
	fields := map[string]bool{}
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		fields[name] = true
		prop, ok := s.Properties[name]
		if !ok || prop.Value == nil {
			out = append(out, fmt.Sprintf("%s.%s: field %s.%s is not in the schema", path, name, t.Name(), f.Name))
			continue
		}
		fc := c
		fc.owner = t.Name() + "." + f.Name
		out = append(out, fc.compare(path+"."+name, f.Type, prop.Value)...)
	}
	for _, req := range s.Required {
		if c.required && !fields[req] {
			out = append(out, fmt.Sprintf("%s.%s: required by the schema, missing from Go type %s", path, req, t))
		}
	}
	return out
}

// label names the field at path for a message: "$.tier (Loyalty.Tier)".
func (c checker) label(path string) string {
	if c.owner == "" {
		return path
	}
	return path + " (" + c.owner + ")"
}

// merge folds allOf into one object schema (properties and required).
func merge(s *openapi3.Schema) *openapi3.Schema {
	m := &openapi3.Schema{Type: s.Type, Properties: openapi3.Schemas{}, Required: slices.Clone(s.Required)}
	for k, v := range s.Properties {
		m.Properties[k] = v
	}
	for _, part := range s.AllOf {
		p := part.Value
		if len(p.AllOf) > 0 {
			p = merge(p)
		}
		for k, v := range p.Properties {
			m.Properties[k] = v
		}
		m.Required = append(m.Required, p.Required...)
		if m.Type.IsEmpty() {
			m.Type = p.Type
		}
	}
	return m
}

func typeOf(s *openapi3.Schema) string {
	if s.Type == nil || s.Type.IsEmpty() {
		return "(none)"
	}
	return strings.Join(*s.Type, "|")
}
