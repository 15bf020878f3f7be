package throttle

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

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
