package app_test

// End-to-end tests of the edge through bff-mobile's real handler and
// generated executor: the app's published operations as trusted documents
// (enforced outside dev mode), @defer on the product screen delivered over
// multipart/mixed or merged, and a manifest the schema cannot serve
// refusing startup.

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/bff-mobile/operations"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/persisted"
)

// manifestIDs maps the app's operation names to their manifest ids.
func manifestIDs(t *testing.T) map[string]string {
	t.Helper()
	m, err := persisted.ParseManifest("manifest.json", operations.Manifest)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, d := range m.Documents {
		ids[d.Name] = d.ID
	}
	for _, want := range []string{"Home", "ProductDetail", "Search", "Orders", "OrderDetail", "AddToCart", "PlaceOrder"} {
		if ids[want] == "" {
			t.Fatalf("the manifest lacks %s", want)
		}
	}
	return ids
}

func enforce(c *app.Config) { c.Edge.TrustedDocuments.Mode = "" } // the BFF's own default

func TestTrustedDocumentsDefaultToEnforceOutsideDev(t *testing.T) {
	ids := manifestIDs(t)
	prod := newEnv(t, enforce)
	dev := newEnv(t, func(c *app.Config) { enforce(c); c.Dev = true })
	body := func(v map[string]any) []byte { b, _ := json.Marshal(v); return b }
	adHoc := `{ product(id: "prd_000042") { name } }`

	cases := []struct {
		name      string
		env       *env
		body      []byte
		status    int
		code      errcode.Code
		wantField string
	}{
		{"documentId", prod, body(map[string]any{"documentId": ids["ProductDetail"], "variables": map[string]any{"id": "prd_000042"}}), 200, "", "topReviews"},
		{"persisted query hash", prod, body(map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": ids["Search"]}},
			"variables": map[string]any{"query": "kettle"}}), 200, "", "nodes"},
		{"an operation the app does not publish", prod, body(map[string]any{"query": adHoc}), 400, errcode.PersistedQueryNotInList, ""},
		{"an unknown documentId", prod, body(map[string]any{"documentId": strings.Repeat("0", 64)}), 400, errcode.PersistedQueryNotInList, ""},
		{"dev mode runs it", dev, body(map[string]any{"query": adHoc}), 200, "", "name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.env.T = t
			r := c.env.Do(gatewaytest.Request{Body: c.body})
			if r.Status != c.status || r.Code() != c.code {
				t.Fatalf("status %d code %q, want %d %q: %s", r.Status, r.Code(), c.status, c.code, r.Raw)
			}
			if c.wantField != "" && !bytes.Contains(r.Data, []byte(`"`+c.wantField+`"`)) {
				t.Fatalf("data lacks %s: %s", c.wantField, r.Raw)
			}
		})
	}
}

// The product screen defers its rating and reviews: a client that accepts
// multipart/mixed gets the first screen, then the reviews; one that does
// not gets everything in one body. Either way nothing is left null.
func TestProductScreenDefersReviews(t *testing.T) {
	ids := manifestIDs(t)
	e := newEnv(t, enforce)
	body, _ := json.Marshal(map[string]any{"documentId": ids["ProductDetail"], "variables": map[string]any{"id": "prd_000042"}})
	send := func(accept string) (*http.Response, []byte) {
		req, err := http.NewRequest(http.MethodPost, e.Server.URL+"/graphql", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", accept)
		resp, err := e.Server.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp, b
	}
	type product struct {
		Name       string
		Rating     *struct{ Count int }
		TopReviews []struct{ ID string }
	}

	// Apollo Client 4's Accept header.
	resp, raw := send("multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json;q=0.9")
	mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q: %s", resp.Header.Get("Content-Type"), raw)
	}
	mr := multipart.NewReader(bytes.NewReader(raw), params["boundary"])
	var payloads []map[string]json.RawMessage
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%v: %q", err, raw)
		}
		var m map[string]json.RawMessage
		if err := json.NewDecoder(p).Decode(&m); err != nil {
			t.Fatal(err)
		}
		payloads = append(payloads, m)
	}
	if len(payloads) != 2 || string(payloads[0]["hasNext"]) != "true" || string(payloads[1]["hasNext"]) != "false" {
		t.Fatalf("payloads %q", raw)
	}
	var initial struct{ Product product }
	_ = json.Unmarshal(payloads[0]["data"], &initial)
	if initial.Product.Name == "" {
		t.Fatalf("initial payload: %s", payloads[0]["data"])
	}
	var incremental []struct {
		Data  product
		Path  []any
		Label string
	}
	if err := json.Unmarshal(payloads[1]["incremental"], &incremental); err != nil || len(incremental) != 1 {
		t.Fatalf("incremental %s", payloads[1]["incremental"])
	}
	inc := incremental[0]
	if inc.Label != "reviews" || len(inc.Path) != 1 || inc.Path[0] != "product" || inc.Data.Rating == nil || len(inc.Data.TopReviews) == 0 {
		t.Fatalf("deferred payload %+v", inc)
	}

	// A client that only takes JSON.
	resp, raw = send("application/json")
	var merged struct {
		Data   struct{ Product product }
		Errors []any
	}
	if err := json.Unmarshal(raw, &merged); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%d %s", resp.StatusCode, raw)
	}
	if merged.Data.Product.Rating == nil || len(merged.Data.Product.TopReviews) == 0 || len(merged.Errors) > 0 {
		t.Fatalf("merged answer lost the deferred fields: %s", raw)
	}
	if bytes.Contains(raw, []byte("hasNext")) {
		t.Fatalf("a single body must not announce more: %s", raw)
	}
}

// A manifest with an operation the schema cannot serve stops startup,
// naming the file and the operation.
func TestInvalidManifestRefusesToStart(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "persisted-documents.json")
	if err := os.WriteFile(path, []byte(`{"old-screen":"query Old { product(id: \"1\") { listPrice } }"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := app.Default()
	cfg.Dev = true // the mocks' defaults: the manifest is the one thing wrong
	cfg.Edge.TrustedDocuments.Manifests = []string{path}
	_, err := app.New(context.Background(), cfg, gatewaytest.Registry(t, app.Name, app.Sources))
	if err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "old-screen") {
		t.Fatalf("startup error %v, want one naming %s and old-screen", err, path)
	}
}
