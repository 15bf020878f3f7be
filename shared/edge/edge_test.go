package edge_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/tandemgw/tandem/shared/edge"
	"github.com/tandemgw/tandem/shared/errcode"
)

func TestNegotiate(t *testing.T) {
	const gqlrj, js = edge.MediaTypeGraphQLResponse, edge.MediaTypeJSON
	cases := []struct {
		accept     string
		want       string
		acceptable bool
		multipart  bool
	}{
		{"", js, true, false},
		{"*/*", js, true, false},
		{"application/*", js, true, false},
		{"application/json", js, true, false},
		{"application/graphql-response+json", gqlrj, true, false},
		{"application/graphql-response+json, application/json;q=0.9", gqlrj, true, false},
		{"application/json, application/graphql-response+json", js, true, false},
		{"application/json;q=0.5, application/graphql-response+json", gqlrj, true, false},
		{"application/graphql-response+json;q=0.5, */*", js, true, false},
		{"text/html, application/xhtml+xml, */*;q=0.8", js, true, false},
		{"multipart/mixed;deferSpec=20220824, application/json", js, true, true},
		{"multipart/mixed;deferSpec=20220824,application/graphql-response+json,application/json;q=0.9", gqlrj, true, true},
		{"multipart/mixed;q=0, application/json", js, true, false},
		{"text/html", js, false, false},
		{"application/graphql-response+json;q=0", js, false, false},
		{"garbage;;;", js, false, false},
	}
	for _, c := range cases {
		n := edge.Negotiate(c.accept)
		if n.MediaType != c.want || n.Acceptable != c.acceptable || n.Multipart != c.multipart {
			t.Errorf("Negotiate(%q) = %+v, want %s acceptable=%v multipart=%v", c.accept, n, c.want, c.acceptable, c.multipart)
		}
	}
}

