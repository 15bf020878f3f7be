package throttle

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/tandemgw/tandem/shared/errcode"
)

func TestOperationLimits(t *testing.T) {
	const product12 = `product(id: "1") { id name price { amountMinor currency } category { id name } reviews { id rating } }`
	cases := []struct {
		name   string
		limits OperationLimits
		limit  string
		under  string // exactly at the limit: accepted
		over   string // one past it: rejected
		actual int
	}{
		{
			name: "tokens", limits: OperationLimits{MaxTokens: 30}, limit: LimitTokens,
			under:  "{" + strings.Repeat(" tags", 28) + " }", // 1 + 28 + 1
			over:   "{" + strings.Repeat(" tags", 29) + " }",
			actual: 31,
		},
		{
			name: "depth", limits: OperationLimits{MaxDepth: 4}, limit: LimitDepth,
			under:  `{ product(id: "1") { reviews { author { name } } } }`,
			over:   `{ products { nodes { reviews { author { name } } } } }`,
			actual: 5,
		},
		{
			name: "depth through fragments", limits: OperationLimits{MaxDepth: 4}, limit: LimitDepth,
			under:  `{ product(id: "1") { ...R } } fragment R on Product { reviews { author { name } } }`,
			over:   `{ products { nodes { ...R } } } fragment R on Product { reviews { author { name } } }`,
			actual: 5,
		},
		{
			name: "aliases", limits: OperationLimits{MaxAliases: 3}, limit: LimitAliases,
			under:  `{ a: tags b: tags c: tags }`,
			over:   `{ a: tags b: tags c: tags d: tags }`,
			actual: 4,
		},
		{
			name: "root fields", limits: OperationLimits{MaxRootFields: 3}, limit: LimitRootFields,
			under:  `{ tags expensive categories { id } }`,
			over:   `{ tags ...R } fragment R on Query { expensive categories { id } product(id: "1") { id } }`,
			actual: 4,
		},
		{
			name: "directives per field", limits: OperationLimits{MaxDirectivesPerField: 2}, limit: LimitDirectivesPerField,
			under:  `{ tags @include(if: true) @trace expensive @audit }`,
			over:   `{ tags @include(if: true) @trace @audit }`,
			actual: 3,
		},
		{
			name: "fields", limits: OperationLimits{MaxFields: 12}, limit: LimitFields,
			under:  `{ ` + product12 + ` }`,
			over:   `{ ` + product12 + ` tags }`,
			actual: 13,
		},
		{
			name: "fields through repeated fragments", limits: OperationLimits{MaxFields: 12}, limit: LimitFields,
			under:  `{ a: product(id: "1") { ...F } b: product(id: "2") { ...F } } fragment F on Product { id price { currency } category { id } }`,
			over:   `{ a: product(id: "1") { ...F } b: product(id: "2") { ...F } c: product(id: "3") { ...F } } fragment F on Product { id price { currency } category { id } }`,
			actual: 18,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := newGateway(t, gatewayOpts{cfg: Config{Operation: tc.limits}})

			rec, resp := g.post(t, tc.under, nil)
			if rec.Code != http.StatusOK || len(resp.Errors) != 0 {
				t.Fatalf("legitimate operation rejected: %d %+v", rec.Code, resp.Errors)
			}
			if g.backend.calls.Load() != 1 {
				t.Fatalf("legitimate operation did not execute")
			}

			rec, resp = g.post(t, tc.over, nil)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("status = %d, want 422", rec.Code)
			}
			if resp.code() != errcode.OperationLimitExceeded || resp.ext("limit") != tc.limit {
				t.Fatalf("errors = %+v, want %s for %s", resp.Errors, errcode.OperationLimitExceeded, tc.limit)
			}
			if got := resp.ext("actual"); got != float64(tc.actual) {
				t.Errorf("actual = %v, want %d", got, tc.actual)
			}
			if len(resp.Data) != 0 && string(resp.Data) != "null" {
				t.Errorf("rejected operation has data %s", resp.Data)
			}
			if n := g.backend.calls.Load(); n != 1 {
				t.Errorf("rejected operation reached the backend (%d executions)", n)
			}
		})
	}
}

func TestBodyLimit(t *testing.T) {
	const maxBytes = 400
	g := newGateway(t, gatewayOpts{cfg: Config{Operation: OperationLimits{MaxBodyBytes: maxBytes}}})
	bodyOf := func(size int) []byte {
		base, _ := json.Marshal(map[string]any{"query": "{ tags }"})
		pad := size - len(base)
		b, _ := json.Marshal(map[string]any{"query": "{ tags }" + strings.Repeat(" ", pad)})
		if len(b) != size {
			t.Fatalf("built a %d byte body, want %d", len(b), size)
		}
		return b
	}

	rec, resp := g.postRaw(t, bodyOf(maxBytes))
	if rec.Code != http.StatusOK || len(resp.Errors) != 0 {
		t.Fatalf("body at the limit rejected: %d %+v", rec.Code, resp.Errors)
	}

	rec, resp = g.postRaw(t, bodyOf(maxBytes+1))
	if rec.Code != http.StatusRequestEntityTooLarge || resp.code() != errcode.OperationLimitExceeded || resp.ext("limit") != LimitBodyBytes {
		t.Fatalf("oversized body: %d %+v", rec.Code, resp.Errors)
	}
	if resp.ext("max") != float64(maxBytes) || resp.ext("actual") != float64(maxBytes+1) {
		t.Errorf("extensions = %v", resp.Errors[0].Extensions)
	}

	// Without Content-Length the cap still holds (MaxBytesReader).
	req, _ := http.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(bodyOf(maxBytes+1))))
	req.ContentLength = -1
	req.Header.Set("Content-Type", "application/json")
	rec2 := newRecorder()
	g.handler.ServeHTTP(rec2, req)
	if rec2.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec2.Body.String(), string(errcode.OperationLimitExceeded)) {
		t.Errorf("chunked oversized body: %d %s", rec2.Code, rec2.Body.String())
	}
	if n := g.backend.calls.Load(); n != 1 {
		t.Errorf("backend executions = %d, want 1", n)
	}
}

