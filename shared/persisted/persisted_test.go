package persisted_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/tandemgw/tandem/shared/edge"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/persisted"
)

var schema = gqlparser.MustLoadSchema(&ast.Source{Input: `
	type Query { product(id: ID!): Product  search(q: String!): [Product!] }
	type Product { id: ID! name: String! }
	type Mutation { addToCart(id: ID!): Int }
`})

// exec answers every operation with its own name, so a test sees which
// document ran.
func exec() graphql.ExecutableSchema {
	return &graphql.ExecutableSchemaMock{
		SchemaFunc: func() *ast.Schema { return schema },
		ExecFunc: func(ctx context.Context) graphql.ResponseHandler {
			oc := graphql.GetOperationContext(ctx)
			return graphql.OneShot(&graphql.Response{Data: json.RawMessage(`{"ran":"` + oc.Operation.Name + `"}`)})
		},
	}
}

const (
	productDoc = "query Product($id: ID!) { product(id: $id) { name } }"
	searchDoc  = "query Search($q: String!) { search(q: $q) { id } }"
	adHoc      = "query AdHoc { product(id: 1) { id name } }"
)

func sha(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// manifests are one manifest of each format: Apollo's (the product query,
// by its SHA-256) and Codegen's (the search, under a custom id).
func manifests(t *testing.T) []*persisted.Manifest {
	t.Helper()
	apollo, err := persisted.ParseManifest("apollo.json", []byte(`{"format":"apollo-persisted-query-manifest","version":1,
		"operations":[{"id":"`+sha(productDoc)+`","name":"Product","type":"query","body":"`+productDoc+`"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	codegen, err := persisted.ParseManifest("persisted-documents.json", []byte(`{"search-v1":"`+searchDoc+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	return []*persisted.Manifest{apollo, codegen}
}

type server struct {
	t    *testing.T
	h    http.Handler
	logs *bytes.Buffer
	read func() int64 // graphql.persisted.unlisted so far
}

func newServer(t *testing.T, mode persisted.Mode, store persisted.Store) *server {
	t.Helper()
	list, err := persisted.NewList(schema, manifests(t)...)
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	reader := sdkmetric.NewManualReader()
	meter := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader)).Meter("test")
	trusted, err := persisted.NewTrusted(list, mode,
		persisted.WithTrustedLogger(slog.New(slog.NewTextHandler(logs, nil))), persisted.WithTrustedMeter(meter))
	if err != nil {
		t.Fatal(err)
	}
	if store == nil {
		store = persisted.NewMemoryStore(100)
	}
	apq, err := persisted.NewAPQ(store)
	if err != nil {
		t.Fatal(err)
	}
	srv := handler.New(exec())
	srv.AddTransport(edge.Transport{})
	srv.Use(trusted)
	srv.Use(apq)
	read := func() int64 {
		var rm metricdata.ResourceMetrics
		if err := reader.Collect(context.Background(), &rm); err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, sm := range rm.ScopeMetrics {
			for _, m := range sm.Metrics {
				if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == "graphql.persisted.unlisted" {
					for _, dp := range sum.DataPoints {
						n += dp.Value
					}
				}
			}
		}
		return n
	}
	return &server{t: t, h: srv, logs: logs, read: read}
}

type result struct {
	status int
	ran    string
	code   errcode.Code
	msg    string
	raw    string
}

func (s *server) send(r *http.Request) result {
	s.t.Helper()
	r.Header.Set("Accept", "application/graphql-response+json")
	rec := httptest.NewRecorder()
	s.h.ServeHTTP(rec, r)
	body, _ := io.ReadAll(rec.Body)
	var resp struct {
		Data   struct{ Ran string }
		Errors []struct {
			Message    string
			Extensions map[string]any
		}
	}
	if err := json.Unmarshal(body, &resp); err != nil {
		s.t.Fatalf("%s: %v", body, err)
	}
	out := result{status: rec.Code, ran: resp.Data.Ran, raw: string(body)}
	if len(resp.Errors) > 0 {
		c, _ := resp.Errors[0].Extensions["code"].(string)
		out.code = errcode.Code(c)
		out.msg = resp.Errors[0].Message
	}
	return out
}

func (s *server) post(body map[string]any) result {
	b, _ := json.Marshal(body)
	r := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(b))
	r.Header.Set("Content-Type", "application/json")
	return s.send(r)
}

func (s *server) get(v url.Values) result {
	return s.send(httptest.NewRequest(http.MethodGet, "/graphql?"+v.Encode(), nil))
}

func ext(hash string) map[string]any {
	return map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}
}

