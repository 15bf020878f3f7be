package persisted

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/errcode"
)

// NotFoundMessage is the message of PERSISTED_QUERY_NOT_FOUND errors, as
// Apollo's persisted query links expect it.
const NotFoundMessage = "PersistedQueryNotFound"

func errNotFound() *gqlerror.Error {
	return errcode.New(errcode.PersistedQueryNotFound, NotFoundMessage)
}

func errNotInList() *gqlerror.Error {
	return errcode.New(errcode.PersistedQueryNotInList,
		"this operation is not in the trusted documents of this API; send the documentId of a published operation")
}

func errHashMismatch() *gqlerror.Error {
	return errcode.New(errcode.PersistedQueryHashMismatch, "extensions.persistedQuery.sha256Hash is not the SHA-256 of the query")
}

func errBadExtension(msg string) *gqlerror.Error {
	return errcode.New(errcode.BadRequest, msg)
}

type documentIDKey struct{}

// WithDocumentID returns ctx carrying the request's documentId parameter
// (GraphQL-over-HTTP persisted documents); the transport calls it before
// the operation is created, the trusted documents extension reads it.
func WithDocumentID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, documentIDKey{}, id)
}

// DocumentIDFrom returns the documentId WithDocumentID stored.
func DocumentIDFrom(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(documentIDKey{}).(string)
	return id, ok && id != ""
}

// Resolution says how an operation's text was found; the transport reads it
// to decide whether a GET answer may be cached by shared caches.
type Resolution struct {
	// Trusted: the operation is in a trusted document manifest.
	Trusted bool
	// ByReference: the client sent a documentId or a hash, not the text.
	ByReference bool
	// Hash is the SHA-256 of the operation text.
	Hash string
}

const resolutionStat = "TandemPersisted"

func setResolution(ctx context.Context, r Resolution) {
	if oc := operationContext(ctx); oc != nil {
		oc.Stats.SetExtension(resolutionStat, r)
	}
}

// ResolutionOf returns how the operation of oc was resolved; ok is false for
// an operation sent as text that no manifest lists.
func ResolutionOf(oc *graphql.OperationContext) (r Resolution, ok bool) {
	if oc == nil {
		return Resolution{}, false
	}
	r, ok = oc.Stats.GetExtension(resolutionStat).(Resolution)
	return r, ok
}

func operationContext(ctx context.Context) *graphql.OperationContext {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	return graphql.GetOperationContext(ctx)
}
