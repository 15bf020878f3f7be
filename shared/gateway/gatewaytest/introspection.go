package gatewaytest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/shared/errcode"
)

// GraphiQLIntrospectionQuery is the schema query GraphiQL sends when it
// opens: graphql-js's getIntrospectionQuery with descriptions, the schema
// description and input value deprecation, and its default type depth of 9
// ofType levels. Its deepest selection (__schema › types › fields › args ›
// type › nine ofType › name) is at depth 15, and it selects a few hundred
// fields: over any operation limit a BFF sets for its own queries.
var GraphiQLIntrospectionQuery = introspectionQuery(9)

// introspectionQuery writes the query with typeDepth nested ofType
// selections in TypeRef.
func introspectionQuery(typeDepth int) string {
	var typeRef strings.Builder
	for range typeDepth {
		typeRef.WriteString(" ofType { name kind")
	}
	typeRef.WriteString(strings.Repeat(" }", typeDepth))
	return `query IntrospectionQuery {
  __schema {
    description
    queryType { name kind }
    mutationType { name kind }
    subscriptionType { name kind }
    types { ...FullType }
    directives {
      name
      description
      locations
      args(includeDeprecated: true) { ...InputValue }
    }
  }
}

fragment FullType on __Type {
  kind
  name
  description
  fields(includeDeprecated: true) {
    name
    description
    args(includeDeprecated: true) { ...InputValue }
    type { ...TypeRef }
    isDeprecated
    deprecationReason
  }
  inputFields(includeDeprecated: true) { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) {
    name
    description
    isDeprecated
    deprecationReason
  }
  possibleTypes { ...TypeRef }
}

fragment InputValue on __InputValue {
  name
  description
  type { ...TypeRef }
  defaultValue
  isDeprecated
  deprecationReason
}

fragment TypeRef on __Type {
  kind
  name` + typeRef.String() + `
}
`
}

// CheckIntrospection checks a BFF's introspection policy through the real
// handler: dev (an Env with Config.Dev) answers GraphiQLIntrospectionQuery
// in full, although it is over the BFF's depth limit (maxDepth) and cost
// ceiling, while a non-introspection operation over the depth limit is
// still refused there; prod (without Dev) refuses both GraphiQL's query and
// the smallest introspection query, answering no schema.
func CheckIntrospection(t *testing.T, dev, prod *Env, maxDepth int) {
	t.Helper()
	if maxDepth <= 0 || maxDepth >= 15 {
		t.Fatalf("depth limit %d: GraphiQL's query (depth 15) would not exceed it, the check proves nothing", maxDepth)
	}
	r := dev.Do(Request{Query: GraphiQLIntrospectionQuery})
	r.NoErrors(t)
	var got struct {
		Schema struct {
			QueryType struct{ Name string }
			Types     []struct {
				Name   string
				Fields []struct{ Name string }
			}
			Directives []struct{ Name string }
		} `json:"__schema"`
	}
	r.Decode(t, &got)
	names := map[string]bool{}
	for _, ty := range got.Schema.Types {
		names[ty.Name] = true
	}
	if got.Schema.QueryType.Name != "Query" || !names["Query"] || !names["Product"] || !names["__Schema"] {
		t.Fatalf("dev: introspection answered an incomplete schema: %.500s", r.Raw)
	}
	directives := map[string]bool{}
	for _, d := range got.Schema.Directives {
		directives[d.Name] = true
	}
	if !directives["authenticated"] || !directives["requiresScopes"] {
		t.Fatalf("dev: the schema's directives are missing: %v", directives)
	}

	// The exemption is for operations of introspection only: next to a
	// real field, the same deep introspection is refused in dev mode too.
	mixed := `{ product(id: "prd_000001") { name } __type(name: "Product") { fields { type { ` +
		strings.Repeat("ofType { ", maxDepth) + "name" + strings.Repeat(" }", maxDepth) + " } } } }"
	if r := dev.Do(Request{Query: mixed}); r.Status != http.StatusBadRequest || len(r.Errors) != 1 ||
		r.Errors[0].Extensions["limit"] != "depth" {
		t.Fatalf("dev: a deep operation with a real field was not refused by the depth limit: %d %.300s", r.Status, r.Raw)
	}

	for _, q := range []string{GraphiQLIntrospectionQuery, `{ __schema { queryType { name } } }`} {
		r := prod.Do(Request{Query: q})
		if len(r.Errors) != 1 || r.Code() != errcode.IntrospectionDisabled {
			t.Fatalf("prod: introspection not refused with INTROSPECTION_DISABLED: %.300s", r.Raw)
		}
		if strings.Contains(string(r.Data), "queryType") || strings.Contains(string(r.Data), "Product") {
			t.Fatalf("prod: introspection leaked the schema: %.300s", r.Raw)
		}
	}
}
