package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/shared/upstream"
)

var spec = Spec{Name: "bff-web", EnvPrefix: "TANDEM_WEB", DefaultAddr: "127.0.0.1:8080"}

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bff.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestDefaults(t *testing.T) {
	cfg, err := Load(spec, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8080", cfg.Addr)
	assert.False(t, cfg.Dev)
	assert.Equal(t, Log{Level: "info", Format: "json"}, cfg.Log)
	// Default addresses come from the sources' registrations, not from here.
	assert.Empty(t, cfg.Upstreams)
}

// A service the package has never heard of is configured like any other,
// one field at a time; unset fields take the shared/upstream defaults and
// the address stays empty for the registry to fill from the registration.
func TestAnyServiceID(t *testing.T) {
	file := writeFile(t, "upstreams: {wishlist: {timeout: 300ms}}\n")
	cfg, err := Load(spec, []string{"-config", file, "-upstream", "loyalty.maxBatch=20"},
		[]string{"TANDEM_UPSTREAMS_GIFTCARDS_RETRIES=-1"})
	require.NoError(t, err)
	assert.Equal(t, upstream.Config{Timeout: 300 * time.Millisecond}.WithDefaults(), cfg.Upstreams["wishlist"])
	assert.Equal(t, upstream.Config{MaxBatch: 20}.WithDefaults(), cfg.Upstreams["loyalty"])
	assert.Equal(t, -1, cfg.Upstreams["giftcards"].Retries)
	for id, u := range cfg.Upstreams {
		assert.Empty(t, u.Address, id)
	}
}

func TestPrecedenceFileEnvFlags(t *testing.T) {
	file := writeFile(t, `
addr: 127.0.0.1:7000
dev: true
log: {level: debug}
upstreams:
  catalog:
    timeout: 750ms
    maxBatch: 50
  orders:
    address: http://127.0.0.1:7103
auth:
  issuer: http://127.0.0.1:9100
  audience: [tandem]
throttle:
  rps: 10
`)
	env := []string{
		"TANDEM_WEB_CONFIG=" + file,
		"TANDEM_WEB_ADDR=127.0.0.1:7001",                                 // env beats file
		"TANDEM_UPSTREAMS_CATALOG_ADDRESS=http://127.0.0.1:7102",         // shared env
		"TANDEM_UPSTREAMS_ORDERS_ADDRESS=http://127.0.0.1:7203",          // shared env beats file...
		"TANDEM_WEB_UPSTREAMS_ORDERS_ADDRESS=http://127.0.0.1:7303",      // ...and the BFF's own env beats shared
		"TANDEM_UPSTREAMS_RECOMMENDATIONS_ADDRESS=http://127.0.0.1:9105", // a service without defaults
		"TANDEM_MOBILE_ADDR=127.0.0.1:9999",                              // another BFF's key: ignored
		"TANDEM_UPSTREAMS_CATALOG_MAX_BATCH=60",                          // beats file's 50
	}
	args := []string{"-log-format", "text", "-upstream", "catalog.maxBatch=70", "-upstream", "pricing.retries=-1"}

	cfg, err := Load(spec, args, env)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:7001", cfg.Addr)
	assert.True(t, cfg.Dev, "from file")
	assert.Equal(t, Log{Level: "debug", Format: "text"}, cfg.Log)

	cat := cfg.Upstreams["catalog"]
	assert.Equal(t, "http://127.0.0.1:7102", cat.Address)
	assert.Equal(t, 750*time.Millisecond, cat.Timeout, "file value kept")
	assert.Equal(t, "", cfg.Upstreams["pricing"].Address, "an address nobody set stays for the registration to fill")
	assert.Equal(t, 70, cat.MaxBatch, "flag beats env beats file")
	assert.Equal(t, upstream.DefaultRetries, cat.Retries, "defaults kept for keys nobody set")

	assert.Equal(t, "http://127.0.0.1:7303", cfg.Upstreams["orders"].Address)
	assert.Equal(t, "http://127.0.0.1:9105", cfg.Upstreams["recommendations"].Address)
	assert.Equal(t, upstream.DefaultTimeout, cfg.Upstreams["recommendations"].Timeout)
	assert.Equal(t, -1, cfg.Upstreams["pricing"].Retries)

	var auth struct {
		Issuer   string   `yaml:"issuer"`
		Audience []string `yaml:"audience"`
	}
	require.NoError(t, cfg.Auth.Decode(&auth))
	assert.Equal(t, "http://127.0.0.1:9100", auth.Issuer)
	assert.Equal(t, []string{"tandem"}, auth.Audience)
	var thr struct {
		RPS int `yaml:"rps"`
	}
	require.NoError(t, cfg.Throttle.Decode(&thr))
	assert.Equal(t, 10, thr.RPS)
}

func TestFlagsBeatEnv(t *testing.T) {
	cfg, err := Load(spec,
		[]string{"-addr", "127.0.0.1:6000", "-dev=false", "-upstream", "catalog.address=http://127.0.0.1:6102"},
		[]string{"TANDEM_WEB_ADDR=127.0.0.1:7001", "TANDEM_WEB_DEV=true", "TANDEM_WEB_UPSTREAMS_CATALOG_ADDRESS=http://127.0.0.1:7102"})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:6000", cfg.Addr)
	assert.False(t, cfg.Dev)
	assert.Equal(t, "http://127.0.0.1:6102", cfg.Upstreams["catalog"].Address)
}

func TestConfigFlagBeatsConfigEnv(t *testing.T) {
	a := writeFile(t, "addr: 127.0.0.1:1111\n")
	b := writeFile(t, "addr: 127.0.0.1:2222\n")
	cfg, err := Load(spec, []string{"-config", b}, []string{"TANDEM_WEB_CONFIG=" + a})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:2222", cfg.Addr)
}

func TestErrors(t *testing.T) {
	cases := []struct {
		name, file string
		args, env  []string
		want       string
	}{
		{name: "unknown file key", file: "adr: x\n", want: "field adr not found"},
		{name: "unknown upstream key", file: "upstreams: {catalog: {adress: x}}\n", want: "upstreams.catalog"},
		{name: "bad duration env", env: []string{"TANDEM_UPSTREAMS_CATALOG_TIMEOUT=soon"}, want: "TANDEM_UPSTREAMS_CATALOG_TIMEOUT"},
		{name: "unknown env field", env: []string{"TANDEM_UPSTREAMS_CATALOG_ADRESS=x"}, want: "TANDEM_UPSTREAMS_CATALOG_ADRESS"},
		{name: "bad bool", env: []string{"TANDEM_WEB_DEV=maybe"}, want: "TANDEM_WEB_DEV"},
		{name: "bad flag form", args: []string{"-upstream", "catalog=1"}, want: "<svc>.<field>=<value>"},
		{name: "bad level", args: []string{"-log-level", "loud"}, want: "log.level"},
		{name: "bad format", env: []string{"TANDEM_WEB_LOG_FORMAT=xml"}, want: "log.format"},
		{name: "timeout over a minute", args: []string{"-upstream", "catalog.timeout=2m"}, want: "longer than a minute"},
		{name: "batch over contract", args: []string{"-upstream", "catalog.maxBatch=501"}, want: "at most 500"},
		{name: "unknown flag", args: []string{"-nope"}, want: "nope"},
		{name: "missing file", args: []string{"-config", "/nonexistent/tandem.yaml"}, want: "no such file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if tc.file != "" {
				env = append(env, "TANDEM_WEB_CONFIG="+writeFile(t, tc.file))
			}
			_, err := Load(spec, tc.args, env)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestEmptyFileKeepsDefaults(t *testing.T) {
	cfg, err := Load(spec, []string{"-config", writeFile(t, "")}, nil)
	require.NoError(t, err)
	assert.Equal(t, Defaults(spec).Upstreams, cfg.Upstreams)
	assert.True(t, cfg.Auth.IsZero())
}

func TestFlagUsageMentionsEnv(t *testing.T) {
	u := FlagUsage(spec)
	assert.True(t, strings.Contains(u, "TANDEM_WEB_ADDR"), u)
}

func TestHelpIsErrHelp(t *testing.T) {
	for _, arg := range []string{"-h", "-help", "--help"} {
		_, err := Load(spec, []string{arg}, nil)
		assert.ErrorIs(t, err, flag.ErrHelp, arg)
	}
}

func TestTelemetryTracing(t *testing.T) {
	cfg, err := Load(spec, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "none", cfg.Telemetry.Tracing.Exporter)
	assert.Equal(t, 1.0, cfg.Telemetry.Tracing.SamplingRatio)
	assert.False(t, cfg.Telemetry.Tracing.Enabled())

	// The file sets the exporter and keeps the default ratio; the
	// environment then overrides the ratio.
	path := writeFile(t, "telemetry:\n  tracing:\n    exporter: stdout\n")
	cfg, err = Load(spec, []string{"-config", path}, nil)
	require.NoError(t, err)
	assert.Equal(t, "stdout", cfg.Telemetry.Tracing.Exporter)
	assert.Equal(t, 1.0, cfg.Telemetry.Tracing.SamplingRatio)
	assert.True(t, cfg.Telemetry.Tracing.Enabled())
	cfg, err = Load(spec, []string{"-config", path}, []string{"TANDEM_WEB_TRACING_SAMPLING_RATIO=0.25"})
	require.NoError(t, err)
	assert.Equal(t, 0.25, cfg.Telemetry.Tracing.SamplingRatio)

	_, err = Load(spec, nil, []string{"TANDEM_WEB_TRACING_EXPORTER=zipkin"})
	assert.ErrorContains(t, err, "telemetry.tracing.exporter")
	cfg, err = Load(spec, nil, []string{"TANDEM_WEB_TRACING_EXPORTER=otlp"})
	require.NoError(t, err)
	assert.Equal(t, "otlp", cfg.Telemetry.Tracing.Exporter)
	_, err = Load(spec, nil, []string{"TANDEM_WEB_TRACING_SAMPLING_RATIO=1.5"})
	assert.ErrorContains(t, err, "telemetry.tracing.samplingRatio")
	_, err = Load(spec, nil, []string{"TANDEM_WEB_TRACING_SAMPLING_RATIO=half"})
	assert.ErrorContains(t, err, "not a number")
	_, err = Load(spec, []string{"-config", writeFile(t, "telemetry:\n  tracing:\n    exporters: stdout\n")}, nil)
	assert.ErrorContains(t, err, "telemetry")
}

// The resilience settings of an upstream: scalar ones from every source,
// endpoints, breaker, retry budget and outlier ejection from the file.
func TestUpstreamSafetySettings(t *testing.T) {
	file := writeFile(t, `
upstreams:
  catalog:
    endpoints:
      - {name: stable, address: http://10.0.0.1:9102, weight: 9}
      - {name: canary, address: http://10.0.0.2:9102, weight: 1}
    breaker: {failureRatio: 0.3, minRequests: 50, window: 30s, openFor: 10s}
    retryBudget: {ratio: 0.2, minPerSecond: 1, window: 5s}
    outlier: {consecutiveFailures: 3, ejectFor: 1m, maxEjectedPercent: 34}
    maxConcurrent: 64
requestBudget: {default: 2s, mutation: 5s}
steering: {pinHeader: X-Canary}
`)
	cfg, err := Load(spec, []string{"-config", file, "-upstream", "pricing.tls.cert=/etc/tandem/pricing.crt", "-upstream", "pricing.tls.key=/etc/tandem/pricing.key"},
		[]string{"TANDEM_UPSTREAMS_PRICING_TLS_CA=/etc/tandem/ca.crt", "TANDEM_WEB_UPSTREAMS_CATALOG_MIN_ATTEMPT=50ms",
			"TANDEM_WEB_REQUEST_BUDGET_QUERY=1500ms"})
	require.NoError(t, err)
	c := cfg.Upstreams["catalog"]
	assert.Equal(t, []upstream.Endpoint{{Name: "stable", Address: "http://10.0.0.1:9102", Weight: 9}, {Name: "canary", Address: "http://10.0.0.2:9102", Weight: 1}}, c.Endpoints)
	assert.Equal(t, upstream.Breaker{FailureRatio: 0.3, MinRequests: 50, Window: 30 * time.Second, OpenFor: 10 * time.Second, HalfOpenRequests: 1}, c.Breaker)
	assert.Equal(t, upstream.RetryBudget{Ratio: 0.2, MinPerSecond: 1, Window: 5 * time.Second}, c.RetryBudget)
	assert.Equal(t, upstream.Outlier{ConsecutiveFailures: 3, EjectFor: time.Minute, MaxEjectedPercent: 34}, c.Outlier)
	assert.Equal(t, 64, c.MaxConcurrent)
	assert.Equal(t, 50*time.Millisecond, c.MinAttempt)
	assert.Equal(t, upstream.TLS{Cert: "/etc/tandem/pricing.crt", Key: "/etc/tandem/pricing.key", CA: "/etc/tandem/ca.crt"}, cfg.Upstreams["pricing"].TLS)
	assert.Equal(t, 2*time.Second, cfg.RequestBudget.Default)
	assert.Equal(t, 1500*time.Millisecond, cfg.RequestBudget.Query, "env beats the file")
	assert.Equal(t, 5*time.Second, cfg.RequestBudget.Mutation)
	assert.Equal(t, Steering{PinHeader: "X-Canary", PinScope: DefaultPinScope}, cfg.Steering)

	d, err := Load(spec, nil, []string{"TANDEM_WEB_REQUEST_BUDGET=4s"})
	require.NoError(t, err)
	assert.Equal(t, 4*time.Second, d.RequestBudget.Query, "a new default reaches the types without their own")
	assert.Equal(t, 4*time.Second, d.RequestBudget.Mutation)
}

func TestMarket(t *testing.T) {
	d, err := Load(spec, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, Market{AccountTTL: time.Minute, Accounts: 10_000}, d.Market)

	cfg, err := Load(spec, []string{"-config", writeFile(t, "market: {accountTTL: 0s}\n")}, nil)
	require.NoError(t, err)
	assert.Equal(t, Market{AccountTTL: 0, Accounts: 10_000}, cfg.Market, "0 is kept: read the account on every request")

	for _, body := range []string{
		"market: {accountTTL: -1s}\n",
		"market: {accountTTL: 2h}\n",
		"market: {accounts: -5}\n",
		"market: {ttl: 1m}\n",
	} {
		_, err := Load(spec, []string{"-config", writeFile(t, body)}, nil)
		assert.Error(t, err, body)
	}
}

func TestUpstreamSafetySettingsValidated(t *testing.T) {
	for _, body := range []string{
		"upstreams: {catalog: {address: http://a, endpoints: [{name: a, address: http://b, weight: 1}]}}\n",
		"upstreams: {catalog: {endpoints: [{name: a, address: http://b}]}}\n",
		"upstreams: {catalog: {breaker: {failureRatio: 3}}}\n",
		"upstreams: {catalog: {tls: {cert: /c.pem}}}\n",
		"requestBudget: {query: -1s}\n",
		"steering: {pinHeader: \"bad header\"}\n",
		"upstreams: {catalog: {breaker: {unknownKey: 1}}}\n",
	} {
		_, err := Load(spec, []string{"-config", writeFile(t, body)}, nil)
		assert.Error(t, err, body)
	}
	_, err := Load(spec, nil, []string{"TANDEM_WEB_REQUEST_BUDGET=soon"})
	assert.ErrorContains(t, err, "TANDEM_WEB_REQUEST_BUDGET")
}

// The admin listener (/metrics, /debug/pprof/) has its own address: the
// spec's default, then file, environment and flag; "" turns it off; it
// never shares the public address.
func TestAdminAddrAndMetricsExport(t *testing.T) {
	withAdmin := spec
	withAdmin.DefaultAdminAddr = "127.0.0.1:8090"
	cfg, err := Load(withAdmin, nil, nil)
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:8090", cfg.AdminAddr)
	assert.False(t, cfg.Telemetry.Metrics.OTLP)

	path := writeFile(t, "adminAddr: 0.0.0.0:9090\ntelemetry:\n  metrics: {otlp: true}\n")
	cfg, err = Load(withAdmin, []string{"-config", path}, nil)
	require.NoError(t, err)
	assert.Equal(t, "0.0.0.0:9090", cfg.AdminAddr)
	assert.True(t, cfg.Telemetry.Metrics.OTLP)

	cfg, err = Load(withAdmin, []string{"-config", path}, []string{"TANDEM_WEB_ADMIN_ADDR=127.0.0.1:7000", "TANDEM_WEB_METRICS_OTLP=false"})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:7000", cfg.AdminAddr)
	assert.False(t, cfg.Telemetry.Metrics.OTLP)

	cfg, err = Load(withAdmin, []string{"-admin-addr", ""}, []string{"TANDEM_WEB_ADMIN_ADDR=127.0.0.1:7000"})
	require.NoError(t, err)
	assert.Empty(t, cfg.AdminAddr, "an empty flag turns the admin listener off")

	_, err = Load(withAdmin, []string{"-admin-addr", "127.0.0.1:8080"}, nil)
	assert.ErrorContains(t, err, "adminAddr")
	_, err = Load(withAdmin, []string{"-addr", "127.0.0.1:0", "-admin-addr", "127.0.0.1:0"}, nil)
	assert.NoError(t, err, "two ports chosen by the kernel never collide")
	_, err = Load(withAdmin, nil, []string{"TANDEM_WEB_METRICS_OTLP=maybe"})
	assert.ErrorContains(t, err, "METRICS_OTLP")
}
