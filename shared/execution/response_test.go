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

// TestMarshalDataSizesTheBufferFromTheLastAnswer: the second answer of an
// operation is written into a buffer that already has room for all of
// it, and the bytes are the marshaller's.
func TestMarshalDataSizesTheBufferFromTheLastAnswer(t *testing.T) {
	answer := `{"products":` + strings.Repeat(`{"id":"prd_000001"},`, 500) + `null}`
	var room int // what the buffer had free when the data started
	data := graphql.WriterFunc(func(w io.Writer) {
		room = w.(*bytes.Buffer).Available()
		_, _ = io.WriteString(w, answer)
	})
	ctx := graphql.WithOperationContext(context.Background(), &graphql.OperationContext{Doc: &ast.QueryDocument{}})

	var first bytes.Buffer
	execution.MarshalData(ctx, data, &first)
	if first.String() != answer {
		t.Fatalf("the first answer is %.80q…, not the marshaller's", first.String())
	}
	var second bytes.Buffer
	execution.MarshalData(ctx, data, &second)
	if second.String() != answer {
		t.Fatal("the second answer is not the marshaller's")
	}
	if room < len(answer) {
		t.Errorf("the second answer started with room for %d bytes, want at least its %d", room, len(answer))
	}

	// Without an operation it is data.MarshalGQL.
	var plain bytes.Buffer
	execution.MarshalData(context.Background(), data, &plain)
	if plain.String() != answer || room != 0 {
		t.Fatalf("without an operation: room %d, answer differs %v", room, plain.String() != answer)
	}
}
