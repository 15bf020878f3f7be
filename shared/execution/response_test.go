package execution_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tandemgw/tandem/shared/execution"
)

// TestMarshalDataGrowsOnceForARepeatedOperation: the second answer of an
// operation is written into a buffer grown once, to about the first's
// size, and the bytes are the marshaller's.
func TestMarshalDataGrowsOnceForARepeatedOperation(t *testing.T) {
	answer := `{"products":` + strings.Repeat(`{"id":"prd_000001"},`, 500) + `null}`
	data := graphql.WriterFunc(func(w io.Writer) { _, _ = io.WriteString(w, answer) })
	ctx := graphql.WithOperationContext(context.Background(), &graphql.OperationContext{Doc: &ast.QueryDocument{}})

	var first bytes.Buffer
	execution.MarshalData(ctx, data, &first)
	if first.String() != answer {
		t.Fatalf("the first answer is %.80q…, not the marshaller's", first.String())
	}
	allocs := testing.AllocsPerRun(20, func() {
		var buf bytes.Buffer
		execution.MarshalData(ctx, data, &buf)
		if buf.Len() != len(answer) {
			t.Fatalf("%d bytes written, want %d", buf.Len(), len(answer))
		}
	})
	// The buffer escapes (it is written through an interface), and its
	// bytes are allocated once.
	if allocs != 2 {
		t.Errorf("%v allocations for a repeated answer, want 2 (the buffer and its bytes, grown once)", allocs)
	}

	// Without an operation context it is data.MarshalGQL.
	var plain bytes.Buffer
	execution.MarshalData(context.Background(), data, &plain)
	if plain.String() != answer {
		t.Fatal("without an operation the answer differs")
	}
}
