package gatewaytest

import "strings"

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
