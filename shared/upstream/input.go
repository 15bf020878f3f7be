package upstream

import (
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// MaxIdempotencyKey is the longest Idempotency-Key the services accept
// (schema/openapi/orders.yaml).
const MaxIdempotencyKey = 255

// MaxID is the longest id the gateway sends in a path segment or a batch.
const MaxID = 256

// CheckIdempotencyKey validates a caller's idempotency key before it
// becomes the Idempotency-Key header: 1 to max (at most
// MaxIdempotencyKey) visible ASCII characters, so a UUID fits and nothing
// can break the header. Both BFFs call it with their own max; the orders
// source calls it again with MaxIdempotencyKey. A failure is an
// *InputError naming field.
func CheckIdempotencyKey(field, key string, max int) error {
	if max <= 0 || max > MaxIdempotencyKey {
		max = MaxIdempotencyKey
	}
	if len(key) < 1 || len(key) > max || !visibleASCII(key) {
		return &InputError{Field: field, Rule: fmt.Sprintf("must be 1 to %d visible ASCII characters", max)}
	}
	return nil
}

// CheckID validates an id before it becomes a path segment or an entry of
// a comma-separated batch: 1 to MaxID characters, no control characters
// and no comma (which would split one id into two in a batch call).
func CheckID(field, id string) error {
	if len(id) < 1 || len(id) > MaxID || strings.ContainsRune(id, ',') || hasControl(id) {
		return &InputError{Field: field, Rule: fmt.Sprintf("must be 1 to %d characters without commas or control characters", MaxID)}
	}
	return nil
}

// CheckHeaderValue validates a value the caller supplies for an outgoing
// header: what net/http would refuse to send (line breaks, NUL and other
// control characters) is refused here first, as input, and never reaches
// the transport.
func CheckHeaderValue(field, v string) error {
	if !httpguts.ValidHeaderFieldValue(v) {
		return &InputError{Field: field, Rule: "must not contain control characters"}
	}
	return nil
}

// checkHeader validates every header of an outgoing request.
func checkHeader(h http.Header) error {
	for k, vs := range h {
		if !httpguts.ValidHeaderFieldName(k) {
			return &InputError{Field: "header name", Rule: "is not a valid HTTP header name"}
		}
		for _, v := range vs {
			if err := CheckHeaderValue(k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

func visibleASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}
