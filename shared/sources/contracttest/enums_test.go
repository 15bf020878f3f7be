package contracttest_test

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protodesc"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/descriptorpb"

	"github.com/tandemgw/tandem/shared/connector"
	"github.com/tandemgw/tandem/shared/sources/contracttest"
)

// LoyaltyTier is what gqlgen generates for testdata's enum LoyaltyTier:
// a string whose IsValid is what decoding an answer checks.
type LoyaltyTier string

func (e LoyaltyTier) IsValid() bool {
	switch e {
	case "BRONZE", "SILVER", "GOLD":
		return true
	}
	return false
}

// ProtoTier is the model of testdata's enum ProtoTier, spelled as the
// proto enum loyaltytest.v1.Tier is.
type ProtoTier string

func (e ProtoTier) IsValid() bool {
	switch e {
	case "TIER_UNSPECIFIED", "TIER_BRONZE", "TIER_GOLD":
		return true
	}
	return false
}

type loyalty struct {
	Tier LoyaltyTier `json:"tier"`
}

// TestEnumMismatches holds a GraphQL enum against a contract that spells
// its values otherwise (testdata/openapi/loyalty.yaml): each way fails
// with a message naming the field, the enum and both spellings, and the
// contract that agrees passes.
func TestEnumMismatches(t *testing.T) {
	doc := contracttest.Load(t, filepath.Join("testdata", "openapi", "loyalty.yaml"))
	enums, err := contracttest.LoadSDLEnums(filepath.Join("testdata", "graphql"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		path string
		want []string // nil when the contract agrees
	}{
		{"/users/{$parent.id}/loyalty", []string{`$.tier (loyalty.Tier): GraphQL enum LoyaltyTier`, `"bronze" (SDL BRONZE), "silver" (SDL SILVER), "gold" (SDL GOLD)`, "UPSTREAM_ERROR"}},
		{"/v2/users/{$parent.id}/loyalty", nil},
		{"/v3/users/{$parent.id}/loyalty", []string{"lists no enum values", "(BRONZE, SILVER, GOLD)"}},
		{"/v4/users/{$parent.id}/loyalty", []string{`has no value "PLATINUM"`, "has value GOLD, which the OpenAPI contract does not list"}},
	}
	for _, c := range cases {
		t.Run(c.path, func(t *testing.T) {
			got := strings.Join(contracttest.EndpointMismatches(doc, connector.Spec{Get: c.path}, reflect.TypeFor[*loyalty](), enums), "\n")
			t.Log(got)
			if c.want == nil && got != "" {
				t.Fatalf("want no mismatch, got:\n%s", got)
			}
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("want a mismatch with %q, got:\n%s", w, got)
				}
			}
		})
	}
	// Without the SDL, the contract's values are still held to the model.
	got := strings.Join(contracttest.EndpointMismatches(doc, connector.Spec{Get: cases[0].path}, reflect.TypeFor[*loyalty](), nil), "\n")
	if !strings.Contains(got, `"bronze" (SDL BRONZE)`) {
		t.Errorf("without the SDL: want the spelling mismatch, got:\n%s", got)
	}
}

// TestProtoEnumMismatches holds a @grpc endpoint's enums against the
// proto's: the generated mapping converts a proto enum by its value's
// full name, so the GraphQL enum must spell TIER_BRONZE, zero value
// included.
func TestProtoEnumMismatches(t *testing.T) {
	registerLoyaltyProto(t)
	enums, err := contracttest.LoadSDLEnums(filepath.Join("testdata", "graphql"))
	if err != nil {
		t.Fatal(err)
	}
	spec := connector.Spec{Method: "tandem.loyaltytest.v1.LoyaltyService/BatchGetLoyalty", Key: "userId"}
	type agrees struct {
		Tier ProtoTier `json:"tier"`
	}
	if m := contracttest.ProtoEnumMismatches(spec, reflect.TypeFor[*agrees](), enums); len(m) > 0 {
		t.Fatalf("want no mismatch, got %v", m)
	}
	got := strings.Join(contracttest.ProtoEnumMismatches(spec, reflect.TypeFor[*loyalty](), enums), "\n")
	t.Log(got)
	for _, w := range []string{
		`Loyalty.tier (loyalty.Tier): GraphQL enum LoyaltyTier: proto enum tandem.loyaltytest.v1.Tier spells "TIER_BRONZE" (SDL BRONZE), "TIER_GOLD" (SDL GOLD)`,
		`has no value "TIER_UNSPECIFIED"`,
		"has value SILVER",
	} {
		if !strings.Contains(got, w) {
			t.Errorf("want a mismatch with %q, got:\n%s", w, got)
		}
	}
	got = strings.Join(contracttest.ProtoEnumMismatches(connector.Spec{Method: "tandem.loyaltytest.v1.LoyaltyService/Nope"}, reflect.TypeFor[*loyalty](), enums), "\n")
	if !strings.Contains(got, "no method") {
		t.Errorf("unknown method: got %q", got)
	}
}

