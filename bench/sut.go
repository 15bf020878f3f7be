package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tandemgw/tandem/shared/config"
	"github.com/tandemgw/tandem/shared/throttle"
)

// The systems under test: binaries built from this repository.
const (
	sysCeiling   = "ceiling"
	sysBFFWeb    = "bff-web"
	sysBFFMobile = "bff-mobile"
)

// packages are the main packages built for each system.
var packages = map[string]string{
	sysCeiling:   "./bench/cmd/tandem-ceiling",
	sysBFFWeb:    "./bff-web/cmd/bff-web",
	sysBFFMobile: "./bff-mobile/cmd/bff-mobile",
}

// binaryNames are the file names go build gives them.
var binaryNames = map[string]string{
	sysCeiling:   "tandem-ceiling",
	sysBFFWeb:    "bff-web",
	sysBFFMobile: "bff-mobile",
}

// variant is how a BFF is configured and called for a measurement.
type variant struct {
	key   string
	label string
	// signedIn: every request carries the viewer's bearer token (verified
	// per request; bff-web also needs the viewer's account for the market
	// its prices are shown in, which it reads once per market.accountTTL).
	signedIn bool
	// throttleOff: no operation limits, no cost ceiling or actual-cost
	// report, no rate or concurrency limits. Otherwise the BFF's own
	// defaults, with the rate and concurrency limits raised out of reach.
	throttleOff bool
	// tracing: every request traced (sampling 1), its spans exported over
	// OTLP/HTTP to the harness's collector (spanSink), as to a collector
	// in production.
	tracing bool
}

var (
	variantCeiling  = variant{key: "ceiling", label: "hand-written net/http handler, no GraphQL, the same backend calls and answer"}
	variantDefaults = variant{key: "defaults", label: "defaults: throttling on (rate limits raised), anonymous, tracing off"}
	variantSignedIn = variant{key: "signed-in", label: "signed in: bearer token verified per request, throttling on", signedIn: true}
	variantOff      = variant{key: "off", label: "auth and throttling off: anonymous, no limits or cost", throttleOff: true}
	variantTracing  = variant{key: "tracing", label: "tracing on, 100% sampled, exported over OTLP/HTTP to a collector in the harness (defaults otherwise)", tracing: true}
)

// unreachable is a rate budget no run can spend: the limiter still runs
// on every request, it never refuses.
var unreachable = map[string]any{"limit": 1_000_000_000, "period": "1m", "burst": 1_000_000_000}

// bffConfig is the YAML configuration of a BFF for v against b, listening
// on a free loopback port.
func bffConfig(b *backends, v variant) ([]byte, error) {
	ups := map[string]any{}
	for _, s := range b.services() {
		// Attempts as long as the request budget below: at saturation the
		// BFF's own CPU queue, not the backend, is what an attempt waits on.
		ups[s] = map[string]any{"address": b.upstreamAddress(s), "timeout": "10s"}
	}
	cfg := map[string]any{
		"addr": "127.0.0.1:0",
		// A free port: /metrics and /debug/pprof/ (profiles) are served
		// there, and the default port may be taken by a running BFF.
		"adminAddr": "127.0.0.1:0",
		// The scenarios' queries are sent as text: bff-mobile enforces its
		// safelist outside dev mode, so both BFFs run it in log mode (the
		// hash look-up still runs on every request).
		"edge":      map[string]any{"trustedDocuments": map[string]any{"mode": "log"}},
		"log":       map[string]any{"level": "info", "format": "json"},
		"upstreams": ups,
		"auth": map[string]any{"issuers": []any{map[string]any{
			"issuer":    b.idp.Issuer(),
			"audiences": []string{b.idp.Audience()},
			"jwksUrl":   b.idp.JWKSURL(),
		}}},
	}
	if v.throttleOff {
		zero := map[string]any{"limit": 0}
		cfg["throttle"] = map[string]any{
			"operation": map[string]any{"maxBodyBytes": 0, "maxTokens": 0, "maxDepth": 0, "maxAliases": 0,
				"maxRootFields": 0, "maxDirectivesPerField": 0, "maxFields": 0},
			"cost": map[string]any{"maxCost": 0, "reportActual": false},
			"rate": map[string]any{"requests": zero, "points": zero, "appRequests": zero, "appPoints": zero, "concurrency": 0,
				"anonymous": map[string]any{"requests": zero, "points": zero, "concurrency": 0}},
		}
	} else {
		cfg["throttle"] = map[string]any{"rate": map[string]any{
			"requests": unreachable, "points": unreachable, "appRequests": unreachable, "appPoints": unreachable,
			"concurrency": 1_000_000,
			"anonymous":   map[string]any{"requests": unreachable, "points": unreachable, "concurrency": 1_000_000},
		}}
	}
	if v.tracing {
		cfg["telemetry"] = map[string]any{"tracing": map[string]any{"exporter": "otlp", "samplingRatio": 1}}
	}
	return yaml.Marshal(cfg)
}

