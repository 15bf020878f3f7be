package deploy

import (
	"net"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	mobileapp "github.com/tandemgw/tandem/bff-mobile/app"
	webapp "github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/registry"
)

// mockServices are the mock backends by name (mocks.Services, the one
// list a new backend joins), with the port each listens on.
func mockServices(t *testing.T) map[string]mocks.Service {
	t.Helper()
	out := map[string]mocks.Service{}
	for _, s := range mocks.Services() {
		out[s.Name] = s
	}
	if len(out) == 0 {
		t.Fatal("mocks.Services lists no service")
	}
	return out
}

func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("address %q: %v", addr, err)
	}
	return port
}

// mockAddress is how a BFF container reaches service s of the mocks
// container ("mocks" in docker-compose): a base URL for REST, a target
// for gRPC.
func mockAddress(t *testing.T, host string, s mocks.Service) string {
	addr := host + ":" + portOf(t, s.DefaultAddr)
	if s.Protocol == "rest" {
		return "http://" + addr
	}
	return addr
}

// A new mock's port must reach every deploy file that lists the mocks'
// ports, and nothing stale may stay in them: the mocks image sets every
// service's MOCKS_<NAME>_ADDR and exposes its port, docker-compose gives
// both BFFs every service's address in the mocks container, each BFF's
// ConfigMap and dev-mode defaults name only mock services, with the
// protocol the mock speaks (and, for dev mode, where the mock listens).
func TestDeployFilesListEveryMock(t *testing.T) {
	services := mockServices(t)
	names := make([]string, 0, len(services))
	for n := range services {
		names = append(names, n)
	}
	sort.Strings(names)

	t.Run("mocks.Dockerfile", func(t *testing.T) {
		env := map[string]string{}
		var exposed []string
		for _, in := range parseDockerfile(t, filepath.Join("docker", "mocks.Dockerfile")) {
			switch in.cmd {
			case "env":
				for i := 0; i+1 < len(in.args); i += 3 {
					env[in.args[i]] = in.args[i+1]
				}
			case "expose":
				exposed = append(exposed, in.args...)
			}
		}
		want := map[string]bool{portOf(t, mocks.DefaultAdminAddr): true, "9100": true} // admin, identity provider
		for _, n := range names {
			port := portOf(t, services[n].DefaultAddr)
			want[port] = true
			key := "MOCKS_" + strings.ToUpper(n) + "_ADDR"
			if env[key] != ":"+port {
				t.Errorf("ENV %s=%q, want %q (mocks %s listens on %s)", key, env[key], ":"+port, n, services[n].DefaultAddr)
			}
			if !slices.Contains(exposed, port) {
				t.Errorf("EXPOSE lacks %s, the port of mock %s", port, n)
			}
		}
		for _, p := range exposed {
			if !want[p] {
				t.Errorf("EXPOSE %s is no mock's port", p)
			}
		}
		for k := range env {
			n, ok := strings.CutPrefix(k, "MOCKS_")
			n, ok2 := strings.CutSuffix(n, "_ADDR")
			if ok && ok2 && n != "ADMIN" && n != "IDP" {
				if _, known := services[strings.ToLower(n)]; !known {
					t.Errorf("ENV %s names no mock service", k)
				}
			}
		}
	})

	t.Run("docker-compose.yaml", func(t *testing.T) {
		for _, bff := range []string{"bff-web", "bff-mobile"} {
			env := composeEnvironment(t, bff)
			for _, n := range names {
				if got, want := env[registry.EnvKey(n)], mockAddress(t, "mocks", services[n]); got != want {
					t.Errorf("%s: %s=%q, want %q", bff, registry.EnvKey(n), got, want)
				}
			}
			for k := range env {
				n, ok := strings.CutPrefix(k, "TANDEM_UPSTREAMS_")
				n, ok2 := strings.CutSuffix(n, "_ADDRESS")
				if ok && ok2 {
					if _, known := services[strings.ToLower(n)]; !known {
						t.Errorf("%s: %s names no mock service", bff, k)
					}
				}
			}
		}
	})

	t.Run("kubernetes", func(t *testing.T) {
		docs := manifests(t)
		for _, bff := range []string{"bff-web", "bff-mobile"} {
			body, _ := dig(find(docs, "ConfigMap", bff), "data", bff+".yaml").(string)
			var cfg struct {
				Upstreams map[string]struct {
					Address string `yaml:"address"`
				} `yaml:"upstreams"`
			}
			if body == "" {
				t.Fatalf("ConfigMap %s has no %s.yaml", bff, bff)
			}
			if err := yaml.Unmarshal([]byte(body), &cfg); err != nil {
				t.Fatalf("ConfigMap %s: %v", bff, err)
			}
			for id, u := range cfg.Upstreams {
				s, ok := services[id]
				if !ok {
					t.Errorf("ConfigMap %s: upstream %s has no mock under mocks/ (mocks.Services)", bff, id)
					continue
				}
				if rest := strings.HasPrefix(u.Address, "http"); rest != (s.Protocol == "rest") {
					t.Errorf("ConfigMap %s: upstream %s at %q, but its mock speaks %s", bff, id, u.Address, s.Protocol)
				}
			}
		}
	})

	t.Run("dev defaults", func(t *testing.T) {
		for bff, sources := range map[string][]func(*registry.Registry) error{"bff-web": webapp.Sources, "bff-mobile": mobileapp.Sources} {
			r := registry.New()
			for _, register := range sources {
				if err := register(r); err != nil {
					t.Fatal(err)
				}
			}
			for id, c := range r.WithDefaultAddresses(nil) {
				s, ok := services[id]
				if !ok {
					t.Errorf("%s: source %s has no mock under mocks/ (mocks.Services)", bff, id)
					continue
				}
				if want := mockAddress(t, "127.0.0.1", s); c.Address != want {
					t.Errorf("%s: source %s defaults to %q in dev mode, its mock listens at %q", bff, id, c.Address, want)
				}
			}
		}
	})
}