// Every error answer of the edge and the transport: status, media type
// (following Accept), an extensions.code on every error, no data entry for
// a request that did not execute, and nothing of the request echoed back.
func TestErrorMediaTypesAndCodes(t *testing.T) {
	// An inner middleware that answers like authentication's 401: plain
	// application/json, whatever the client accepts.
	unauthorized := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") == "Bearer bad" {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				_, _ = io.WriteString(w, `{"errors":[{"message":"invalid access token","extensions":{"code":"UNAUTHENTICATED"}}]}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	s := newStack(t, stackOptions{cfg: edge.Defaults(), inner: unauthorized})
	const gqlrj = "application/graphql-response+json"
	const secret = "s3cr3t-input-never-echoed"
	cases := []struct {
		name   string
		req    *http.Request
		status int
		ctype  string // media type of the answer
		codes  []errcode.Code
		data   bool   // whether a data entry is expected
		allow  string // expected Allow header
	}{
		{name: "query, graphql-response+json", req: post(`{"query":"{ product(id: 1) { name } }"}`, "Accept", gqlrj),
			status: 200, ctype: gqlrj, data: true},
		{name: "query, no Accept", req: post(`{"query":"{ product(id: 1) { name } }"}`),
			status: 200, ctype: "application/json", data: true},
		{name: "parse error, json", req: post(`{"query":"{ product(id: 1) {"}`, "Accept", "application/json"),
			status: 200, ctype: "application/json", codes: []errcode.Code{errcode.GraphQLParseFailed}},
		{name: "parse error, graphql-response+json", req: post(`{"query":"{ product(id: 1) {"}`, "Accept", gqlrj),
			status: 400, ctype: gqlrj, codes: []errcode.Code{errcode.GraphQLParseFailed}},
		{name: "validation error, json", req: post(`{"query":"{ nope }"}`),
			status: 200, ctype: "application/json", codes: []errcode.Code{errcode.GraphQLValidationFailed}},
		{name: "validation error, graphql-response+json", req: post(`{"query":"{ nope }"}`, "Accept", gqlrj),
			status: 400, ctype: gqlrj, codes: []errcode.Code{errcode.GraphQLValidationFailed}},
		{name: "variable coercion, graphql-response+json", req: post(`{"query":"query($id: ID!) { product(id: $id) { name } }","variables":{"id":{"x":1}}}`, "Accept", gqlrj),
			status: 400, ctype: gqlrj, codes: []errcode.Code{errcode.GraphQLValidationFailed}},
		{name: "malformed JSON", req: post(`{"query": "`+secret, "Accept", gqlrj),
			status: 400, ctype: gqlrj, codes: []errcode.Code{errcode.BadRequest}},
		{name: "malformed JSON, json", req: post(`{"query": "` + secret),
			status: 400, ctype: "application/json", codes: []errcode.Code{errcode.BadRequest}},
		{name: "query is a number", req: post(`{"query": 1}`),
			status: 400, ctype: "application/json", codes: []errcode.Code{errcode.BadRequest}},
		{name: "variables is a string", req: post(`{"query":"{ viewer }","variables":"` + secret + `"}`),
			status: 400, ctype: "application/json", codes: []errcode.Code{errcode.BadRequest}},
		{name: "no query", req: post(`{"notquery":"{ viewer }"}`, "Accept", gqlrj),
			status: 400, ctype: gqlrj, codes: []errcode.Code{errcode.BadRequest}},
		{name: "persistedQuery null and no query", req: post(`{"extensions":{"persistedQuery":null}}`, "Accept", gqlrj),
			status: 400, ctype: gqlrj, codes: []errcode.Code{errcode.BadRequest}},
		{name: "empty body", req: post(``),
			status: 400, ctype: "application/json", codes: []errcode.Code{errcode.BadRequest}},
		{name: "POST without Content-Type", req: post(`{"query":"{ viewer }"}`, "Content-Type", "", "Apollo-Require-Preflight", "1"),
			status: 415, ctype: "application/json", codes: []errcode.Code{errcode.UnsupportedMediaType}},
		{name: "POST text/plain", req: post(`{"query":"{ viewer }"}`, "Content-Type", "text/plain", "Apollo-Require-Preflight", "1", "Accept", gqlrj),
			status: 415, ctype: gqlrj, codes: []errcode.Code{errcode.UnsupportedMediaType}},
		{name: "POST Latin-1", req: post(`{"query":"{ viewer }"}`, "Content-Type", "application/json; charset=iso-8859-1"),
			status: 415, ctype: "application/json", codes: []errcode.Code{errcode.UnsupportedMediaType}},
		{name: "PUT", req: func() *http.Request {
			r := post(`{"query":"{ viewer }"}`, "Accept", gqlrj)
			r.Method = http.MethodPut
			return r
		}(), status: 405, ctype: gqlrj, codes: []errcode.Code{errcode.MethodNotAllowed}, allow: "GET, POST, OPTIONS"},
		{name: "GET mutation", req: get(url.Values{"query": {"mutation { like(id: 1) }"}}, "Accept", gqlrj),
			status: 405, ctype: gqlrj, codes: []errcode.Code{errcode.MethodNotAllowed}, allow: "POST"},
		{name: "GET mutation, json", req: get(url.Values{"query": {"mutation { like(id: 1) }"}}),
			status: 405, ctype: "application/json", codes: []errcode.Code{errcode.MethodNotAllowed}, allow: "POST"},
		{name: "Accept nothing we speak", req: post(`{"query":"{ viewer }"}`, "Accept", "text/html"),
			status: 406, ctype: "application/json", codes: []errcode.Code{errcode.NotAcceptable}},
		{name: "CSRF", req: get(url.Values{"query": {"{ viewer }"}}, "Apollo-Require-Preflight", "", "Accept", gqlrj),
			status: 400, ctype: gqlrj, codes: []errcode.Code{errcode.CSRFPreflightRequired}},
		{name: "401 of an inner middleware follows Accept", req: post(`{"query":"{ viewer }"}`, "Authorization", "Bearer bad", "Accept", gqlrj),
			status: 401, ctype: gqlrj, codes: []errcode.Code{errcode.Unauthenticated}},
		{name: "401 of an inner middleware, json", req: post(`{"query":"{ viewer }"}`, "Authorization", "Bearer bad"),
			status: 401, ctype: "application/json", codes: []errcode.Code{errcode.Unauthenticated}},
		{name: "unknown APQ hash is 200 for Apollo", req: post(`{"extensions":`+pq(sha("{ viewer }"))+`}`, "Accept", gqlrj),
			status: 200, ctype: gqlrj, codes: []errcode.Code{errcode.PersistedQueryNotFound}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := s.do(c.req)
			if a.status != c.status {
				t.Fatalf("status %d, want %d: %s", a.status, c.status, a.body)
			}
			mt, params, err := mime.ParseMediaType(a.header.Get("Content-Type"))
			if err != nil || mt != c.ctype {
				t.Fatalf("Content-Type %q, want %s", a.header.Get("Content-Type"), c.ctype)
			}
			if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
				t.Fatalf("charset %q", cs)
			}
			if got := a.codes(t); !slices.Equal(got, c.codes) {
				t.Fatalf("codes %v, want %v: %s", got, c.codes, a.body)
			}
			if _, has := a.json(t)["data"]; has != c.data {
				t.Fatalf("data entry present=%v, want %v: %s", has, c.data, a.body)
			}
			if a.header.Get("Allow") != c.allow {
				t.Fatalf("Allow %q, want %q", a.header.Get("Allow"), c.allow)
			}
			if bytes.Contains(a.body, []byte(secret)) {
				t.Fatalf("the answer echoes the request: %s", a.body)
			}
		})
	}
}

