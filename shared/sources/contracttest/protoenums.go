package contracttest

import (
	"fmt"
	"reflect"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"

	"github.com/tandemgw/tandem/shared/connector"
)

// ProtoEnumMismatches holds the GraphQL enums that a @grpc endpoint's
// answer (value, the Go model) maps onto against the proto enums they
// are mapped from. The generated mapping converts a proto enum by its
// value's full name (x.String()), prefix and zero value included, so the
// GraphQL enum must have exactly the proto's value names: TIER_BRONZE,
// not BRONZE. The method's descriptor comes from the protobuf registry,
// which the BFF's generated code fills by importing the service's
// package. enums are the SDL's enums (nil: only the proto's values are
// checked).
func ProtoEnumMismatches(spec connector.Spec, value reflect.Type, enums SDLEnums) []string {
	svc, method, _ := strings.Cut(spec.Method, "/")
	d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(svc))
	if err != nil {
		return []string{fmt.Sprintf("service %s is not in the protobuf registry (is its generated package imported?)", svc)}
	}
	sd, ok := d.(protoreflect.ServiceDescriptor)
	if !ok || sd.Methods().ByName(protoreflect.Name(method)) == nil {
		return []string{fmt.Sprintf("no method %s", spec.Method)}
	}
	answer := sd.Methods().ByName(protoreflect.Name(method)).Output()
	// A batch answer's items are its repeated message field whose items
	// carry the key (the directive's items and key).
	roots := []protoreflect.MessageDescriptor{answer}
	if spec.Key != "" {
		var items []protoreflect.MessageDescriptor
		for i := range answer.Fields().Len() {
			f := answer.Fields().Get(i)
			if f.IsList() && f.Message() != nil && protoFieldOf(f.Message(), spec.Key, "") != nil {
				items = append(items, f.Message())
			}
		}
		if len(items) > 0 {
			roots = items
		}
	}
	var out []string
	for _, m := range roots {
		var fd protoreflect.FieldDescriptor
		for _, a := range spec.At {
			if fd = protoFieldOf(m, a, ""); fd == nil || fd.Message() == nil {
				break
			}
			m = fd.Message()
		}
		c := checker{enums: enums}
		if fd != nil && fd.Enum() != nil {
			out = append(out, c.protoEnum(strings.Join(spec.At, "."), value, fd)...)
			continue
		}
		out = append(out, c.protoMessage(value, m)...)
	}
	return out
}

// protoMessage walks the Go model t alongside message m as the generated
// mappers do (each model field from the message field of its JSON name).
func (c checker) protoMessage(t reflect.Type, m protoreflect.MessageDescriptor) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if t.Kind() != reflect.Struct || m.FullName() == "google.protobuf.Timestamp" {
		return nil
	}
	var out []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "-" {
			continue
		}
		fd := protoFieldOf(m, name, f.Name)
		if fd == nil {
			continue // filled by a resolver: generation checks the rest
		}
		fc := c
		fc.owner = t.Name() + "." + f.Name
		switch {
		case fd.Enum() != nil:
			out = append(out, fc.protoEnum(string(m.Name())+"."+string(fd.Name()), f.Type, fd)...)
		case fd.Message() != nil:
			out = append(out, fc.protoMessage(f.Type, fd.Message())...)
		}
	}
	return out
}

// protoEnum compares the enum field fd with the Go type t it maps onto.
func (c checker) protoEnum(path string, t reflect.Type, fd protoreflect.FieldDescriptor) []string {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
		t = t.Elem()
	}
	if !isEnum(t) {
		return nil // a String field: any name maps
	}
	var values []string
	for i := range fd.Enum().Values().Len() {
		values = append(values, string(fd.Enum().Values().Get(i).Name()))
	}
	return c.enumMismatches(c.label(path), t, values, "proto enum "+string(fd.Enum().FullName()),
		"the connector maps a proto enum by its value's full name (String()), so any other spelling reaches the client as a value the schema does not have")
}

// protoFieldOf finds the field of m that the generated mapping reads for
// a model field: by JSON name, proto name, or Go name ignoring case.
func protoFieldOf(m protoreflect.MessageDescriptor, jsonName, goName string) protoreflect.FieldDescriptor {
	for i := range m.Fields().Len() {
		f := m.Fields().Get(i)
		camel := strings.ReplaceAll(string(f.Name()), "_", "")
		if f.JSONName() == jsonName || string(f.Name()) == jsonName || strings.EqualFold(camel, jsonName) || (goName != "" && strings.EqualFold(camel, goName)) {
			return f
		}
	}
	return nil
}