// The three modes, for each way a request can name its operation.
func TestTrustedDocumentModes(t *testing.T) {
	vars := map[string]any{"id": "p1", "q": "kettle"}
	type want struct {
		ran  string // the operation that ran, "" when refused
		code errcode.Code
	}
	refused := want{code: errcode.PersistedQueryNotInList}
	cases := []struct {
		name                 string
		body                 map[string]any
		enforce, log, off    want
		unlistedCountedInLog bool
	}{
		{name: "documentId, Apollo manifest id", body: map[string]any{"documentId": sha(productDoc)},
			enforce: want{ran: "Product"}, log: want{ran: "Product"}, off: want{ran: "Product"}},
		{name: "documentId, sha256: prefix", body: map[string]any{"documentId": "sha256:" + sha(productDoc)},
			enforce: want{ran: "Product"}, log: want{ran: "Product"}, off: want{ran: "Product"}},
		{name: "documentId, Codegen manifest id", body: map[string]any{"documentId": "search-v1"},
			enforce: want{ran: "Search"}, log: want{ran: "Search"}, off: want{ran: "Search"}},
		{name: "documentId, unknown", body: map[string]any{"documentId": "nope"},
			enforce: refused, log: refused, off: refused},
		{name: "hash of a listed document", body: map[string]any{"extensions": ext(sha(searchDoc))},
			enforce: want{ran: "Search"}, log: want{ran: "Search"}, off: want{ran: "Search"}},
		{name: "hash of an unlisted document", body: map[string]any{"extensions": ext(sha(adHoc))},
			enforce: refused, log: want{code: errcode.PersistedQueryNotFound}, off: want{code: errcode.PersistedQueryNotFound}},
		{name: "text of a listed document", body: map[string]any{"query": productDoc},
			enforce: want{ran: "Product"}, log: want{ran: "Product"}, off: want{ran: "Product"}},
		{name: "text of an unlisted document", body: map[string]any{"query": adHoc},
			enforce: refused, log: want{ran: "AdHoc"}, off: want{ran: "AdHoc"}, unlistedCountedInLog: true},
		{name: "unlisted text with its hash (APQ registration)", body: map[string]any{"query": adHoc, "extensions": ext(sha(adHoc))},
			enforce: refused, log: want{ran: "AdHoc"}, off: want{ran: "AdHoc"}, unlistedCountedInLog: true},
	}
	for _, mode := range []persisted.Mode{persisted.ModeEnforce, persisted.ModeLog, persisted.ModeOff} {
		for _, c := range cases {
			t.Run(string(mode)+"/"+c.name, func(t *testing.T) {
				s := newServer(t, mode, nil)
				w := map[persisted.Mode]want{persisted.ModeEnforce: c.enforce, persisted.ModeLog: c.log, persisted.ModeOff: c.off}[mode]
				body := map[string]any{"variables": vars}
				for k, v := range c.body {
					body[k] = v
				}
				r := s.post(body)
				if r.ran != w.ran || r.code != w.code {
					t.Fatalf("ran %q code %q, want ran %q code %q: %s", r.ran, r.code, w.ran, w.code, r.raw)
				}
				wantStatus := http.StatusOK
				if w.code == errcode.PersistedQueryNotInList {
					wantStatus = http.StatusBadRequest
				}
				if r.status != wantStatus {
					t.Fatalf("status %d, want %d", r.status, wantStatus)
				}
				counted := s.read()
				switch {
				case mode == persisted.ModeLog && c.unlistedCountedInLog:
					if counted != 1 || !strings.Contains(s.logs.String(), sha(adHoc)) {
						t.Fatalf("log mode: counted %d, logs %q", counted, s.logs)
					}
					if strings.Contains(s.logs.String(), "AdHoc") {
						t.Fatalf("the log holds the operation text: %q", s.logs)
					}
				case mode == persisted.ModeEnforce && w.code == errcode.PersistedQueryNotInList:
					if counted != 1 {
						t.Fatalf("enforce mode: refused operations counted %d", counted)
					}
				case w.ran != "" && counted != 0:
					t.Fatalf("a listed operation was counted as unlisted (%d)", counted)
				}
			})
		}
	}
}

// Log mode logs each unlisted hash once and counts every occurrence.
func TestLogModeLogsEachHashOnce(t *testing.T) {
	s := newServer(t, persisted.ModeLog, nil)
	for range 3 {
		if r := s.post(map[string]any{"query": adHoc}); r.ran != "AdHoc" {
			t.Fatal(r.raw)
		}
	}
	if n := strings.Count(s.logs.String(), sha(adHoc)); n != 1 {
		t.Fatalf("hash logged %d times: %s", n, s.logs)
	}
	if s.read() != 3 {
		t.Fatalf("counted %d, want 3", s.read())
	}
}

