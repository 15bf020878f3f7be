package app_test

// End-to-end tests of the edge through bff-web's real handler: APQ shared
// by two replicas through the rate limiter's Redis, and GraphiQL served
// from the binary in dev mode only.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
	"github.com/tandemgw/tandem/shared/throttle/redistest"
)

func TestAPQSharedByReplicasThroughRedis(t *testing.T) {
	rs := redistest.Start(t)
	shared := func(c *app.Config) {
		c.Throttle.Store.Kind = "redis"
		c.Throttle.Store.RedisAddr = rs.Addr
		c.Throttle.Store.KeyPrefix = "tandem:apq-test:"
		c.Edge.APQ.Store = "redis"
	}
	a, b := newEnv(t, shared), newEnv(t, shared)
	const q = `query Name($id: ID!) { product(id: $id) { name } }`
	sum := sha256.Sum256([]byte(q))
	ext := map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}}
	body := func(v map[string]any) []byte {
		v["variables"] = map[string]any{"id": "prd_000042"}
		out, _ := json.Marshal(v)
		return out
	}
	if r := b.Do(gatewaytest.Request{Body: body(map[string]any{"extensions": ext})}); r.Code() != errcode.PersistedQueryNotFound || r.Status != 200 {
		t.Fatalf("before registration: %d %s", r.Status, r.Raw)
	}
	if r := a.Do(gatewaytest.Request{Body: body(map[string]any{"query": q, "extensions": ext})}); len(r.Errors) > 0 {
		t.Fatalf("registration on replica a: %s", r.Raw)
	}
	r := b.Do(gatewaytest.Request{Body: body(map[string]any{"extensions": ext})})
	r.NoErrors(t)
	if !strings.Contains(string(r.Data), `"name"`) {
		t.Fatalf("replica b: %s", r.Raw)
	}

	// Redis APQ needs the rate limiter on Redis: refused at startup
	// otherwise, naming the setting.
	cfg := app.Default()
	cfg.Dev = true // the mocks' defaults: the APQ setting is the one thing wrong
	cfg.Edge.APQ.Store = "redis"
	if _, err := app.New(t.Context(), cfg, gatewaytest.Registry(t, app.Name, app.Sources)); err == nil || !strings.Contains(err.Error(), "throttle.store.kind redis") {
		t.Fatalf("startup error %v", err)
	}
}

func TestGraphiQLServedFromTheBinaryInDevOnly(t *testing.T) {
	dev := newEnv(t, func(c *app.Config) { c.Dev = true })
	get := func(e *env, path, encoding string) (*http.Response, string) {
		req, _ := http.NewRequest(http.MethodGet, e.Server.URL+path, nil)
		if encoding != "" {
			req.Header.Set("Accept-Encoding", encoding)
		}
		resp, err := http.DefaultTransport.RoundTrip(req) // no transparent decompression
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, page := get(dev, "/", "")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("%d %v", resp.StatusCode, resp.Header)
	}
	// Every script and style the page loads is served by the BFF itself.
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	if len(refs) != 4 {
		t.Fatalf("page references %v", refs)
	}
	for _, ref := range refs {
		if !strings.HasPrefix(ref[1], "/graphiql/") {
			t.Fatalf("the page loads %s from elsewhere", ref[1])
		}
		resp, body := get(dev, ref[1], "gzip")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" || len(body) < 1000 {
			t.Fatalf("%s: %d %v (%d bytes)", ref[1], resp.StatusCode, resp.Header, len(body))
		}
		if !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Fatalf("%s: Cache-Control %q", ref[1], resp.Header.Get("Cache-Control"))
		}
	}
	for _, host := range []string{"unpkg.com", "jsdelivr", "cdnjs", "esm.sh"} {
		if strings.Contains(page, host) {
			t.Fatalf("the page names %s", host)
		}
	}

	prod := newEnv(t, nil)
	if resp, _ := get(prod, "/", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("production serves GraphiQL: %d", resp.StatusCode)
	}
	if resp, _ := get(prod, refs[0][1], ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("production serves GraphiQL's assets: %d", resp.StatusCode)
	}
}
