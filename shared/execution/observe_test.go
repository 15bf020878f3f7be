package execution

import (
	"context"
	"errors"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

type recorder struct {
	name string
	log  *[]string
}

func (r recorder) ObserveField(_ context.Context, fc *graphql.FieldContext, res any, err error) {
	*r.log = append(*r.log, r.name+":"+fc.Object+":"+res.(string)+":"+errString(err))
}

func errString(err error) string {
	if err == nil {
		return "nil"
	}
	return err.Error()
}

// Observe resolves the field once, then tells every observer, in order,
// what it returned, and passes the result on unchanged.
func TestObserveTellsEachObserverInOrder(t *testing.T) {
	if Observe() != nil {
		t.Fatal("Observe() with no observers is an interceptor")
	}
	var log []string
	fi := Observe(recorder{"plan", &log}, recorder{"cost", &log})
	ctx := graphql.WithFieldContext(context.Background(), &graphql.FieldContext{Object: "Product"})
	boom := errors.New("boom")
	calls := 0
	res, err := fi.InterceptField(ctx, func(context.Context) (any, error) { calls++; return "v", boom })
	if res != "v" || err != boom || calls != 1 {
		t.Fatalf("InterceptField = %v, %v after %d resolutions", res, err, calls)
	}
	want := []string{"plan:Product:v:boom", "cost:Product:v:boom"}
	if len(log) != 2 || log[0] != want[0] || log[1] != want[1] {
		t.Fatalf("observed %v, want %v", log, want)
	}
}
