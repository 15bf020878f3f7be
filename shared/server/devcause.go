package server

import (
	"context"
	"errors"
	"regexp"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/upstream"
)

// withDevCause adds, in dev mode only, the internal cause of an upstream
// failure to its error as extensions.cause ("decode response: silver is
// not a valid LoyaltyTier"), so that a developer trying a new backend
// sees why a field failed without reading the logs. Outside dev mode the
// cause stays in the log line: a client never sees it.
func withDevCause(p graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		out := p(ctx, err)
		var ue *upstream.Error
		if out == nil || !errors.As(err, &ue) || ue.Err == nil || ue.Code == errcode.BadUserInput {
			return out // an InputError is the message already
		}
		if out.Extensions == nil {
			out.Extensions = map[string]any{}
		}
		out.Extensions["cause"] = devCause(ue.Err)
		return out
	}
}

// secrets are what a cause must not carry even in dev mode: URLs (their
// query may hold a token), bearer tokens and JWTs. The upstream client
// keeps them out of its causes already; this is the second line.
var secrets = []*regexp.Regexp{
	regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://\S*[^\s:,;.)"']`),
	regexp.MustCompile(`(?i)bearer\s+\S+`),
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*`),
}

func devCause(err error) string {
	s := err.Error()
	for _, re := range secrets {
		s = re.ReplaceAllString(s, "[redacted]")
	}
	return s
}
