package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"go.yaml.in/yaml/v3"

	mobileapp "github.com/tandemgw/tandem/bff-mobile/app"
	webapp "github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/gateway"
	"github.com/tandemgw/tandem/shared/registry"
)

// repoRoot is where the Dockerfiles' COPY sources are resolved (the build
// context is the repository root).
const repoRoot = ".."

type image struct {
	file    string // under docker/
	pkg     string // the main package it builds
	binary  string // the name it is installed under
	ports   []string
	envAddr map[string]string // environment the image sets
}

var images = []image{
	{"bff-web.Dockerfile", "./bff-web/cmd/bff-web", "bff-web", []string{"8080", "8090"},
		map[string]string{"TANDEM_WEB_ADDR": ":8080", "TANDEM_WEB_ADMIN_ADDR": ":8090"}},
	{"bff-mobile.Dockerfile", "./bff-mobile/cmd/bff-mobile", "bff-mobile", []string{"8081", "8091"},
		map[string]string{"TANDEM_MOBILE_ADDR": ":8081", "TANDEM_MOBILE_ADMIN_ADDR": ":8091"}},
	{"mocks.Dockerfile", "./mocks/cmd/mocks", "mocks", []string{"9000", "9100", "9202"},
		map[string]string{"MOCKS_ADMIN_ADDR": ":9000", "MOCKS_IDP_ADDR": ":9100"}},
}

// instruction is one parsed Dockerfile line: its keyword, flags and
// arguments.
type instruction struct {
	cmd   string
	flags []string
	args  []string
}

func parseDockerfile(t *testing.T, path string) []instruction {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	res, err := parser.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if len(res.Warnings) > 0 {
		t.Errorf("%s: parser warnings: %v", path, res.Warnings)
	}
	var out []instruction
	for _, n := range res.AST.Children {
		in := instruction{cmd: strings.ToLower(n.Value), flags: n.Flags}
		for a := n.Next; a != nil; a = a.Next {
			in.args = append(in.args, a.Value)
		}
		out = append(out, in)
	}
	return out
}

// Each image is built in two stages, the binary statically (no cgo) and
// stripped, then copied alone onto a distroless static base (or scratch)
// where it runs as a non-root user; every path copied from the build
// context exists; the entrypoint is the copied binary; the ports the
// binary listens on in a container are the ones exposed.
func TestDockerfiles(t *testing.T) {
	for _, img := range images {
		t.Run(img.file, func(t *testing.T) {
			ins := parseDockerfile(t, filepath.Join("docker", img.file))
			var froms []int
			for i, in := range ins {
				if in.cmd == "from" {
					froms = append(froms, i)
				}
			}
			if len(froms) < 2 {
				t.Fatalf("%d stages, want a build stage and a runtime stage", len(froms))
			}
			last := froms[len(froms)-1]
			base := ins[last].args[0]
			if !strings.HasPrefix(base, "gcr.io/distroless/static") && base != "scratch" {
				t.Errorf("runtime base %s: want distroless static or scratch (no shell, no libc)", base)
			}
			var built string
			for _, in := range ins[:last] {
				switch in.cmd {
				case "copy":
					if hasFrom(in.flags) {
						continue
					}
					for _, src := range in.args[:len(in.args)-1] {
						if _, err := os.Stat(filepath.Join(repoRoot, src)); err != nil {
							t.Errorf("COPY %s: %v", src, err)
						}
					}
				case "run":
					cmd := strings.Join(in.args, " ")
					if !strings.Contains(cmd, "go build") {
						continue
					}
					for _, want := range []string{"CGO_ENABLED=0", "-trimpath", `-ldflags="-s -w"`, img.pkg} {
						if !strings.Contains(cmd, want) {
							t.Errorf("build %q lacks %s", cmd, want)
						}
					}
					f := strings.Fields(cmd)
					if i := slices.Index(f, "-o"); i >= 0 && i+1 < len(f) {
						built = f[i+1]
					}
				}
			}
			if built == "" {
				t.Fatal("no go build -o in the build stage")
			}
			if _, err := os.Stat(filepath.Join(repoRoot, img.pkg, "main.go")); err != nil {
				t.Errorf("built package: %v", err)
			}

			var installed, user, entry string
			env := map[string]string{}
			var exposed []string
			for _, in := range ins[last+1:] {
				switch in.cmd {
				case "copy":
					if !hasFrom(in.flags) {
						t.Errorf("runtime stage copies %v from the context: only the binary belongs there", in.args)
						continue
					}
					if in.args[0] != built {
						t.Errorf("runtime stage copies %s, the build wrote %s", in.args[0], built)
					}
					installed = in.args[len(in.args)-1]
				case "user":
					user = in.args[0]
				case "entrypoint":
					entry = strings.Join(in.args, " ")
				case "env":
					for i := 0; i+1 < len(in.args); i += 3 { // name, value, separator
						env[in.args[i]] = in.args[i+1]
					}
				case "expose":
					exposed = append(exposed, in.args...)
				case "run":
					t.Errorf("RUN in the runtime stage: the base has no shell")
				}
			}
			uid, _, _ := strings.Cut(user, ":")
			if user == "" || uid == "0" || uid == "root" {
				t.Errorf("USER %q: the process must not run as root", user)
			}
			if filepath.Base(installed) != img.binary || entry != installed {
				t.Errorf("binary installed as %q, entrypoint %q", installed, entry)
			}
			for k, v := range img.envAddr {
				if env[k] != v {
					t.Errorf("ENV %s=%q, want %q", k, env[k], v)
				}
			}
			for _, p := range img.ports {
				if !slices.Contains(exposed, p) {
					t.Errorf("port %s not exposed (%v)", p, exposed)
				}
			}
		})
	}
}

