package graph

import (
	"context"
	"fmt"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/upstream"
)

// Client-facing error codes raised by the resolvers themselves; upstream
// failures carry the codes of shared/upstream and the failing service.
const (
	// CodeBadUserInput: an argument is out of the documented range.
	CodeBadUserInput = "BAD_USER_INPUT"
	// CodeUnauthenticated: no principal (normally caught by @authenticated).
	CodeUnauthenticated = "UNAUTHENTICATED"
)

// badInput is a BAD_USER_INPUT error at the current field's path.
func badInput(ctx context.Context, format string, args ...any) error {
	return &gqlerror.Error{
		Message:    fmt.Sprintf(format, args...),
		Path:       graphql.GetPath(ctx),
		Extensions: map[string]any{"code": CodeBadUserInput},
	}
}

// viewerID returns the signed-in user's id. @authenticated guards every field
// that calls it; the check here keeps a schema mistake from becoming a
// request for user "".
func viewerID(ctx context.Context) (string, error) {
	if p, ok := auth.FromContext(ctx); ok && p != nil && p.Subject != "" {
		return p.Subject, nil
	}
	return "", &gqlerror.Error{
		Message:    "authentication required",
		Path:       graphql.GetPath(ctx),
		Extensions: map[string]any{"code": CodeUnauthenticated},
	}
}

// pageSize checks a `first` argument against 1..MaxPageSize.
func pageSize(ctx context.Context, first int) (int, error) {
	if first < 1 || first > MaxPageSize {
		return 0, badInput(ctx, "first must be between 1 and %d", MaxPageSize)
	}
	return first, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// validIdempotencyKey accepts 1 to MaxIdempotencyKey visible ASCII
// characters (a UUID fits), so the key travels safely in an HTTP header;
// the rule is the one both BFFs share (upstream.CheckIdempotencyKey).
func validIdempotencyKey(k string) bool {
	return upstream.CheckIdempotencyKey("idempotencyKey", k, MaxIdempotencyKey) == nil
}