// registerLoyaltyProto registers, once, the descriptors of
//
//	enum Tier { TIER_UNSPECIFIED = 0; TIER_BRONZE = 1; TIER_GOLD = 2; }
//	message Loyalty { string user_id = 1; Tier tier = 2; }
//	message BatchGetLoyaltyRequest { repeated string user_ids = 1; }
//	message BatchGetLoyaltyResponse { repeated Loyalty loyalties = 1; }
//	service LoyaltyService { rpc BatchGetLoyalty(...) returns (...); }
//
// as buf generate's code would on import.
func registerLoyaltyProto(t *testing.T) {
	t.Helper()
	const name = "tandem/loyaltytest/v1/loyalty.proto"
	if _, err := protoregistry.GlobalFiles.FindFileByPath(name); err == nil {
		return
	}
	field := func(name string, n int32, typ descriptorpb.FieldDescriptorProto_Type, label descriptorpb.FieldDescriptorProto_Label, typeName string) *descriptorpb.FieldDescriptorProto {
		f := &descriptorpb.FieldDescriptorProto{Name: proto.String(name), Number: proto.Int32(n), Type: typ.Enum(), Label: label.Enum()}
		if typeName != "" {
			f.TypeName = proto.String(typeName)
		}
		return f
	}
	opt, rep := descriptorpb.FieldDescriptorProto_LABEL_OPTIONAL, descriptorpb.FieldDescriptorProto_LABEL_REPEATED
	value := func(name string, n int32) *descriptorpb.EnumValueDescriptorProto {
		return &descriptorpb.EnumValueDescriptorProto{Name: proto.String(name), Number: proto.Int32(n)}
	}
	fd := &descriptorpb.FileDescriptorProto{
		Name:    proto.String(name),
		Package: proto.String("tandem.loyaltytest.v1"),
		Syntax:  proto.String("proto3"),
		EnumType: []*descriptorpb.EnumDescriptorProto{{
			Name:  proto.String("Tier"),
			Value: []*descriptorpb.EnumValueDescriptorProto{value("TIER_UNSPECIFIED", 0), value("TIER_BRONZE", 1), value("TIER_GOLD", 2)},
		}},
		MessageType: []*descriptorpb.DescriptorProto{
			{Name: proto.String("Loyalty"), Field: []*descriptorpb.FieldDescriptorProto{
				field("user_id", 1, descriptorpb.FieldDescriptorProto_TYPE_STRING, opt, ""),
				field("tier", 2, descriptorpb.FieldDescriptorProto_TYPE_ENUM, opt, ".tandem.loyaltytest.v1.Tier"),
			}},
			{Name: proto.String("BatchGetLoyaltyRequest"), Field: []*descriptorpb.FieldDescriptorProto{
				field("user_ids", 1, descriptorpb.FieldDescriptorProto_TYPE_STRING, rep, ""),
			}},
			{Name: proto.String("BatchGetLoyaltyResponse"), Field: []*descriptorpb.FieldDescriptorProto{
				field("loyalties", 1, descriptorpb.FieldDescriptorProto_TYPE_MESSAGE, rep, ".tandem.loyaltytest.v1.Loyalty"),
			}},
		},
		Service: []*descriptorpb.ServiceDescriptorProto{{
			Name: proto.String("LoyaltyService"),
			Method: []*descriptorpb.MethodDescriptorProto{{
				Name:       proto.String("BatchGetLoyalty"),
				InputType:  proto.String(".tandem.loyaltytest.v1.BatchGetLoyaltyRequest"),
				OutputType: proto.String(".tandem.loyaltytest.v1.BatchGetLoyaltyResponse"),
			}},
		}},
	}
	f, err := protodesc.NewFile(fd, protoregistry.GlobalFiles)
	if err != nil {
		t.Fatal(err)
	}
	if err := protoregistry.GlobalFiles.RegisterFile(f); err != nil {
		t.Fatal(err)
	}
}
