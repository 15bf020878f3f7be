package resolve

import (
	"context"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/upstream"
)

// Limits both BFFs' mutations share. They are the backends' contract, so a
// client meets the same limit on the web and in the app.
const (
	// MaxCartQuantity is the largest quantity of one addToCart (the orders
	// service's cart line maximum, schema/openapi/orders.yaml).
	MaxCartQuantity = 99
	// MaxIdempotencyKey is the longest idempotency key placeOrder accepts: a
	// UUID fits with room to spare, well under what the orders service takes
	// (upstream.MaxIdempotencyKey).
	MaxIdempotencyKey = 128
)

// BadInput is the client-facing error for an argument that breaks its
// documented rule: message "<field> <rule>" (as upstream.InputError
// writes it), the current field's path and code BAD_USER_INPUT. The rule
// never quotes the value.
func BadInput(ctx context.Context, field, rule string) error {
	return &gqlerror.Error{
		Message:    field + " " + rule,
		Path:       graphql.GetPath(ctx),
		Extensions: map[string]any{"code": string(errcode.BadUserInput)},
	}
}

// Between checks that the argument field is within min..max.
func Between(ctx context.Context, field string, v, min, max int) error {
	if v < min || v > max {
		return BadInput(ctx, field, fmt.Sprintf("must be between %d and %d", min, max))
	}
	return nil
}

// MaxRunes checks that the text argument field has at most max characters.
func MaxRunes(ctx context.Context, field, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return BadInput(ctx, field, fmt.Sprintf("must be at most %d characters", max))
	}
	return nil
}

// PageSize is the one rule for a paginated field's `first`: def when the
// client gave none (a nullable argument), else the value, which must be
// within 1..max ("first must be between 1 and <max>").
func PageSize(ctx context.Context, first *int, def, max int) (int, error) {
	n := def
	if first != nil {
		n = *first
	}
	if err := Between(ctx, "first", n, 1, max); err != nil {
		return 0, err
	}
	return n, nil
}

// IdempotencyKey checks a mutation's idempotency key with the rule the
// orders source applies again before the key becomes a header
// (upstream.CheckIdempotencyKey): 1 to MaxIdempotencyKey visible ASCII
// characters, taken as sent. A key with surrounding spaces is refused, not
// trimmed: two keys that differ must never name the same order.
func IdempotencyKey(ctx context.Context, field, key string) error {
	return Input(ctx, upstream.CheckIdempotencyKey(field, key, MaxIdempotencyKey))
}

// Input turns the *upstream.InputError of a shared check into BadInput;
// nil stays nil and any other error is returned as it is.
func Input(ctx context.Context, err error) error {
	var ie *upstream.InputError
	if errors.As(err, &ie) {
		return BadInput(ctx, ie.Field, ie.Rule)
	}
	return err
}
