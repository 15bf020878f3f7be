package app_test

import (
	"strings"
	"testing"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/persisted"
)

// env is one bff-mobile built through app.New against its own in-process
// mock backends and identity provider, served over real loopback HTTP
// (gatewaytest.Env).
type env struct{ *gatewaytest.Env }

type response = gatewaytest.Response

// newEnv starts the mocks and an identity provider, builds the app from a
// configuration pointing at them (tweak may adjust it) and serves it. The
// mobile rate limits stay at their defaults. Trusted documents run in log
// mode, so the tests can send the operations they probe the resolvers
// with; the tests of the safelist itself set enforce in their tweak.
func newEnv(t *testing.T, tweak func(*app.Config)) *env {
	t.Helper()
	return &env{gatewaytest.Start(t, gatewaytest.Options{
		Spec:     app.Spec,
		New:      app.New,
		Register: app.Sources,
		Tweak: func(c *app.Config) {
			c.Edge.TrustedDocuments.Mode = persisted.ModeLog
			if tweak != nil {
				tweak(c)
			}
		},
	})}
}

// startEnv is newEnv as a gatewaytest.StartFunc, for the checks
// shared with the other BFF.
func startEnv(t *testing.T, tweak func(*app.Config)) *gatewaytest.Env {
	return newEnv(t, tweak).Env
}

// req is one GraphQL request.
type req struct {
	query          string
	vars           map[string]any
	token          string
	acceptLanguage string
}

// do POSTs r to /graphql and decodes the answer.
func (e *env) do(r req) response {
	e.T.Helper()
	return e.Do(gatewaytest.Request{Query: r.query, Vars: r.vars, Token: r.token, AcceptLanguage: r.acceptLanguage})
}

// assertNoInternals fails if a response leaks backend addresses or bodies.
func (e *env) assertNoInternals(r response) {
	e.T.Helper()
	s := string(r.Raw)
	for _, leak := range []string{"127.0.0.1", "localhost", "rpc error", "goroutine", ".go:", `"error":{`, "Internal Server Error", "Bearer"} {
		if strings.Contains(s, leak) {
			e.T.Fatalf("response leaks %q: %s", leak, s)
		}
	}
}
