package resolve

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/upstream"
)

// SignedIn returns the verified principal's subject, and false for an
// anonymous request: for fields that answer anonymous callers differently
// instead of refusing them.
func SignedIn(ctx context.Context) (string, bool) {
	p, ok := auth.FromContext(ctx)
	if !ok || p == nil || p.Subject == "" {
		return "", false
	}
	return p.Subject, true
}

// ViewerID returns the signed-in user's id, or an UNAUTHENTICATED error at
// the field's path. @authenticated guards every field that calls it; the
// check here keeps a schema mistake from becoming a request for user "".
func ViewerID(ctx context.Context) (string, error) {
	if id, ok := SignedIn(ctx); ok {
		return id, nil
	}
	return "", &gqlerror.Error{
		Message:    "authentication required",
		Path:       graphql.GetPath(ctx),
		Extensions: map[string]any{"code": string(errcode.Unauthenticated)},
	}
}

// ViewerOrder loads order id for the signed-in viewer. Another user's order
// is answered exactly like an unknown one (NOT_FOUND of orders), so ids
// cannot be probed.
func ViewerOrder(ctx context.Context, id string) (*orders.Order, error) {
	viewer, err := ViewerID(ctx)
	if err != nil {
		return nil, err
	}
	o, err := orders.For(ctx).Order(ctx, id)
	if err != nil {
		return nil, err
	}
	if o.UserID != viewer {
		return nil, upstream.NotFound(orders.ID, "order", id)
	}
	return o, nil
}