// childEnv is the harness's environment without TANDEM_* settings, which
// would change the BFFs' configuration behind the harness's back. GOGC,
// GOMEMLIMIT, GOMAXPROCS and GODEBUG pass through (and are recorded in the
// report).
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TANDEM_") {
			env = append(env, kv)
		}
	}
	return env
}

// ceilingArgs are tandem-ceiling's flags for scenario: its query, against
// the harness's backends, with bff-web's default cost settings (and market
// account TTL, for the order history).
func (r *runner) ceilingArgs(scenario string) ([]string, error) {
	web := throttle.WebDefaults().Cost
	args := []string{
		"-addr", "127.0.0.1:0",
		"-query", scenario,
		"-catalog", r.backends.upstreamAddress("catalog"),
		"-pricing", r.backends.upstreamAddress("pricing"),
		"-inventory", r.backends.upstreamAddress("inventory"),
		"-max-cost", strconv.Itoa(web.MaxCost),
		"-report-actual=" + strconv.FormatBool(web.ReportActual),
	}
	switch scenario {
	case ScenarioFanOut:
		return append(args, "-first", strconv.Itoa(fanOutFirst), "-reviews", r.backends.upstreamAddress("reviews")), nil
	case ScenarioViewerOrders:
		return append(args, "-first", strconv.Itoa(viewerOrders),
			"-orders", r.backends.upstreamAddress("orders"),
			"-accounts", r.backends.upstreamAddress("accounts"),
			"-account-ttl", config.DefaultMarketAccountTTL.String()), nil
	}
	return nil, fmt.Errorf("bench: no ceiling answers scenario %q", scenario)
}

// sameGC holds every system of a run to one set of garbage collector
// settings, the first system's: the collector's pace trades CPU for
// memory, so a ceiling run with other settings than bff-web's would not
// be the same work. Each logs them at start-up (shared/gateway.TuneGC).
func (r *runner) sameGC(c *child) error {
	c.mu.Lock()
	gc := c.gc
	c.mu.Unlock()
	if gc == "" {
		return fmt.Errorf("bench: %s logged no garbage collector settings before listening", c.name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.gc == "" {
		r.gc, r.gcOf = gc, c.name
		return nil
	}
	if gc != r.gc {
		return fmt.Errorf("bench: %s runs with %s, %s with %s: the comparison would not be the same work", c.name, gc, r.gcOf, r.gc)
	}
	return nil
}

// startSystem starts g's system for its variant, pinned to the systems
// under test's CPUs, and waits until it serves.
func (r *runner) startSystem(ctx context.Context, g group, pprof bool) (*child, error) {
	sys, v := g.system, g.variant
	bin := filepath.Join(r.binDir, binaryNames[sys])
	var args []string
	if sys == sysCeiling {
		var err error
		if args, err = r.ceilingArgs(g.scenario.key); err != nil {
			return nil, err
		}
	} else {
		cfg, err := bffConfig(r.backends, v)
		if err != nil {
			return nil, err
		}
		path := filepath.Join(r.binDir, fmt.Sprintf("%s-%s.yaml", sys, v.key))
		if err := os.WriteFile(path, cfg, 0o600); err != nil {
			return nil, err
		}
		args = []string{"-config", path}
	}
	env := childEnv()
	if v.tracing {
		env = append(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT="+r.backends.spans.endpoint(),
			"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf")
	}
	c, err := startChild(ctx, sys, bin, args, env, r.sutCPUs, pprof)
	if err != nil {
		return nil, err
	}
	if err := r.sameGC(c); err != nil {
		c.stop()
		return nil, err
	}
	if sys != sysCeiling {
		if err := c.waitReady(ctx, "/readyz"); err != nil {
			c.stop()
			return nil, err
		}
	}
	return c, nil
}
