package gatewaytest

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/tandemgw/tandem/shared/errcode"
)

// Code is extensions.code of the first error of r ("" when there is none).
func (r Response) Code() errcode.Code {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Code()
	return c
}

// Ext returns extensions[key] of the first error of r as an int, failing
// the test if there is no error or no such number.
func (r Response) Ext(t testing.TB, key string) int {
	t.Helper()
	if len(r.Errors) == 0 {
		t.Fatalf("no error in %s", r.Raw)
	}
	f, ok := r.Errors[0].Extensions[key].(float64)
	if !ok {
		t.Fatalf("extensions.%s missing in %s", key, r.Raw)
	}
	return int(f)
}

// Remaining reads the remaining budget (r=<n>) of policy from the RateLimit
// header, failing the test if the header has no such policy.
func (r Response) Remaining(t testing.TB, policy string) int {
	t.Helper()
	m := regexp.MustCompile(`"` + regexp.QuoteMeta(policy) + `";r=(\d+)`).FindStringSubmatch(r.Header.Get("RateLimit"))
	if m == nil {
		t.Fatalf("RateLimit %q has no %s budget (status %d)", r.Header.Get("RateLimit"), policy, r.Status)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// Cost reads extensions.cost.<key> of r (requested, actual, max), failing
// the test if it is missing.
func (r Response) Cost(t testing.TB, key string) int {
	t.Helper()
	c, ok := r.Extensions["cost"].(map[string]any)
	if !ok {
		t.Fatalf("no extensions.cost in %s", r.Raw)
	}
	f, ok := c[key].(float64)
	if !ok {
		t.Fatalf("extensions.cost.%s missing in %s", key, r.Raw)
	}
	return int(f)
}

// WantCode fails the test unless r has an error at path (dot-joined, as
// ErrorAt) whose extensions.code is want.
func (r Response) WantCode(t testing.TB, path string, want errcode.Code) {
	t.Helper()
	if got, _ := r.ErrorAt(t, path).Code(); got != want {
		t.Fatalf("%s: code %q, want %q: %s", path, got, want, r.Raw)
	}
}
