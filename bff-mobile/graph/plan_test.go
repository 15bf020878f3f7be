package graph_test

import (
	"testing"

	"github.com/tandemgw/tandem/bff-mobile/graph"
	"github.com/tandemgw/tandem/bff-mobile/graph/generated"
	"github.com/tandemgw/tandem/shared/prefetch/prefetchtest"
)

// Every field whose resolver reads a source per parent object has a plan
// step: the schema's @rest, @grpc and @loads fields, and any resolver the
// code shows reading a source (see prefetchtest.CheckSteps).
func TestEveryFieldReadingASourceHasAStep(t *testing.T) {
	es := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}})
	plan := graph.Plan()
	if err := plan.Validate(es); err != nil {
		t.Fatal(err)
	}
	prefetchtest.CheckSteps(t, plan, es, ".", "github.com/tandemgw/tandem/bff-mobile/graph")
}

// Every level holding a batched field resolves inline: a query reaching
// each of them along the plan's walk runs that level without a goroutine
// per item and field (see prefetchtest.CheckInline).
func TestEveryBatchedLevelResolvesInline(t *testing.T) {
	es := generated.NewExecutableSchema(generated.Config{Resolvers: &graph.Resolver{}})
	plan := graph.Plan()
	if err := plan.Validate(es); err != nil {
		t.Fatal(err)
	}
	prefetchtest.CheckInline(t, plan, es, generated.ConcurrentFields)
}
