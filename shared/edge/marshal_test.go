package edge

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// marshalResponse writes what json.Marshal writes, byte for byte.
func TestMarshalResponseIsJSONMarshal(t *testing.T) {
	yes := true
	cases := []*graphql.Response{
		{Data: json.RawMessage(`{"products":{"nodes":[{"id":"prd_000001","name":"Kettle"}]}}`)},
		{Data: nil},
		{Data: json.RawMessage(`{"product":null}`), Errors: gqlerror.List{{Message: "a backend service is unavailable", Path: ast.Path{ast.PathName("product")}, Extensions: map[string]any{"code": "UPSTREAM_UNAVAILABLE"}}}},
		{Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{"cost": map[string]any{"requested": 12, "actual": 7}}},
		{Data: json.RawMessage(`{"name":"Fish & <Chips>"}`)},
		{Data: json.RawMessage("{\"a\":\"<\u2028>&\u2029€\",\"b\":[\"&&\"]}")},
		{Data: json.RawMessage("{\"name\":\"line\u2028separator\"}")},
		{Data: json.RawMessage(`{"a":1}`), HasNext: &yes, Label: "more", Path: ast.Path{ast.PathName("a")}},
		{Errors: gqlerror.List{{Message: "x"}}},
	}
	for _, resp := range cases {
		want, err := json.Marshal(resp)
		if err != nil {
			t.Fatal(err)
		}
		got, err := marshalResponse(resp)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("got  %s\nwant %s", got, want)
		}
	}
}

func TestHTMLEscapedFindsWhatJSONMarshalEscapes(t *testing.T) {
	for in, want := range map[string]bool{
		`{"a":"plain €"}`:     false,
		`{"a":"x<y"}`:         true,
		`{"a":"x>y"}`:         true,
		`{"a":"x&y"}`:         true,
		"{\"a\":\"x\u2028\"}": true,
		"{\"a\":\"x\u2029\"}": true,
		"{\"a\":\"x\u2027\"}": false,
		"\xe2":                false,
		"\xe2\x80":            false,
	} {
		if got := htmlEscaped([]byte(in)); got != want {
			t.Errorf("htmlEscaped(%q) = %v, want %v", in, got, want)
		}
	}
}

func BenchmarkMarshalResponse(b *testing.B) {
	data := []byte(`{"products":{"nodes":[`)
	for i := range 50 {
		if i > 0 {
			data = append(data, ',')
		}
		data = append(data, `{"id":"prd_000001","name":"Stainless kettle 1.7 l","brand":"Brew and Co","ratingSummary":{"average":4.2,"count":118},"price":{"current":{"amountMinor":4999,"currency":"EUR","formatted":"€49.99"}},"stock":{"inStock":true}}`...)
	}
	data = append(data, "]}}"...)
	resp := &graphql.Response{Data: data, Extensions: map[string]any{"cost": map[string]any{"requested": 205, "actual": 205}}}
	b.Run("marshalResponse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := marshalResponse(resp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json.Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(resp); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// marshalResponse is what writeJSON writes for resp: responseParts joined.
func marshalResponse(resp *graphql.Response) ([]byte, error) {
	parts, err := responseParts(resp)
	return bytes.Join(parts[:], nil), err
}
