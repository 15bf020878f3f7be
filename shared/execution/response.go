package execution

import (
	"bytes"
	"context"
	"sync/atomic"
	"unsafe"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalData is data.MarshalGQL(buf) for the generated executor's Exec:
// the response's data is written into a buffer grown at once to about
// the size the same operation's last answer had, instead of from empty by
// doubling, which allocated and copied several times an answer's size.
func MarshalData(ctx context.Context, data graphql.Marshaler, buf *bytes.Buffer) {
	slot := sizeSlot(ctx)
	if slot != nil {
		if n := slot.Load(); n > 0 {
			buf.Grow(int(n) + int(n)/8)
		}
	}
	data.MarshalGQL(buf)
	if slot != nil {
		slot.Store(int32(min(buf.Len(), maxSizeHint)))
	}
}

// maxSizeHint bounds the buffer a hint grows: an answer larger than this
// grows the rest of its way as before.
const maxSizeHint = 1 << 20

// sizeHints remembers the last answer size of recent operations, by their
// parsed document (gqlgen keeps one per query text in its cache, so
// repeated operations share it). A fixed table: operations whose
// documents share a slot only make each other's first guess worse, and
// nothing is kept per document.
var sizeHints [256]atomic.Int32

func sizeSlot(ctx context.Context) *atomic.Int32 {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	doc := graphql.GetOperationContext(ctx).Doc
	if doc == nil {
		return nil
	}
	p := uintptr(unsafe.Pointer(doc))
	return &sizeHints[(p>>4^p>>12)%uintptr(len(sizeHints))]
}