func TestCSRFPrevention(t *testing.T) {
	cfg := edge.Defaults()
	cfg.CSRF.RequiredHeaders = []string{"X-Tandem-Client"}
	s := newStack(t, stackOptions{cfg: cfg})
	q := url.Values{"query": {"{ product(id: 1) { name } }"}}
	body := `{"query":"{ product(id: 1) { name } }"}`
	cases := []struct {
		name    string
		req     *http.Request
		blocked bool
	}{
		{"GET without a header", get(q, "Apollo-Require-Preflight", ""), true},
		{"GET with an empty apollo-require-preflight", get(q, "Apollo-Require-Preflight", ""), true},
		{"GET with apollo-require-preflight", get(q), false},
		{"GET with x-apollo-operation-name", get(q, "Apollo-Require-Preflight", "", "X-Apollo-Operation-Name", "Product"), false},
		{"GET with a configured header", get(q, "Apollo-Require-Preflight", "", "X-Tandem-Client", "ios"), false},
		{"GET with Content-Type: application/json", get(q, "Apollo-Require-Preflight", "", "Content-Type", "application/json"), false},
		{"POST application/json", post(body), false},
		{"POST application/json with charset", post(body, "Content-Type", "application/json; charset=utf-8"), false},
		{"POST text/plain", post(body, "Content-Type", "text/plain"), true},
		{"POST text/plain with charset", post(body, "Content-Type", "text/plain;charset=UTF-8"), true},
		{"POST form", post(body, "Content-Type", "application/x-www-form-urlencoded"), true},
		{"POST multipart", post(body, "Content-Type", "multipart/form-data; boundary=x"), true},
		{"POST without Content-Type", post(body, "Content-Type", ""), true},
		{"POST text/plain with apollo-require-preflight", post(body, "Content-Type", "text/plain", "Apollo-Require-Preflight", "1"), false},
		{"POST unparseable Content-Type", post(body, "Content-Type", "text/plain; ;;=="), false},
		{"HEAD (answered 405 further in)", httptest.NewRequest(http.MethodHead, "/graphql", nil), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := s.do(c.req)
			blocked := a.status == http.StatusBadRequest && slices.Contains(a.codes(t), errcode.CSRFPreflightRequired)
			if blocked != c.blocked {
				t.Fatalf("blocked=%v, want %v: %d %s", blocked, c.blocked, a.status, a.body)
			}
			if blocked && !strings.Contains(string(a.body), "X-Tandem-Client") {
				t.Fatalf("the message does not say which headers pass: %s", a.body)
			}
		})
	}

	off := edge.Defaults()
	off.CSRF.Disabled = true
	if a := newStack(t, stackOptions{cfg: off}).do(get(q, "Apollo-Require-Preflight", "")); a.status != http.StatusOK {
		t.Fatalf("CSRF prevention disabled still blocks: %d %s", a.status, a.body)
	}
}

