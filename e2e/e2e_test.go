package e2e_test

import (
	"os"
	"testing"
	"time"

	"go.uber.org/goleak"

	mobile "github.com/tandemgw/tandem/bff-mobile/app"
	web "github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/persisted"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/upstream"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// startWeb and startMobile build each BFF through the constructor its main
// uses, against its own in-process mocks. tweak may adjust the config.
func startWeb(t testing.TB, tweak func(*gateway.Config)) *gatewaytest.Env {
	return gatewaytest.Start(t, gatewaytest.Options{Spec: web.Spec, New: web.New, Register: web.Sources, Tweak: tweak})
}

// bff-mobile enforces its trusted documents outside dev mode; these tests
// send their own operation texts, so it runs them in log mode.
func startMobile(t testing.TB, tweak func(*gateway.Config)) *gatewaytest.Env {
	return gatewaytest.Start(t, gatewaytest.Options{Spec: mobile.Spec, New: mobile.New, Register: mobile.Sources,
		Tweak: func(c *gateway.Config) {
			c.Edge.TrustedDocuments.Mode = persisted.ModeLog
			if tweak != nil {
				tweak(c)
			}
		}})
}

// production restores what a benchmark must measure: the default batch
// window (the test harness widens it for exact call counts). The rate
// limiter stays in the path, with budgets a benchmark (one caller sending
// thousands of requests) cannot exhaust, so its cost is part of the figure.
func production(cfg *gateway.Config) {
	for id, u := range cfg.Upstreams {
		u.BatchWait = upstream.DefaultBatchWait
		cfg.Upstreams[id] = u
	}
	unlimited := throttle.Window{Limit: 1 << 30, Period: time.Minute, Burst: 1 << 30}
	cfg.Throttle.Rate.Requests = unlimited
	cfg.Throttle.Rate.Points = unlimited
	cfg.Throttle.Rate.AppRequests = unlimited
	cfg.Throttle.Rate.AppPoints = unlimited
	cfg.Throttle.Rate.Concurrency = 1 << 10
	cfg.Throttle.Rate.Anonymous = throttle.AnonymousRates{Requests: unlimited, Points: unlimited, Concurrency: 1 << 10}
}

func query(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
