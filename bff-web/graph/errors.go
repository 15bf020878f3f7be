package graph

import (
	"context"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/server"
)

// badInput is a client-facing error for an argument out of range; the
// codes are the shared core's, so clients see one vocabulary.
func badInput(ctx context.Context, msg string) error {
	return &gqlerror.Error{
		Message:    msg,
		Path:       graphql.GetPath(ctx),
		Extensions: map[string]any{"code": server.CodeBadInput},
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
			Extensions: map[string]any{"code": auth.CodeUnauthenticated},
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
