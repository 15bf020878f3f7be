package server

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/upstream"
)

// TestUpstreamCauseOnlyInDev: outside dev mode an upstream failure shows
// no cause; in dev mode it shows the cause, without the URL or token the
// raw error carries.
func TestUpstreamCauseOnlyInDev(t *testing.T) {
	for _, dev := range []bool{false, true} {
		t.Run(fmt.Sprintf("dev=%v", dev), func(t *testing.T) {
			s, _ := newServer(t, func(o *Options) { o.Dev = dev })
			_, resp, raw := post(t, s.Handler(), `{ field(kind: "upstream") }`)
			require.Len(t, resp.Errors, 1)
			e := resp.Errors[0]
			assert.Equal(t, "UPSTREAM_UNAVAILABLE", e.Extensions["code"])
			cause, ok := e.Extensions["cause"]
			if !dev {
				assert.False(t, ok, "no cause outside dev mode: %v", cause)
				return
			}
			assert.Equal(t, "GET [redacted]: connection refused", cause)
			for _, leak := range []string{"10.1.2.3", "http://", "token", "secret"} {
				assert.NotContains(t, raw, leak)
			}
		})
	}
}

// TestDevCauseOfADecodeFailure is the failure a contract's misspelt enum
// causes: the reason reaches the developer, tokens never do, and a refused
// input keeps its message alone.
func TestDevCauseOfADecodeFailure(t *testing.T) {
	p := withDevCause(NewErrorPresenter(nil))
	decode := &upstream.Error{Service: "loyalty", Code: errcode.UpstreamError, Status: 200,
		Err: fmt.Errorf("decode response: %w", errors.New("silver is not a valid LoyaltyTier"))}
	out := p(context.Background(), decode)
	assert.Equal(t, "UPSTREAM_ERROR", out.Extensions["code"])
	assert.Equal(t, "decode response: silver is not a valid LoyaltyTier", out.Extensions["cause"])

	tokens := &upstream.Error{Service: "loyalty", Code: errcode.UpstreamError,
		Err: errors.New("refused Authorization: Bearer abc.def and eyJhbGciOi.eyJzdWIiOi.c2ln")}
	assert.Equal(t, "refused Authorization: [redacted] and [redacted]", p(context.Background(), tokens).Extensions["cause"])

	input := &upstream.Error{Service: "orders", Code: errcode.BadUserInput, Err: &upstream.InputError{Field: "id", Rule: "must not be empty"}}
	_, ok := p(context.Background(), input).Extensions["cause"]
	assert.False(t, ok)

	assert.NotContains(t, NewErrorPresenter(nil)(context.Background(), decode).Extensions, "cause", "the presenter alone adds none")
}
