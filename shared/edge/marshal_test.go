package edge

import (
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
