package errcode

import (
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	gqlcode "github.com/99designs/gqlgen/graphql/errcode"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSetIsClosedAndWellFormed(t *testing.T) {
	seen := map[Code]bool{}
	wire := regexp.MustCompile(`^[A-Z][A-Z_]*[A-Z]$`)
	for _, c := range All() {
		assert.False(t, seen[c], "%s listed twice", c)
		seen[c] = true
		assert.Regexp(t, wire, string(c))
		assert.True(t, c.Known(), c)
	}
	assert.False(t, Code("UPSTREAM_ERRORS").Known())
	assert.False(t, Code("").Known())

	a := All()
	a[0] = "CHANGED"
	assert.Equal(t, Unauthenticated, All()[0], "All returns a copy")
}

// The codes gqlgen sets itself must be the ones listed here.
func TestGQLGenCodes(t *testing.T) {
	assert.Equal(t, gqlcode.ParseFailed, string(GraphQLParseFailed))
	assert.Equal(t, gqlcode.ValidationFailed, string(GraphQLValidationFailed))
}

func TestNewStoresAPlainString(t *testing.T) {
	e := New(RateLimited, "slow down")
	c, ok := e.Extensions["code"].(string)
	require.True(t, ok, "gqlgen and the access log read extensions.code as a string")
	assert.Equal(t, "RATE_LIMITED", c)
	b, err := json.Marshal(e)
	require.NoError(t, err)
	assert.JSONEq(t, `{"message":"slow down","extensions":{"code":"RATE_LIMITED"}}`, string(b))
}

func TestOf(t *testing.T) {
	assert.Equal(t, Forbidden, Of(map[string]any{"code": "FORBIDDEN"}))
	assert.Equal(t, Forbidden, Of(map[string]any{"code": Forbidden}))
	assert.Equal(t, Code(""), Of(map[string]any{"code": 7}))
	assert.Equal(t, Code(""), Of(nil))
}

// The README's "## Errors" table documents exactly the set: every code,
// and no code that does not exist.
func TestREADMEListsExactlyTheSet(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	section := errorsSection(t, string(readme))

	documented := map[Code]bool{}
	code := regexp.MustCompile("`([A-Z][A-Z_]*[A-Z])`")
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		first := strings.SplitN(strings.TrimPrefix(line, "|"), "|", 2)[0]
		for _, m := range code.FindAllStringSubmatch(first, -1) {
			documented[Code(m[1])] = true
		}
	}
	require.NotEmpty(t, documented, "no code table in the Errors section")

	for _, c := range All() {
		assert.True(t, documented[c], "%s is not documented in README.md ## Errors", c)
	}
	for c := range documented {
		assert.True(t, slices.Contains(All(), c), "README.md ## Errors documents %s, which is not a code", c)
	}
}

func errorsSection(t *testing.T, readme string) string {
	t.Helper()
	_, rest, ok := strings.Cut(readme, "\n## Errors\n")
	require.True(t, ok, `README.md has no "## Errors" section`)
	if i := strings.Index(rest, "\n## "); i >= 0 {
		rest = rest[:i]
	}
	return rest
}