// Apollo's APQ protocol, by POST and GET: a miss, the registration, a hit;
// and every malformed or mismatching request refused.
func TestAutomaticPersistedQueries(t *testing.T) {
	s := newServer(t, persisted.ModeLog, nil)
	h := sha(adHoc)
	steps := []struct {
		name   string
		do     func() result
		status int
		ran    string
		code   errcode.Code
	}{
		{"POST hash only: miss", func() result { return s.post(map[string]any{"extensions": ext(h)}) }, 200, "", errcode.PersistedQueryNotFound},
		{"GET hash only: miss", func() result {
			return s.get(url.Values{"extensions": {`{"persistedQuery":{"version":1,"sha256Hash":"` + h + `"}}`}})
		}, 200, "", errcode.PersistedQueryNotFound},
		{"hash with a text it is not the hash of", func() result {
			return s.post(map[string]any{"query": adHoc, "extensions": ext(sha(adHoc + " "))})
		}, 400, "", errcode.PersistedQueryHashMismatch},
		{"the mismatch registered nothing", func() result { return s.post(map[string]any{"extensions": ext(h)}) }, 200, "", errcode.PersistedQueryNotFound},
		{"hash of an invalid document with it", func() result {
			return s.post(map[string]any{"query": "{ nope }", "extensions": ext(sha("{ nope }"))})
		}, 400, "", "GRAPHQL_VALIDATION_FAILED"},
		{"an invalid document is not registered", func() result {
			return s.post(map[string]any{"extensions": ext(sha("{ nope }"))})
		}, 200, "", errcode.PersistedQueryNotFound},
		{"register", func() result { return s.post(map[string]any{"query": adHoc, "extensions": ext(h)}) }, 200, "AdHoc", ""},
		{"POST hash only: hit", func() result { return s.post(map[string]any{"extensions": ext(h)}) }, 200, "AdHoc", ""},
		{"GET hash only: hit", func() result {
			return s.get(url.Values{"extensions": {`{"persistedQuery":{"version":1,"sha256Hash":"` + strings.ToUpper(h) + `"}}`}})
		}, 200, "AdHoc", ""},
		{"version 2", func() result {
			return s.post(map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 2, "sha256Hash": h}}})
		}, 400, "", errcode.BadRequest},
		{"hash not hex", func() result {
			return s.post(map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": "xyz"}}})
		}, 400, "", errcode.BadRequest},
		{"extension not an object", func() result {
			return s.post(map[string]any{"extensions": map[string]any{"persistedQuery": "yes"}})
		}, 400, "", errcode.BadRequest},
	}
	for _, st := range steps {
		r := st.do()
		if r.status != st.status || r.ran != st.ran || r.code != st.code {
			t.Fatalf("%s: status %d ran %q code %q, want %d %q %q: %s", st.name, r.status, r.ran, r.code, st.status, st.ran, st.code, r.raw)
		}
		if r.code == errcode.PersistedQueryNotFound && r.msg != "PersistedQueryNotFound" {
			t.Fatalf("%s: message %q, Apollo's link looks for PersistedQueryNotFound", st.name, r.msg)
		}
	}
}

// A listed document found by hash is not stored in the APQ store again.
func TestListedDocumentsAreNotStoredByAPQ(t *testing.T) {
	store := persisted.NewMemoryStore(10)
	s := newServer(t, persisted.ModeLog, store)
	if r := s.post(map[string]any{"query": productDoc, "extensions": ext(sha(productDoc)), "variables": map[string]any{"id": 1}}); r.ran != "Product" {
		t.Fatal(r.raw)
	}
	if store.Len() != 0 {
		t.Fatalf("store holds %d", store.Len())
	}
}

func TestMemoryStoreIsBounded(t *testing.T) {
	st := persisted.NewMemoryStore(2)
	ctx := context.Background()
	st.Add(ctx, "a", "1")
	st.Add(ctx, "b", "2")
	st.Get(ctx, "a") // a is now the most recent
	st.Add(ctx, "c", "3")
	if _, ok := st.Get(ctx, "b"); ok {
		t.Fatal("the least recently used text survived")
	}
	if _, ok := st.Get(ctx, "a"); !ok || st.Len() != 2 {
		t.Fatalf("len %d", st.Len())
	}
}
