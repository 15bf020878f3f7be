package gatewaytest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tandemgw/tandem/shared/errcode"
)

// HostileAnswerWithin is how long a BFF may take to refuse a hostile
// document. Every check of a document is linear in its size, so a refusal
// costs about what a small query costs; a walker that expands fragments
// where they are spread takes seconds on FragmentBomb.
const HostileAnswerWithin = 50 * time.Millisecond

// FragmentBomb is a document of levels fragments, each spreading the one
// below it twice, the lowest selecting leaf on typeCond; op selects the
// top one. Expanded it selects leaf 2^levels times; written out it is a
// few hundred bytes. op is the operation, with "..." where the top
// fragment is spread, e.g. `{ product(id: "prd_000001") { ... } }`.
func FragmentBomb(op, typeCond, leaf string, levels int) string {
	var b strings.Builder
	b.WriteString(strings.Replace(op, "...", fmt.Sprintf("...F%d", levels), 1))
	b.WriteByte('\n')
	for i := levels; i > 0; i-- {
		fmt.Fprintf(&b, "fragment F%d on %s { ...F%d ...F%d }\n", i, typeCond, i-1, i-1)
	}
	fmt.Fprintf(&b, "fragment F0 on %s { %s }\n", typeCond, leaf)
	return b.String()
}

// HostileDocument is a document built to make the gateway work far more
// than its size suggests, with the error code each mode must refuse it
// with.
type HostileDocument struct {
	Name     string
	Query    string
	ProdCode errcode.Code // extensions.code outside dev mode
	DevCode  errcode.Code // extensions.code in dev mode
}

// HostileDocuments are fragment bombs (30 levels: 2^30 fields once
// expanded) of __typename, __schema, __type and of a real field, one next
// to real introspection, a wide alias tree and deep nesting, each within
// the body and token limits of both BFFs so that the checks after parsing
// are what must refuse them. Outside dev mode introspection is refused
// first; in dev mode the introspection exemption must not let any of them
// through, because none is the bounded schema query it is meant for.
func HostileDocuments() []HostileDocument {
	const (
		limit         = errcode.OperationLimitExceeded
		introspection = errcode.IntrospectionDisabled
	)
	aliases := func(n int, sel string) string {
		var b strings.Builder
		b.WriteString("{")
		for i := range n {
			fmt.Fprintf(&b, " a%d: %s", i, sel)
		}
		b.WriteString(" }")
		return b.String()
	}
	deepType := `{ __type(name: "Query") { ` + strings.Repeat("ofType { ", 60) + "name" + strings.Repeat(" }", 60) + " } }"
	return []HostileDocument{
		{"fragment bomb of __typename", FragmentBomb("{ ... }", "Query", "__typename", 30), limit, limit},
		{"fragment bomb of __schema", FragmentBomb("{ ... }", "Query", "__schema { queryType { name } }", 30), introspection, limit},
		{"fragment bomb of __type", FragmentBomb("{ ... }", "Query", `__type(name: "Query") { name }`, 30), introspection, limit},
		{"fragment bomb next to __schema", FragmentBomb("{ __schema { queryType { name } } ... }", "Query", "__typename", 30), introspection, limit},
		{"fragment bomb of a product field", FragmentBomb(`{ product(id: "prd_000001") { ... } }`, "Product", "name", 30), limit, limit},
		{"wide alias tree of __typename", aliases(200, "__typename"), limit, limit},
		{"wide alias tree of __schema", aliases(60, "__schema { queryType { name } }"), introspection, limit},
		{"deep introspection", deepType, introspection, limit},
	}
}

// CheckHostileDocuments sends every HostileDocuments entry to dev (an Env
// in dev mode) and prod (outside dev mode) and proves each is refused with
// 400 (a request error, to a client accepting
// application/graphql-response+json) and its mode's code, within HostileAnswerWithin (a slow answer is
// retried once, for a stall of the machine), with no data and no backend
// call. A cheap query first warms each Env's connection.
func CheckHostileDocuments(t *testing.T, dev, prod *Env) {
	t.Helper()
	for _, mode := range []struct {
		name string
		env  *Env
		dev  bool
	}{{"prod", prod, false}, {"dev", dev, true}} {
		mode.env.Do(Request{Query: OneProduct}).NoErrors(t)
		for _, d := range HostileDocuments() {
			t.Run(mode.name+"/"+d.Name, func(t *testing.T) {
				e := mode.env
				e.Mocks.Counters().Reset()
				want := d.ProdCode
				if mode.dev {
					want = d.DevCode
				}
				r, took := timedDo(e, Request{Query: d.Query})
				if took > HostileAnswerWithin {
					// One retry absorbs a scheduling stall of a loaded
					// machine; a walk that expands fragments takes
					// seconds every time. The comment makes it a new
					// text, so that no cache of the first answer helps.
					t.Logf("answered after %v; retrying once", took)
					r, took = timedDo(e, Request{Query: d.Query + "\n# again"})
				}
				if took > HostileAnswerWithin {
					t.Errorf("answered after %v, want within %v", took, HostileAnswerWithin)
				}
				if r.Status != http.StatusBadRequest || r.Code() != want {
					t.Fatalf("status %d code %q, want 400 %s: %.400s", r.Status, r.Code(), want, r.Raw)
				}
				if len(r.Data) > 0 && string(r.Data) != "null" {
					t.Fatalf("a refused document answered data: %.300s", r.Raw)
				}
				if n := e.TotalCalls(); n != 0 {
					t.Fatalf("a refused document made %d backend calls", n)
				}
			})
		}
	}
}

// timedDo is e.Do with the time the answer took.
func timedDo(e *Env, r Request) (Response, time.Duration) {
	e.T.Helper()
	began := time.Now()
	resp := e.Do(r)
	return resp, time.Since(began)
}