func hasFrom(flags []string) bool {
	return slices.ContainsFunc(flags, func(f string) bool { return strings.HasPrefix(f, "--from=") })
}

// manifests decodes every document of the Kubernetes manifests.
func manifests(t *testing.T) []map[string]any {
	t.Helper()
	files, err := filepath.Glob("kubernetes/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests: %v", err)
	}
	var out []map[string]any
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var doc map[string]any
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if doc != nil {
				out = append(out, doc)
			}
		}
	}
	return out
}

func find(docs []map[string]any, kind, name string) map[string]any {
	for _, d := range docs {
		if d["kind"] == kind && dig(d, "metadata", "name") == name {
			return d
		}
	}
	return nil
}

// dig walks maps by key and lists by index (ints).
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

// The configuration each BFF's ConfigMap ships loads through the BFF's own
// loader (unknown keys, bad values and a shared admin port are refused
// there), and the Deployment agrees with it: the container ports are the
// configured public and admin ports, readiness is /readyz and liveness
// /healthz on the public port, a preStop pause drains the endpoint before
// shutdown within the grace period, requests are set, the Service
// publishes only the public port, the Prometheus annotations point at the
// admin port, and an autoscaler and a disruption budget target the
// Deployment. The trial's compose configuration loads too.
func TestManifestsMatchTheBFFs(t *testing.T) {
	docs := manifests(t)
	for _, spec := range []gateway.Spec{webapp.Spec, mobileapp.Spec} {
		t.Run(spec.Name, func(t *testing.T) {
			cm := find(docs, "ConfigMap", spec.Name)
			body, _ := dig(cm, "data", spec.Name+".yaml").(string)
			if body == "" {
				t.Fatalf("ConfigMap %s has no %s.yaml", spec.Name, spec.Name)
			}
			path := filepath.Join(t.TempDir(), "bff.yaml")
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			cfg, err := gateway.Load(spec, []string{"-config", path}, nil)
			if err != nil {
				t.Fatalf("the ConfigMap's configuration does not load: %v", err)
			}
			_, public, _ := strings.Cut(cfg.Addr, ":")
			_, admin, _ := strings.Cut(cfg.AdminAddr, ":")
			if public == "" || admin == "" {
				t.Fatalf("addr %q, adminAddr %q", cfg.Addr, cfg.AdminAddr)
			}
			// Outside dev mode every source the schema and the resolvers
			// read needs its address, in the manifests and in the compose
			// trial alike.
			composeEnv := composeEnvironment(t, spec.Name)
			for _, id := range spec.RequiredSources {
				if !cfg.Upstreams[id].HasAddress() {
					t.Errorf("the ConfigMap gives source %q no address", id)
				}
				if composeEnv[registry.EnvKey(id)] == "" {
					t.Errorf("docker-compose.yaml gives source %q no address (%s)", id, registry.EnvKey(id))
				}
			}
			if cfg.Throttle.Store.Kind != "redis" || cfg.Telemetry.Tracing.Exporter != "otlp" {
				t.Errorf("store %q, tracing %q: replicas share budgets through Redis and send traces to the collector",
					cfg.Throttle.Store.Kind, cfg.Telemetry.Tracing.Exporter)
			}

			dep := find(docs, "Deployment", spec.Name)
			if dep == nil {
				t.Fatal("no Deployment")
			}
			c := dig(dep, "spec", "template", "spec", "containers", 0)
			ports := map[string]string{}
			for _, p := range dig(c, "ports").([]any) {
				ports[fmt.Sprint(dig(p, "name"))] = fmt.Sprint(dig(p, "containerPort"))
			}
			if ports["http"] != public || ports["admin"] != admin {
				t.Errorf("container ports %v, configured public %s admin %s", ports, public, admin)
			}
			if dig(c, "readinessProbe", "httpGet", "path") != "/readyz" || dig(c, "readinessProbe", "httpGet", "port") != "http" {
				t.Errorf("readiness probe %v", dig(c, "readinessProbe"))
			}
			if dig(c, "livenessProbe", "httpGet", "path") != "/healthz" || dig(c, "livenessProbe", "httpGet", "port") != "http" {
				t.Errorf("liveness probe %v", dig(c, "livenessProbe"))
			}
			pause, _ := dig(c, "lifecycle", "preStop", "sleep", "seconds").(int)
			grace, _ := dig(dep, "spec", "template", "spec", "terminationGracePeriodSeconds").(int)
			if pause <= 0 || grace < pause+int(gatewayShutdownSeconds) {
				t.Errorf("preStop pause %ds, grace %ds: the drain and the shutdown must fit in the grace period", pause, grace)
			}
			for _, r := range []string{"cpu", "memory"} {
				if dig(c, "resources", "requests", r) == nil {
					t.Errorf("no %s request", r)
				}
			}
			if dig(dep, "spec", "template", "metadata", "annotations", "prometheus.io/port") != admin {
				t.Errorf("Prometheus scrape annotation does not name the admin port %s", admin)
			}
			if want := "/etc/tandem/" + spec.Name + ".yaml"; !slices.Contains(toStrings(dig(c, "args")), want) {
				t.Errorf("the container does not read %s: args %v", want, dig(c, "args"))
			}

			svc := find(docs, "Service", spec.Name)
			sp, _ := dig(svc, "spec", "ports").([]any)
			if len(sp) != 1 || dig(sp[0], "targetPort") != "http" {
				t.Errorf("Service ports %v: only the public port", sp)
			}
			for _, kind := range []string{"HorizontalPodAutoscaler"} {
				if dig(find(docs, kind, spec.Name), "spec", "scaleTargetRef", "name") != spec.Name {
					t.Errorf("no %s for the Deployment", kind)
				}
			}
			if find(docs, "PodDisruptionBudget", spec.Name) == nil {
				t.Error("no PodDisruptionBudget")
			}

			// The trial configuration of docker-compose.
			if _, err := gateway.Load(spec, []string{"-config", "compose-bff.yaml"}, nil); err != nil {
				t.Errorf("compose-bff.yaml: %v", err)
			}
		})
	}
	if find(docs, "Deployment", "redis") == nil || find(docs, "Service", "redis") == nil {
		t.Error("no Redis for the shared budgets")
	}
	if find(docs, "ConfigMap", "otel-collector") == nil {
		t.Error("no OpenTelemetry collector configuration")
	}
}

// composeEnvironment is the environment docker-compose.yaml gives the
// service name.
func composeEnvironment(t *testing.T, name string) map[string]string {
	t.Helper()
	b, err := os.ReadFile("docker-compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	return f.Services[name].Environment
}

// gatewayShutdownSeconds is the BFF's graceful shutdown bound (server's
// DefaultShutdownTimeout, 10s).
const gatewayShutdownSeconds = 10

func toStrings(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, e := range l {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
