package graph_test

import (
	"testing"

	"github.com/tandemgw/tandem/bff-web/graph"
	"github.com/tandemgw/tandem/shared/sources/contracttest"
)

// TestDirectivesMatchContracts holds every @rest directive of the schema
// against its service's OpenAPI document: paths, query parameters, batch
// keys and the fields the answers decode into.
func TestDirectivesMatchContracts(t *testing.T) {
	contracttest.CheckEndpoints(t, "../../schema/openapi", graph.ConnectorEndpoints)
}
