package bench

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	mobileapp "github.com/tandemgw/tandem/bff-mobile/app"
	webapp "github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/throttle"
)

// The configurations the harness writes are read by the BFFs' own loaders
// and do what each variant says.
func TestBFFConfigLoads(t *testing.T) {
	b, err := startBackends(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	loaders := map[string]func(args, env []string) (gateway.Config, error){
		sysBFFWeb: webapp.Load, sysBFFMobile: mobileapp.Load,
	}
	for name, load := range loaders {
		for _, v := range []variant{variantDefaults, variantSignedIn, variantOff, variantTracing} {
			yaml, err := bffConfig(b, v)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "bff.yaml")
			if err := os.WriteFile(path, yaml, 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := load([]string{"-config", path}, nil)
			if err != nil {
				t.Fatalf("%s %s: %v\n%s", name, v.key, err, yaml)
			}
			for _, svc := range b.services() {
				if got := cfg.Upstreams[svc].Address; got != b.upstreamAddress(svc) {
					t.Errorf("%s %s: upstreams.%s.address = %q, want the mock's %q", name, v.key, svc, got, b.upstreamAddress(svc))
				}
				if cfg.Upstreams[svc].BatchWait != cfg.Upstreams[svc].WithDefaults().BatchWait {
					t.Errorf("%s %s: %s's batch window is not the production default", name, v.key, svc)
				}
			}
			if cfg.Addr != "127.0.0.1:0" || cfg.Auth.Issuers[0].Issuer != b.idp.Issuer() {
				t.Errorf("%s %s: addr %q, issuer %q", name, v.key, cfg.Addr, cfg.Auth.Issuers[0].Issuer)
			}
			if got := cfg.Telemetry.Tracing.Enabled(); got != v.tracing {
				t.Errorf("%s %s: tracing enabled %v", name, v.key, got)
			}
			if cfg.AdminAddr != "127.0.0.1:0" {
				t.Errorf("%s %s: adminAddr %q", name, v.key, cfg.AdminAddr)
			}
			th := cfg.Throttle
			if v.throttleOff {
				if th.Operation != (throttle.OperationLimits{}) || th.Cost.MaxCost != 0 || th.Cost.ReportActual ||
					th.Rate.Requests.Limit != 0 || th.Rate.Points.Limit != 0 || th.Rate.AppRequests.Limit != 0 ||
					th.Rate.AppPoints.Limit != 0 || th.Rate.Concurrency != 0 {
					t.Errorf("%s off: throttling is not off: %+v", name, th)
				}
				continue
			}
			// Limits stay the BFF's own; rate budgets are raised out of
			// reach but still enforced.
			var defaults throttle.Config
			if name == sysBFFWeb {
				defaults = throttle.WebDefaults()
			} else {
				defaults = throttle.MobileDefaults()
			}
			if th.Operation != defaults.Operation || th.Cost != defaults.Cost {
				t.Errorf("%s %s: operation limits or cost differ from the defaults: %+v", name, v.key, th)
			}
			for _, w := range []throttle.Window{th.Rate.Requests, th.Rate.Points, th.Rate.AppRequests, th.Rate.AppPoints} {
				if w.Limit < 1_000_000_000 || w.Burst < 1_000_000_000 || w.Period <= 0 {
					t.Errorf("%s %s: a rate budget is not raised: %+v", name, v.key, w)
				}
			}
			if th.Rate.Concurrency < 1_000_000 {
				t.Errorf("%s %s: concurrency %d is within reach", name, v.key, th.Rate.Concurrency)
			}
		}
	}
}

func TestMedianAndQuantile(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median odd = %v", got)
	}
	if got := median([]float64{4, 1, 3, 2}); got != 2.5 {
		t.Errorf("median even = %v", got)
	}
	l := loadResult{}
	for i := 100; i >= 1; i-- {
		l.latencies = append(l.latencies, time.Duration(i)*time.Millisecond)
	}
	if l.quantile(0.5) != 50*time.Millisecond || l.quantile(0.99) != 99*time.Millisecond || l.quantile(1) != 100*time.Millisecond {
		t.Errorf("quantiles %v %v %v", l.quantile(0.5), l.quantile(0.99), l.quantile(1))
	}
}

func TestProcReadings(t *testing.T) {
	if !pinningSupported {
		t.Skip("/proc is Linux's")
	}
	pid := os.Getpid()
	if _, err := cpuTime(pid); err != nil {
		t.Fatal(err)
	}
	rss, err := peakRSS(pid)
	if err != nil || rss < 1<<20 {
		t.Fatalf("peak RSS %d, %v", rss, err)
	}
	if _, err := procStatus(pid, "Cpus_allowed_list"); err != nil {
		t.Fatal(err)
	}
	cpus, err := allowedCPUs()
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range [][]int{nil, cpus[:1]} {
		busy, total, err := cpuStat(set)
		if err != nil || total <= 0 || busy < 0 || busy > total {
			t.Errorf("cpuStat(%v) = %s busy of %s, %v", set, busy, total, err)
		}
	}
	if _, _, err := cpuStat([]int{1 << 20}); err == nil {
		t.Error("cpuStat accepted a CPU the machine does not have")
	}
}

// TestSystemsRunWithOneGarbageCollectorSetting: a run refuses a system
// that logs other collector settings than the first, or none.
func TestSystemsRunWithOneGarbageCollectorSetting(t *testing.T) {
	r := &runner{}
	bff := &child{name: "bff-web", gc: "GOGC 150, memory limit 268435456 bytes"}
	same := &child{name: "ceiling", gc: "GOGC 150, memory limit 268435456 bytes"}
	other := &child{name: "ceiling", gc: "GOGC 100, memory limit 268435456 bytes"}
	silent := &child{name: "ceiling"}
	if err := r.sameGC(bff); err != nil {
		t.Fatal(err)
	}
	if err := r.sameGC(same); err != nil {
		t.Errorf("the same settings were refused: %v", err)
	}
	if err := r.sameGC(other); err == nil {
		t.Error("a ceiling with GOGC 100 beside bff-web's 150 was accepted")
	}
	if err := r.sameGC(silent); err == nil {
		t.Error("a system that logged no settings was accepted")
	}
}
