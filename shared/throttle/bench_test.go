package throttle

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/executor"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tandemgw/tandem/shared/throttle/redistest"
)

func TestMain(m *testing.M) {
	InstallRedisLogger(slog.New(slog.NewTextHandler(io.Discard, nil)))
	os.Exit(m.Run())
}

var benchKeys = func() []string {
	k := make([]string, 1024)
	for i := range k {
		k[i] = "ip:198.51.100." + itoa(i)
	}
	return k
}()

func BenchmarkMemoryAllow(b *testing.B) {
	st := NewMemoryStore()
	lim := Limit{Rate: 1 << 30, Period: time.Second}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := st.Allow(ctx, benchKeys[i&1023], lim, 1); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkRedisAllow(b *testing.B) {
	srv := redistest.Start(b)
	client := NewRedisClient(srv.Addr, time.Second)
	b.Cleanup(func() { _ = client.Close() })
	st := NewRedisStore(client, WithRedisTimeout(time.Second), WithFailureMode(FailClosed))
	lim := Limit{Rate: 1 << 30, Period: time.Second}
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if _, err := st.Allow(ctx, benchKeys[i&1023], lim, 1); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkCost(b *testing.B) {
	schema := loadTestSchema(b)
	calc := NewCalculator(schema, CostConfig{})
	op, vars := parseOp(b, schema, `query($n: Int) {
		products(first: $n) { edges { node { id name price { currency } reviews(first: 3) { author { name } } } } pageInfo { hasNextPage } }
		search(term: "x") { ... on Product { ...P } ... on Category { id } }
	} fragment P on Product { id price { amountMinor } category { name } }`, map[string]any{"n": 20})
	b.ReportAllocs()
	for b.Loop() {
		_ = calc.Cost(op, vars)
	}
}

func BenchmarkMeasureOperation(b *testing.B) {
	schema := loadTestSchema(b)
	op, _ := parseOp(b, schema, `{ products(first: 5) { edges { node { id name price { currency } reviews { author { name } } } } } }`, nil)
	b.ReportAllocs()
	for b.Loop() {
		_ = MeasureOperation(op)
	}
}

// benchPage is a listing page's operation: a sized connection, nested
// lists and objects, a variable that sizes a list and one that does not.
const benchPage = `query Page($n: Int, $id: ID!) {
  products(first: $n) {
    nodes { id name price { amountMinor currency } category { id name }
            reviews(first: 3) { id rating author { name } } }
    pageInfo { hasNextPage endCursor }
  }
  product(id: $id) { id name price { amountMinor currency } }
}`

// BenchmarkChecksBeforeExecution is the per-request price of the
// operation limits and the static cost for a repeated document: gqlgen's
// executor with a query cache creates the operation context (cached parse
// and validation, then the extensions' checks) without executing it.
// "checks" minus "none" is what the extensions add. Run with -benchmem.
func BenchmarkChecksBeforeExecution(b *testing.B) {
	cfg := WebDefaults()
	vars := map[string]any{"n": json.Number("20"), "id": "prd_1"}
	for _, checks := range []bool{false, true} {
		name := "none"
		if checks {
			name = "checks"
		}
		b.Run(name, func(b *testing.B) {
			be := &backend{schema: loadTestSchema(b)}
			exec := executor.New(be.executable())
			exec.SetQueryCache(lru.New[*ast.QueryDocument](1000))
			if checks {
				exec.Use(NewOperationLimits(cfg.Operation))
				exec.Use(NewCostExtension(be.schema, cfg.Cost))
			}
			ctx := graphql.StartOperationTrace(context.Background())
			b.ReportAllocs()
			for b.Loop() {
				if _, errs := exec.CreateOperationContext(ctx, &graphql.RawParams{Query: benchPage, Variables: vars}); errs != nil {
					b.Fatal(errs)
				}
			}
		})
	}
}

// BenchmarkActualCost is the per-request price of extensions.cost.actual:
// a request with the listing page answering 20 products, through the
// handler with the cost extension, reporting the actual cost or not.
func BenchmarkActualCost(b *testing.B) {
	body, _ := json.Marshal(map[string]any{"query": benchPage, "variables": map[string]any{"n": 20, "id": "prd_1"}})
	for _, actual := range []bool{false, true} {
		name := "requested"
		if actual {
			name = "actual"
		}
		b.Run(name, func(b *testing.B) {
			be := &backend{schema: loadTestSchema(b)}
			srv := handler.New(be.executable())
			srv.AddTransport(transport.POST{})
			srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
			cfg := WebDefaults().Cost
			cfg.ReportActual = actual
			useCost(srv, NewCostExtension(be.schema, cfg))
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
