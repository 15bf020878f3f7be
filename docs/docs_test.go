package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

const guide = "adding-a-backend.md"

// maxLines is the guide's promise: a backend team reads it in one sitting.
const maxLines = 300

func TestGuideIsShort(t *testing.T) {
	if n := strings.Count(read(t, guide), "\n"); n > maxLines {
		t.Errorf("%s has %d lines; it promises at most %d: tighten it", guide, n, maxLines)
	}
}

// repoPath is a backticked repository path: `mocks/services.go`,
// `bff-web/graph/model` (placeholders such as <service> are not).
var repoPath = regexp.MustCompile("`([a-z][a-z0-9_.-]*(?:/[A-Za-z0-9_.-]+)+/?)`")

// TestGuideNamesWhatExists: every path the guide names is in the
// repository, and every command of its shell blocks runs something that
// exists (a package directory, a make target).
func TestGuideNamesWhatExists(t *testing.T) {
	text := read(t, guide)
	for _, m := range repoPath.FindAllStringSubmatch(text, -1) {
		if _, err := os.Stat(filepath.Join("..", m[1])); err != nil {
			t.Errorf("%s names %s, which does not exist", guide, m[1])
		}
	}
	makefile := read(t, filepath.Join("..", "Makefile"))
	for _, block := range regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(text, -1) {
		for _, line := range strings.Split(block[1], "\n") {
			cmd, _, _ := strings.Cut(line, "#")
			f := strings.Fields(cmd)
			switch {
			case len(f) >= 2 && f[0] == "make":
				if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(f[1]) + `:`).MatchString(makefile) {
					t.Errorf("%s runs make %s: no such target", guide, f[1])
				}
			case len(f) >= 2 && f[0] == "go" && f[1] == "test":
				for _, arg := range f[2:] {
					if dir, ok := strings.CutPrefix(arg, "./"); ok {
						dir = strings.TrimSuffix(strings.TrimSuffix(dir, "..."), "/")
						if _, err := os.Stat(filepath.Join("..", dir)); err != nil {
							t.Errorf("%s runs go test %s: no such package", guide, arg)
						}
					}
				}
			}
		}
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
