package execution_test

import (
	"bytes"
	"context"
	"io"
	"math"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/tandemgw/tandem/shared/execution"
)

// marshalled is what m writes into a bytes.Buffer (the writer gqlgen
// marshals a response into) and into a plain io.Writer.
func marshalled(t testing.TB, m graphql.Marshaler) string {
	t.Helper()
	var buf bytes.Buffer
	m.MarshalGQL(&buf)
	var plain strings.Builder
	m.MarshalGQL(&plain)
	if plain.String() != buf.String() {
		t.Fatalf("a bytes.Buffer got %q, a strings.Builder %q", buf.String(), plain.String())
	}
	return buf.String()
}

var strs = []string{
	"", "a", "Trail runner 2", `quote " and backslash \`, "tab\tnew\nline\rreturn",
	"\x00\x01\x1f\x7f", "<html>&amp;</html>", "ünïcødé €", "\xff\xfe invalid", "\u2028\u2029",
	strings.Repeat("x", 5000) + "\n",
}

// TestLeavesWriteWhatGqlgenWrites: every leaf value writes gqlgen's bytes.
func TestLeavesWriteWhatGqlgenWrites(t *testing.T) {
	for _, s := range strs {
		v := s
		if got, want := marshalled(t, (*execution.String)(&v)), marshalled(t, graphql.MarshalString(s)); got != want {
			t.Errorf("String %q: %q, gqlgen %q", s, got, want)
		}
	}
	for _, b := range []bool{true, false} {
		v := b
		if got, want := marshalled(t, (*execution.Boolean)(&v)), marshalled(t, graphql.MarshalBoolean(b)); got != want {
			t.Errorf("Boolean %v: %q, gqlgen %q", b, got, want)
		}
	}
	for _, n := range []int64{0, 1, -1, 42, 99, 100, 123456789, math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64} {
		i, i64 := int(n), n
		if got, want := marshalled(t, (*execution.Int)(&i)), marshalled(t, graphql.MarshalInt(i)); got != want {
			t.Errorf("Int %d: %q, gqlgen %q", n, got, want)
		}
		if got, want := marshalled(t, (*execution.Int64)(&i64)), marshalled(t, graphql.MarshalInt64(i64)); got != want {
			t.Errorf("Int64 %d: %q, gqlgen %q", n, got, want)
		}
		if n >= math.MinInt32 && n <= math.MaxInt32 {
			i32 := int32(n)
			if got, want := marshalled(t, (*execution.Int32)(&i32)), marshalled(t, graphql.MarshalInt32(i32)); got != want {
				t.Errorf("Int32 %d: %q, gqlgen %q", n, got, want)
			}
		}
	}
}

var floats = []float64{0, math.Copysign(0, -1), 1, -1, 0.5, 4.25, 1.0 / 3, 6.02214076e+23, 1e20, 1e21, 1e-4, 1e-5, 1e-7,
	123456789, 1e6, 999999, 1234567, math.MaxFloat64, math.SmallestNonzeroFloat64, -2.5e-300, 9007199254740993}

// gqlgenFloat is what gqlgen writes for a finite f.
func gqlgenFloat(t testing.TB, f float64) string {
	t.Helper()
	var buf bytes.Buffer
	if err := graphql.MarshalFloatContext(f).MarshalGQLContext(context.Background(), &buf); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

func TestFloatWritesWhatGqlgenWrites(t *testing.T) {
	for _, f := range floats {
		v := f
		if got, want := marshalled(t, (*execution.Float)(&v)), gqlgenFloat(t, f); got != want {
			t.Errorf("Float %v: %q, gqlgen %q", f, got, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if execution.Finite(f) {
			t.Errorf("Finite(%v) is true", f)
		}
		if err := graphql.MarshalFloatContext(f).MarshalGQLContext(context.Background(), io.Discard); err == nil {
			t.Errorf("gqlgen marshals %v without an error: Finite no longer matches it", f)
		}
	}
}

func FuzzFloatWritesWhatGqlgenWrites(f *testing.F) {
	for _, v := range floats {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if !execution.Finite(v) {
			return
		}
		if got, want := marshalled(t, (*execution.Float)(&v)), gqlgenFloat(t, v); got != want {
			t.Errorf("%v: %q, gqlgen %q", v, got, want)
		}
	})
}

func FuzzStringWritesWhatGqlgenWrites(f *testing.F) {
	for _, s := range strs {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := marshalled(t, (*execution.String)(&s)), marshalled(t, graphql.MarshalString(s)); got != want {
			t.Errorf("%q: %q, gqlgen %q", s, got, want)
		}
	})
}

// TestLeavesAllocateNothing: a leaf's value costs no allocation to make
// or, for strings and booleans, to write.
func TestLeavesAllocateNothing(t *testing.T) {
	type model struct {
		Name    string
		InStock bool
		Count   int
	}
	obj := &model{Name: "Trail runner", InStock: true, Count: 7}
	var buf bytes.Buffer
	buf.Grow(1 << 10)
	var sink graphql.Marshaler
	allocs := testing.AllocsPerRun(100, func() {
		buf.Reset()
		sink = (*execution.String)(&obj.Name)
		sink.MarshalGQL(&buf)
		sink = (*execution.Boolean)(&obj.InStock)
		sink.MarshalGQL(&buf)
		sink = (*execution.Int)(&obj.Count)
		sink.MarshalGQL(&buf)
	})
	if allocs != 0 {
		t.Errorf("%v allocations per three leaves, want 0", allocs)
	}
}