func TestCORSPreflight(t *testing.T) {
	cfg := edge.Defaults()
	cfg.CORS.AllowedOrigins = []string{"https://shop.example.com", "https://*.tandem.example", "http://localhost:*"}
	cfg.CORS.AllowCredentials = true
	cfg.CORS.ExposedHeaders = []string{"X-Request-Id"}
	s := newStack(t, stackOptions{cfg: cfg})
	none := newStack(t, stackOptions{cfg: edge.Defaults()})
	dev := newStack(t, stackOptions{cfg: edge.Defaults().Resolve(true, "")})

	preflight := func(origin, method, headers string) *http.Request {
		r := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
		r.Header.Set("Origin", origin)
		r.Header.Set("Access-Control-Request-Method", method)
		if headers != "" {
			r.Header.Set("Access-Control-Request-Headers", headers)
		}
		return r
	}
	cases := []struct {
		name    string
		s       *stack
		req     *http.Request
		allowed bool
	}{
		{"exact origin", s, preflight("https://shop.example.com", "POST", "authorization,content-type"), true},
		{"exact origin, default port spelled out", s, preflight("https://shop.example.com:443", "POST", "content-type"), true},
		{"other scheme", s, preflight("http://shop.example.com", "POST", "content-type"), false},
		{"subdomain pattern", s, preflight("https://m.tandem.example", "POST", "content-type"), true},
		{"subdomain pattern, deeper", s, preflight("https://a.b.tandem.example", "POST", "content-type"), true},
		{"subdomain pattern does not match the domain", s, preflight("https://tandem.example", "POST", "content-type"), false},
		{"subdomain pattern, look-alike", s, preflight("https://eviltandem.example", "POST", "content-type"), false},
		{"port pattern", s, preflight("http://localhost:3000", "POST", "content-type"), true},
		{"port pattern, look-alike host", s, preflight("http://localhost.evil.com:3000", "POST", "content-type"), false},
		{"unknown origin", s, preflight("https://evil.example", "POST", "content-type"), false},
		{"null origin", s, preflight("null", "POST", "content-type"), false},
		{"GET with the CSRF header", s, preflight("http://localhost:5173", "GET", "apollo-require-preflight"), true},
		{"a header that is not allowed", s, preflight("https://shop.example.com", "POST", "x-evil"), false},
		{"DELETE", s, preflight("https://shop.example.com", "DELETE", ""), false},
		{"production default: none", none, preflight("http://localhost:3000", "POST", "content-type"), false},
		{"dev default: localhost", dev, preflight("http://localhost:3000", "POST", "content-type"), true},
		{"dev default: 127.0.0.1", dev, preflight("http://127.0.0.1:8000", "POST", "content-type"), true},
		{"dev default: not another host", dev, preflight("http://10.0.0.1:3000", "POST", "content-type"), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := c.s.do(c.req)
			got := a.header.Get("Access-Control-Allow-Origin")
			if c.allowed != (got == c.req.Header.Get("Origin")) {
				t.Fatalf("Access-Control-Allow-Origin %q for %s (status %d)", got, c.req.Header.Get("Origin"), a.status)
			}
			if !c.allowed {
				return
			}
			if a.status != http.StatusNoContent {
				t.Fatalf("status %d", a.status)
			}
			if c.s == s {
				if a.header.Get("Access-Control-Allow-Credentials") != "true" || a.header.Get("Access-Control-Max-Age") != "600" {
					t.Fatalf("credentials/max age: %v", a.header)
				}
			}
			if !slices.Contains(varyOf(a), "Origin") {
				t.Fatalf("no Vary: Origin: %v", a.header)
			}
		})
	}

	// The actual request from an allowed origin exposes the rate limit
	// headers and the configured ones; one from another origin gets no
	// CORS header at all.
	r := post(`{"query":"{ product(id: 1) { name } }"}`, "Origin", "https://shop.example.com")
	a := s.do(r)
	exposed := strings.ToLower(a.header.Get("Access-Control-Expose-Headers"))
	for _, h := range []string{"ratelimit", "ratelimit-policy", "retry-after", "x-request-id"} {
		if !strings.Contains(exposed, h) {
			t.Fatalf("Access-Control-Expose-Headers %q lacks %s", exposed, h)
		}
	}
	if a.header.Get("Access-Control-Allow-Origin") != "https://shop.example.com" {
		t.Fatalf("actual request: %v", a.header)
	}
	if a := s.do(post(`{"query":"{ viewer }"}`, "Origin", "https://evil.example")); a.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("another origin got CORS headers: %v", a.header)
	}
}

