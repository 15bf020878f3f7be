package bench

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
)

// machine describes where a run happened.
type machine struct {
	CPUModel  string
	CPUs      int
	OS        string // kernel release and architecture
	GoVersion string // the toolchain that built the systems under test
	Tools     string // versions of the libraries that matter to the figures
	Env       string // runtime settings passed to the systems under test
}

// toolModules are the modules whose versions the report records.
var toolModules = []struct{ path, name string }{
	{"github.com/99designs/gqlgen", "gqlgen"},
	{"github.com/graph-gophers/dataloader/v7", "dataloader"},
	{"google.golang.org/grpc", "grpc-go"},
	{"go.opentelemetry.io/otel", "otel"},
	{"github.com/tsenart/vegeta/v12", "vegeta"},
}

func describeMachine(goVersion string) machine {
	m := machine{CPUModel: cpuModel(), CPUs: runtime.NumCPU(), GoVersion: goVersion}
	kernel, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err == nil {
		m.OS = fmt.Sprintf("Linux %s, %s", strings.TrimSpace(string(kernel)), runtime.GOARCH)
	} else {
		m.OS = runtime.GOOS + ", " + runtime.GOARCH
	}
	versions := map[string]string{}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Replace != nil {
				d = d.Replace
			}
			versions[d.Path] = d.Version
		}
	}
	var tools []string
	for _, t := range toolModules {
		if v := versions[t.path]; v != "" {
			tools = append(tools, t.name+" "+v)
		}
	}
	m.Tools = strings.Join(tools, ", ")
	var env []string
	for _, k := range []string{"GOGC", "GOMEMLIMIT", "GOMAXPROCS", "GODEBUG"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	if len(env) == 0 {
		env = []string{"runtime defaults (GOGC, GOMEMLIMIT, GOMAXPROCS, GODEBUG unset)"}
	}
	m.Env = strings.Join(env, " ")
	return m
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func runtimeCPUs() int { return runtime.NumCPU() }
