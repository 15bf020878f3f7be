package graph

import (
	"context"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/auth"
)

// Client-facing error codes raised by the resolvers themselves (upstream
// failures carry the upstream package's codes instead).
const (
	// CodeBadUserInput: an argument is out of range.
	CodeBadUserInput = "BAD_USER_INPUT"
	// CodeUnauthenticated: no principal (normally caught by @authenticated).
	CodeUnauthenticated = "UNAUTHENTICATED"
)

func badInput(ctx context.Context, msg string) error {
	return &gqlerror.Error{
		Message:    msg,
		Path:       graphql.GetPath(ctx),
		Extensions: map[string]any{"code": CodeBadUserInput},
	}
}

// viewerID returns the signed-in user's id. @authenticated guards every field
// that calls it; the check here keeps a schema mistake from turning into a
// request for user "".
func viewerID(ctx context.Context) (string, error) {
	p, ok := auth.FromContext(ctx)
	if !ok || p == nil || p.Subject == "" {
		return "", &gqlerror.Error{
			Message:    "authentication required",
			Path:       graphql.GetPath(ctx),
			Extensions: map[string]any{"code": CodeUnauthenticated},
		}
	}
	return p.Subject, nil
}

// pageSize validates a `first` argument: nil gives def, anything outside
// 1..max is a BAD_USER_INPUT error.
func (r *Resolver) pageSize(ctx context.Context, first *int, def int) (int, error) {
	if first == nil {
		return def, nil
	}
	max := r.MaxPageSize
	if max <= 0 {
		max = DefaultMaxPageSize
	}
	if *first < 1 || *first > max {
		return 0, badInput(ctx, "first must be between 1 and "+strconv.Itoa(max))
	}
	return *first, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Input limits of the mutations (documented in orders.graphqls).
const (
	maxCartQuantity      = 99
	maxIdempotencyKeyLen = 200
)