func TestOriginPatternsAreChecked(t *testing.T) {
	for _, bad := range []string{"*", "https://*", "https://shop.*.com", "shop.example.com", "ftp://x.example",
		"https://shop.example.com/path", "https://shop.example.com:99999", "https://user@shop.example.com"} {
		cfg := edge.Defaults()
		cfg.CORS.AllowedOrigins = []string{bad}
		if err := cfg.Validate(); err == nil {
			t.Errorf("origin %q accepted", bad)
		}
	}
	cfg := edge.Defaults()
	cfg.CORS.AllowedOrigins = []string{"https://shop.example.com", "https://*.example.com", "http://localhost:*", "http://[::1]:8080"}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestCompression(t *testing.T) {
	const big = `{"query":"{ product(id: 1) { name } }"}`
	cfg := edge.Defaults()
	cfg.Compression.MinSize = 16 // the fake answers are small
	s := newStack(t, stackOptions{cfg: cfg})
	small := edge.Defaults() // floor 1024: the same answer is below it
	cases := []struct {
		name     string
		cfg      *stack
		encoding string // Accept-Encoding
		want     string // Content-Encoding
	}{
		{"gzip", s, "gzip", "gzip"},
		{"zstd preferred", s, "gzip, deflate, br, zstd", "zstd"},
		{"zstd only", s, "zstd", "zstd"},
		{"identity", s, "", ""},
		{"unknown coding", s, "br", ""},
		{"below the floor", newStack(t, stackOptions{cfg: small}), "gzip", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := post(big, "Accept-Encoding", c.encoding)
			a := c.cfg.do(r)
			if got := a.header.Get("Content-Encoding"); got != c.want {
				t.Fatalf("Content-Encoding %q, want %q", got, c.want)
			}
			if !slices.Contains(varyOf(a), "Accept-Encoding") {
				t.Fatalf("no Vary: Accept-Encoding: %v", a.header["Vary"])
			}
			body := a.body
			switch c.want {
			case "gzip":
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				body, _ = io.ReadAll(zr)
			case "zstd":
				zr, err := zstd.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				body, _ = io.ReadAll(zr)
				zr.Close()
			}
			if !strings.Contains(string(body), `"Kettle"`) {
				t.Fatalf("body %q", body)
			}
		})
	}

	off := edge.Defaults()
	off.Compression.Disabled = true
	if a := newStack(t, stackOptions{cfg: off}).do(post(big, "Accept-Encoding", "gzip")); a.header.Get("Content-Encoding") != "" {
		t.Fatal("compression disabled still compresses")
	}
}

