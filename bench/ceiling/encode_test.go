package ceiling

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"testing"

	"github.com/99designs/gqlgen/graphql"
)

// gqlgenBytes is how bff-web writes a value: gqlgen's marshaler into the
// data, then encoding/json marshalling the response envelope around it.
func gqlgenBytes(t *testing.T, m graphql.Marshaler) []byte {
	t.Helper()
	var data bytes.Buffer
	m.MarshalGQL(&data)
	out, err := json.Marshal(&graphql.Response{Data: data.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	return bytes.TrimSuffix(bytes.TrimPrefix(out, []byte(`{"data":`)), []byte(`}`))
}

func TestAppendStringMatchesGqlgen(t *testing.T) {
	for _, s := range []string{
		"", "plain", `quote " and backslash \`, "tab\tnew\nline\rreturn",
		"bell\a nul\x00 esc\x1b unit\x1f", "html <b>&amp;</b>", "€1,299.99 · Größe",
		"line\u2028para\u2029end", "emoji 🧪 and \u00a0nbsp", "bad \xff utf-8 \xc3",
	} {
		want := gqlgenBytes(t, graphql.MarshalString(s))
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Errorf("%q: got %s, want %s", s, got, want)
		}
	}
}

func TestAppendFloatMatchesGqlgen(t *testing.T) {
	for _, f := range []float64{0, 1, 3.75, 4.1, 2.333333333333, 1e-7, 1e21, 123456789, -0.5, math.SmallestNonzeroFloat64} {
		var data bytes.Buffer
		if err := graphql.MarshalFloatContext(f).MarshalGQLContext(context.Background(), &data); err != nil {
			t.Fatal(err)
		}
		if got := appendFloat(nil, f); !bytes.Equal(got, data.Bytes()) {
			t.Errorf("%v: got %s, want %s", f, got, data.Bytes())
		}
	}
}