func TestBatchesRefused(t *testing.T) {
	g := newGateway(t, gatewayOpts{cfg: WebDefaults()})
	rec, resp := g.postRaw(t, []byte(` [{"query":"{ tags }"},{"query":"{ tags }"}]`))
	if rec.Code != http.StatusBadRequest || resp.code() != errcode.BatchNotSupported {
		t.Fatalf("batch: %d %+v", rec.Code, resp.Errors)
	}
	if g.backend.calls.Load() != 0 {
		t.Error("batch reached the backend")
	}
}

func TestFieldSuggestionsOnlyInDev(t *testing.T) {
	for _, dev := range []bool{false, true} {
		g := newGateway(t, gatewayOpts{cfg: WebDefaults(), dev: dev})
		_, resp := g.post(t, `{ tagz }`, nil)
		if len(resp.Errors) == 0 {
			t.Fatal("invalid field accepted")
		}
		suggested := strings.Contains(resp.Errors[0].Message, "Did you mean")
		if suggested != dev {
			t.Errorf("dev=%v: message %q", dev, resp.Errors[0].Message)
		}
	}
}

func TestCountTokens(t *testing.T) {
	for q, want := range map[string]int{
		``:                           0,
		`{ tags }`:                   3,
		`# comment only` + "\n{ a }": 3,
		`query Q($n: Int = 3) { products(first: $n) { nodes { id } } }`: 25,
		`{ a(s: "x y z") }`: 8,
	} {
		if got := CountTokens(q, 0); got != want {
			t.Errorf("CountTokens(%q) = %d, want %d", q, got, want)
		}
	}
	if got := CountTokens(strings.Repeat("a ", 1000), 10); got != 10 {
		t.Errorf("stopAt not honoured: %d", got)
	}
}

func TestExemptIntrospection(t *testing.T) {
	schema := loadTestSchema(t)
	limits := OperationLimits{MaxDepth: 2, MaxFields: 3, MaxRootFields: 2}
	// GraphiQL's schema query is deep and wide; a data query of the same
	// shape must still be refused.
	introspection := `{ __schema { types { name fields { name type { name ofType { name } } } } } }`
	check := func(ext graphql.HandlerExtension, query string) *gqlerror.Error {
		t.Helper()
		doc, errs := gqlparser.LoadQueryWithRules(schema, query, rules.NewDefaultRules())
		if errs != nil {
			t.Fatalf("invalid test query %q: %v", query, errs)
		}
		opCtx := &graphql.OperationContext{Doc: doc, Operation: doc.Operations[0]}
		return ext.(graphql.OperationContextMutator).MutateOperationContext(context.Background(), opCtx)
	}

	strict := NewOperationLimits(limits)
	if err := check(strict, introspection); err == nil {
		t.Fatal("introspection passed the depth limit without the exemption")
	}
	dev := NewOperationLimits(limits, ExemptIntrospection(true))
	for _, q := range []string{
		introspection,
		`query { ...I } fragment I on Query { __type(name: "Query") { fields { name type { name ofType { name } } } } }`,
		`{ __typename __type(name: "Query") { fields { name type { name ofType { name } } } } }`,
	} {
		if err := check(dev, q); err != nil {
			t.Fatalf("exempt introspection refused: %v: %s", err, q)
		}
	}
	deep := func(n int) string {
		return `{ __type(name: "Query") { ` + strings.Repeat("ofType { ", n-2) + "name" + strings.Repeat(" }", n-2) + " } }"
	}
	if err := check(dev, deep(IntrospectionMaxDepth)); err != nil {
		t.Fatalf("introspection at the introspection depth limit refused: %v", err)
	}
	wide := `{ __schema { types { ` + strings.Repeat("name ", IntrospectionMaxFields) + `} } }`
	for q, limit := range map[string]string{
		// data next to introspection: the normal limits
		`{ __schema { types { name fields { name } } } tags }`: LimitDepth,
		// __typename alone is not introspection
		`{ ... on Query { __typename } a: __typename b: __typename }`: LimitRootFields,
		// introspection is held to its own depth and field limits, and to
		// the normal root field limit
		deep(IntrospectionMaxDepth + 1): LimitDepth,
		wide:                            LimitFields,
		`{ a: __schema { queryType { name } } b: __schema { queryType { name } } c: __type(name: "Query") { name } }`: LimitRootFields,
	} {
		err := check(dev, q)
		if err == nil || err.Extensions["limit"] != limit {
			t.Errorf("%s: %v, want the %s limit", q, err, limit)
		}
	}
}
