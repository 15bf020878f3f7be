// Package generated is the GraphQL executor gqlgen writes from bff-web/gqlgen.yml
// and the schemas it names, as tools/gqlgen rewrites it to call
// shared/execution (make generate; each rewritten file says so in its
// header). Nothing in it is edited by hand.
package generated
