package server

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tandemgw/tandem/shared/execution"
)

type interceptingExtension struct{}

func (interceptingExtension) ExtensionName() string                   { return "intercepting" }
func (interceptingExtension) Validate(graphql.ExecutableSchema) error { return nil }
func (interceptingExtension) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	return next(ctx)
}

type plainObserver struct{}

func (plainObserver) ObserveField(context.Context, *graphql.FieldContext, any, error) {}

// TestDirectObserversOnlyWithoutAnotherFieldInterceptor: the executor
// calls the observers itself only when nothing else intercepts fields,
// since those calls skip gqlgen's chain.
func TestDirectObserversOnlyWithoutAnotherFieldInterceptor(t *testing.T) {
	observers := []execution.FieldObserver{plainObserver{}}
	if otherFieldInterceptor(nil, []graphql.HandlerExtension{budgetExtension{}}, observers) {
		t.Error("the server's own extensions count as another field interceptor")
	}
	if !otherFieldInterceptor(nil, []graphql.HandlerExtension{interceptingExtension{}}, observers) {
		t.Error("a configured extension that intercepts fields is not seen")
	}
	if !otherFieldInterceptor([]graphql.HandlerExtension{interceptingExtension{}}, nil, observers) {
		t.Error("a persisted-operations extension that intercepts fields is not seen")
	}
}
