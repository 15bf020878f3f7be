package mocks_test

import (
	"fmt"
	"net"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/mocks"
)

// The services are listed by hand in four documents besides
// mocks/services.go; a new backend must join every list. Each test here
// holds one list to mocks.Services: the same names, protocols and ports.

type listed struct{ name, protocol, addr string }

func (l listed) String() string { return fmt.Sprintf("%s %s %s", l.name, l.protocol, l.addr) }

// want is mocks.Services as the documents spell it: REST and gRPC.
func want() []listed {
	var out []listed
	for _, s := range mocks.Services() {
		p := map[string]string{"rest": "REST", "grpc": "gRPC"}[s.Protocol]
		out = append(out, listed{s.Name, p, s.DefaultAddr})
	}
	return out
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func same(t *testing.T, doc string, got []listed) {
	t.Helper()
	w := want()
	for _, x := range w {
		if !slices.Contains(got, x) {
			t.Errorf("%s does not list %v (mocks.Services)", doc, x)
		}
	}
	for _, x := range got {
		if !slices.Contains(w, x) {
			t.Errorf("%s lists %v, which mocks.Services does not have", doc, x)
		}
	}
}

// tableRow is a row "| name | REST | `127.0.0.1:9101` | ... |".
var tableRow = regexp.MustCompile("(?m)^\\| ([a-z]+) \\| (REST|gRPC) \\| `([0-9.]+:[0-9]+)` \\|(.*)\\|$")

func TestMocksREADMEListsEveryService(t *testing.T) {
	doc := "mocks/README.md"
	var got []listed
	for _, m := range tableRow.FindAllStringSubmatch(read(t, "README.md"), -1) {
		got = append(got, listed{m[1], m[2], m[3]})
		if pkg := strings.TrimSpace(m[4]); pkg != "`mocks/"+m[1]+"`" {
			t.Errorf("%s: %s's package is %s, want `mocks/%s`", doc, m[1], pkg, m[1])
		}
	}
	same(t, doc, got)
	if !strings.Contains(read(t, "README.md"), "| admin | HTTP | `"+mocks.DefaultAdminAddr+"` |") {
		t.Errorf("%s: the admin API is not listed at %s", doc, mocks.DefaultAdminAddr)
	}
}

func TestSchemaREADMEListsEveryService(t *testing.T) {
	var got []listed
	for _, m := range tableRow.FindAllStringSubmatch(read(t, "../schema/README.md"), -1) {
		got = append(got, listed{m[1], m[2], m[3]})
	}
	same(t, "schema/README.md", got)
}

// The README's quick start lists the services by protocol with their
// ports ("| accounts, ..., wishlists (REST) | `127.0.0.1:9101` … `9106` |",
// "…" a range), and its architecture diagram names them, REST first.
func TestREADMEListsEveryService(t *testing.T) {
	readme := read(t, "../README.md")
	var got []listed
	row := regexp.MustCompile(`(?m)^\| ([a-z, ]+) \((REST|gRPC)\) \| (.+) \|$`)
	for _, m := range row.FindAllStringSubmatch(readme, -1) {
		names := splitNames(m[1])
		ports := regexp.MustCompile(`[0-9]{4,5}`).FindAllString(strings.ReplaceAll(m[3], "127.0.0.1", ""), -1)
		if strings.Contains(m[3], "…") && len(ports) == 2 {
			lo, _ := strconv.Atoi(ports[0])
			hi, _ := strconv.Atoi(ports[1])
			ports = nil
			for p := lo; p <= hi; p++ {
				ports = append(ports, strconv.Itoa(p))
			}
		}
		if len(ports) != len(names) {
			t.Errorf("README.md: %d %s services, %d ports: %q", len(names), m[2], len(ports), m[0])
			continue
		}
		for i, n := range names {
			got = append(got, listed{n, m[2], net.JoinHostPort("127.0.0.1", ports[i])})
		}
	}
	same(t, "README.md (quick start)", got)

	diagram := regexp.MustCompile(`(?m)^ +([a-z]+(?: · [a-z]+)*) {2,}([a-z]+(?: · [a-z]+)*) *$`).FindStringSubmatch(readme)
	if diagram == nil {
		t.Fatal("README.md: no line of the architecture diagram names the services (REST · ...    gRPC · ...)")
	}
	byProtocol := map[string][]string{}
	for _, w := range want() {
		byProtocol[w.protocol] = append(byProtocol[w.protocol], w.name)
	}
	for i, p := range []string{"REST", "gRPC"} {
		got := strings.Split(diagram[i+1], " · ")
		sort.Strings(got)
		sort.Strings(byProtocol[p])
		if !slices.Equal(got, byProtocol[p]) {
			t.Errorf("README.md's diagram names the %s services %v, mocks.Services has %v", p, got, byProtocol[p])
		}
	}
}

// The package comment names the services: "...: accounts, ... and
// wishlists (REST) and inventory, ... and shipping (gRPC), ...".
func TestDocGoListsEveryService(t *testing.T) {
	text := regexp.MustCompile(`\s*\n//\s*`).ReplaceAllString(read(t, "doc.go"), " ")
	m := regexp.MustCompile(`benchmarks: (.+?) \(REST\) and (.+?) \(gRPC\)`).FindStringSubmatch(text)
	if m == nil {
		t.Fatal(`mocks/doc.go: no "...: <names> (REST) and <names> (gRPC)" in the package comment`)
	}
	var got []listed
	for i, p := range []string{"REST", "gRPC"} {
		for _, n := range splitNames(m[i+1]) {
			addr := ""
			for _, w := range want() {
				if w.name == n {
					addr = w.addr
				}
			}
			got = append(got, listed{n, p, addr})
		}
	}
	same(t, "mocks/doc.go", got)
}

// splitNames splits "a, b and c" (or "a, b, c").
func splitNames(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ", ") {
		for _, n := range strings.Split(part, " and ") {
			if n = strings.TrimSpace(n); n != "" {
				out = append(out, n)
			}
		}
	}
	return out
}