func TestCacheHeaders(t *testing.T) {
	cfg := edge.Defaults()
	s := newStack(t, stackOptions{cfg: cfg, vary: []string{"Accept-Language"}})
	const q = "{ product(id: 1) { name } }"
	const failing = "{ viewer }"
	// Register both with APQ (a POST with hash and text).
	for _, text := range []string{q, failing} {
		if a := s.do(post(`{"query":"` + text + `","extensions":` + pq(sha(text)) + `}`)); a.status != 200 {
			t.Fatalf("register: %d %s", a.status, a.body)
		}
	}
	byHash := func(text string) url.Values { return url.Values{"extensions": {pq(sha(text))}} }
	noCache := newStack(t, stackOptions{cfg: edge.Config{}})
	for _, text := range []string{q} {
		_ = noCache.do(post(`{"query":"` + text + `","extensions":` + pq(sha(text)) + `}`))
	}
	cases := []struct {
		name  string
		s     *stack
		req   *http.Request
		cache string
	}{
		{"GET persisted, anonymous", s, get(byHash(q)), "public, max-age=60"},
		{"GET persisted, signed in", s, get(byHash(q), "Authorization", "Bearer x"), "private, no-store"},
		{"GET persisted, with errors", s, get(byHash(failing)), "no-store"},
		{"GET with the text", s, get(url.Values{"query": {q}}), "no-store"},
		{"GET with the text and the hash", s, get(url.Values{"query": {q}, "extensions": {pq(sha(q))}}), "no-store"},
		{"POST persisted", s, post(`{"extensions":` + pq(sha(q)) + `}`), "no-store"},
		{"POST signed in", s, post(`{"query":"`+q+`"}`, "Authorization", "Bearer x"), "private, no-store"},
		{"GET persisted, max age 0", noCache, get(byHash(q)), "no-store"},
		{"request error", s, get(url.Values{"query": {"{ nope }"}}), "no-store"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := c.s.do(c.req)
			if got := a.header.Get("Cache-Control"); got != c.cache {
				t.Fatalf("Cache-Control %q, want %q (%d %s)", got, c.cache, a.status, a.body)
			}
			want := []string{"Accept", "Authorization", "Accept-Encoding"}
			if c.s == s {
				want = append(want, "Accept-Language")
			}
			for _, h := range want {
				if !slices.Contains(varyOf(a), h) {
					t.Fatalf("Vary %q lacks %s", varyOf(a), h)
				}
			}
		})
	}
}

const deferQuery = `{ product(id: 1) { id name ... @defer(label: \"reviews\") { reviews } } }`

// A client that does not accept multipart/mixed gets one body with the
// deferred data merged in place; one that does gets the initial payload and
// the deferred one as parts Apollo Client reads.
func TestDeferDelivery(t *testing.T) {
	s := newStack(t, stackOptions{cfg: edge.Defaults()})

	a := s.do(post(`{"query":"`+deferQuery+`"}`, "Accept", "application/graphql-response+json, application/json;q=0.9"))
	if a.status != 200 || a.header.Get("Content-Type") != "application/graphql-response+json; charset=utf-8" {
		t.Fatalf("%d %v", a.status, a.header)
	}
	if want := `{"data":{"product":{"id":"p1","name":"Kettle","reviews":["great","fine"]}}}`; string(a.body) != want {
		t.Fatalf("merged body %s, want %s", a.body, want)
	}

	a = s.do(post(`{"query":"`+deferQuery+`"}`, "Accept", "multipart/mixed;deferSpec=20220824, application/json"))
	mt, params, err := mime.ParseMediaType(a.header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" || params["deferspec"] != "20220824" || params["boundary"] != "-" {
		t.Fatalf("Content-Type %q", a.header.Get("Content-Type"))
	}
	if a.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("Cache-Control %q", a.header.Get("Cache-Control"))
	}
	mr := multipart.NewReader(bytes.NewReader(a.body), params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("multipart: %v in %q", err, a.body)
		}
		if p.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("part Content-Type %q", p.Header.Get("Content-Type"))
		}
		b, _ := io.ReadAll(p)
		parts = append(parts, string(b))
	}
	want := []string{
		`{"data":{"product":{"id":"p1","name":"Kettle","reviews":null}},"hasNext":true}`,
		`{"incremental":[{"data":{"reviews":["great","fine"]},"path":["product"],"label":"reviews"}],"hasNext":false}`,
	}
	if !slices.Equal(parts, want) {
		t.Fatalf("parts\n%q\nwant\n%q", parts, want)
	}

	// A query without @defer is plain JSON even when multipart is accepted.
	a = s.do(post(`{"query":"{ product(id: 1) { name } }"}`, "Accept", "multipart/mixed;deferSpec=20220824, application/json"))
	if a.header.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("Content-Type %q", a.header.Get("Content-Type"))
	}
}

// varyOf lists the Vary header's names, however they were split over lines.
func varyOf(a answer) []string {
	var out []string
	for _, v := range a.header.Values("Vary") {
		for _, h := range strings.Split(v, ",") {
			out = append(out, strings.TrimSpace(h))
		}
	}
	return out
}
