package persisted_test

import (
	"strings"
	"testing"

	"github.com/tandemgw/tandem/shared/persisted"
)

func TestParseManifestFormats(t *testing.T) {
	cases := []struct {
		name, data string
		ids        []string
		err        string
	}{
		{name: "apollo", data: `{"format":"apollo-persisted-query-manifest","version":1,"operations":[
			{"id":"a","name":"Product","type":"query","body":"query Product { product(id: 1) { id } }"}]}`, ids: []string{"a"}},
		{name: "codegen", data: `{"b":"query B { product(id: 1) { id } }","a":"query A { product(id: 1) { name } }"}`, ids: []string{"a", "b"}},
		{name: "not an object", data: `[]`, err: "not a JSON object"},
		{name: "broken JSON", data: `{"a":`, err: "manifest"},
		{name: "apollo, other format", data: `{"format":"relay","version":1,"operations":[]}`, err: "format"},
		{name: "apollo, version 2", data: `{"format":"apollo-persisted-query-manifest","version":2,"operations":[]}`, err: "version"},
		{name: "apollo, no body", data: `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a"}]}`, err: "body"},
		{name: "apollo, unknown key", data: `{"format":"apollo-persisted-query-manifest","version":1,"operations":[],"x":1}`, err: "unknown field"},
		{name: "codegen, value not a string", data: `{"a":1}`, err: "not a document string"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := persisted.ParseManifest("m.json", []byte(c.data))
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "m.json") {
					t.Fatalf("error %v, want one naming m.json and %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, d := range m.Documents {
				ids = append(ids, d.ID)
			}
			if strings.Join(ids, ",") != strings.Join(c.ids, ",") {
				t.Fatalf("ids %v, want %v", ids, c.ids)
			}
		})
	}
}

// A manifest that the schema cannot serve refuses the whole list, naming
// the manifest and the document.
func TestNewListRefusesInvalidManifests(t *testing.T) {
	good := "query Product { product(id: 1) { id } }"
	cases := []struct {
		name, data, err string
	}{
		{"unknown field", `{"x":"query X { product(id: 1) { price } }"}`, `document "x": does not validate`},
		{"syntax error", `{"x":"query X { product(id: 1) { id }"}`, `document "x": does not validate`},
		{"missing variable", `{"x":"query X { product(id: $id) { id } }"}`, `does not validate`},
		{"fragment only", `{"x":"fragment F on Product { id }"}`, `does not validate`},
		{"sha256 id of another body", `{"` + sha("other") + `":"` + good + `"}`, "not the SHA-256"},
		{"sha256: id of another body", `{"sha256:` + sha("other") + `":"` + good + `"}`, "not the SHA-256"},
		{"sha1 id of another body", `{"0123456789abcdef0123456789abcdef01234567":"` + good + `"}`, "not the SHA-1"},
		{"apollo name mismatch", `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","name":"Other","type":"query","body":"` + good + `"}]}`, `no operation named "Other"`},
		{"apollo type mismatch", `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","name":"Product","type":"mutation","body":"` + good + `"}]}`, "the manifest says mutation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := persisted.ParseManifest("bad.json", []byte(c.data))
			if err != nil {
				t.Fatal(err)
			}
			_, err = persisted.NewList(schema, m)
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), "bad.json") {
				t.Fatalf("error %v, want one naming bad.json and %q", err, c.err)
			}
		})
	}

	// Two manifests giving one id different documents.
	a, _ := persisted.ParseManifest("a.json", []byte(`{"x":"`+good+`"}`))
	b, _ := persisted.ParseManifest("b.json", []byte(`{"x":"query Y { product(id: 2) { id } }"}`))
	if _, err := persisted.NewList(schema, a, b); err == nil || !strings.Contains(err.Error(), "a.json") {
		t.Fatalf("conflicting ids: %v", err)
	}
	// The same document twice is fine; ids written as digests are checked.
	c, _ := persisted.ParseManifest("c.json", []byte(`{"x":"`+good+`","`+sha(good)+`":"`+good+`"}`))
	l, err := persisted.NewList(schema, a, c)
	if err != nil {
		t.Fatal(err)
	}
	if d, ok := l.ByHash(sha(good)); !ok || d.Name != "Product" || d.Type != "query" {
		t.Fatalf("by hash: %+v %v", d, ok)
	}
}

// The manifest the generator writes reads back with ids that are the
// SHA-256 of each body.
func TestWriteApolloManifestRoundTrip(t *testing.T) {
	data, err := persisted.WriteApolloManifest([]persisted.Document{{Name: "Product", Type: "query", Body: "query Product { product(id: 1) { id } }"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := persisted.ParseManifest("out.json", data)
	if err != nil {
		t.Fatal(err)
	}
	l, err := persisted.NewList(schema, m)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := l.ByID(sha("query Product { product(id: 1) { id } }")); !ok || l.Len() != 1 {
		t.Fatalf("round trip: %s", data)
	}
}
