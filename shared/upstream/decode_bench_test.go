package upstream

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// benchProduct is shaped like a catalog product: a long description and
// four image sizes, most of which a query never reads.
type benchProduct struct {
	ID          string    `json:"id"`
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Brand       string    `json:"brand"`
	Description string    `json:"description"`
	CategoryID  string    `json:"categoryId"`
	Tags        []string  `json:"tags"`
	CreatedAt   time.Time `json:"createdAt"`
	Images      []struct {
		URL    string `json:"url"`
		Width  int    `json:"width"`
		Height int    `json:"height"`
		Alt    string `json:"alt"`
	} `json:"images"`
}

func benchPage() []byte {
	var b strings.Builder
	b.WriteString(`{"items":[`)
	for i := range 50 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"prd_%06d","sku":"SKU-%06d","name":"Trail Walnut Spade %d","brand":"Acme","description":%q,"categoryId":"cat_0042","tags":["garden","tools"],"createdAt":"2024-03-12T12:02:22Z","images":[`,
			i, i, i, strings.Repeat("A sturdy tool for every garden, forged and hand-finished. ", 20))
		for j, w := range []int{200, 400, 800, 1600} {
			if j > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"url":"https://img.example.com/prd_%06d-%d.jpg","width":%d,"height":%d,"alt":"Trail Walnut Spade"}`, i, w, w, w)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`],"pageInfo":{"endCursor":"abc","hasNextPage":true}}`)
	return []byte(b.String())
}

// BenchmarkDecodeAnswer compares the answers' decoder with encoding/json
// on a 50-product page (about 100 KB).
func BenchmarkDecodeAnswer(b *testing.B) {
	data := benchPage()
	b.Run("decodeJSON", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var v ListResponse[*benchProduct]
			if err := decodeJSON(data, &v, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			var v ListResponse[*benchProduct]
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestDecodeJSONAgreesWithEncodingJSON: the fast decoder reads an answer
// exactly as encoding/json does, and refuses what it refuses.
func TestDecodeJSONAgreesWithEncodingJSON(t *testing.T) {
	data := benchPage()
	var fast, std ListResponse[*benchProduct]
	if err := decodeJSON(data, &fast, false); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &std); err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(fast)
	b, _ := json.Marshal(std)
	if string(a) != string(b) {
		t.Fatal("the decoders disagree")
	}
	for _, bad := range []string{`{"items":[]} {}`, `{"items":[}`, `{"items":"x"}`, ``} {
		var v ListResponse[*benchProduct]
		if err := decodeJSON([]byte(bad), &v, false); err == nil {
			t.Errorf("%q decoded without an error", bad)
		}
	}
	// Unknown fields are ignored, as the tolerant reader promises.
	var v struct{ ID string }
	if err := decodeJSON([]byte(`{"id":"x","extra":{"a":[1,2]}}`), &v, false); err != nil || v.ID != "x" {
		t.Fatalf("unknown field: %v %v", v, err)
	}
}
