// Package generated is the GraphQL executor gqlgen writes from bff-mobile/gqlgen.yml
// and the schemas it names (make generate). Nothing in it is edited by hand.
package generated
