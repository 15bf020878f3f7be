package connector_test

import (
	"context"
	"encoding/json"
	"github.com/tandemgw/tandem/shared/prefetch"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/validator/rules"

	"github.com/tandemgw/tandem/shared/connector"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/upstream"
)

type thing struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Short bool   `json:"-"` // derived by Complete
}

func (t *thing) Complete() { t.Short = len(t.Name) < 12 }

// backend answers GET /things?ids= and GET /things/{id}, and records the
// calls.
type backend struct {
	mu    sync.Mutex
	calls []string
}

func (b *backend) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	b.calls = append(b.calls, r.URL.RequestURI())
	b.mu.Unlock()
	if id, ok := strings.CutPrefix(r.URL.Path, "/things/"); ok {
		_ = json.NewEncoder(w).Encode(map[string]any{"thing": thing{ID: id, Name: "one " + id + r.URL.Query().Get("lang")}})
		return
	}
	var items []thing
	for _, id := range strings.Split(r.URL.Query().Get("ids"), ",") {
		if id != "missing" {
			items = append(items, thing{ID: id, Name: "batch " + id + r.URL.Query().Get("lang")})
		}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"items": items, "missing": []string{}})
}

func (b *backend) reset() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.calls
	b.calls = nil
	return out
}

// requestScope builds the "things" source against b, as a BFF would from
// its config, and returns a request context.
func requestScope(t *testing.T, b *backend) context.Context {
	t.Helper()
	srv := httptest.NewServer(b)
	t.Cleanup(srv.Close)
	reg := registry.New()
	if err := connector.Declare("things", registry.REST, "")(reg); err != nil {
		t.Fatal(err)
	}
	set, err := reg.Build(context.Background(), map[string]upstream.Config{"things": {Address: srv.URL}}, registry.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = set.Close() })
	return set.WithRequestScope(context.Background())
}

func batchEndpoint(field string) *connector.Endpoint[*thing] {
	return &connector.Endpoint[*thing]{
		Source: "things", Field: field,
		Fetch: func(ctx context.Context, c connector.Conn, keys, args []string) (map[string]*thing, error) {
			return connector.GetBatch(ctx, c, "/things", connector.Query("lang", args[0]), "ids", keys, func(t *thing) (string, *thing) { return t.ID, t })
		},
	}
}

func TestEndpointBatchesSharesAndPartitions(t *testing.T) {
	b := &backend{}
	ctx := requestScope(t, b)
	// Fields making the same call share one endpoint (the plugin writes it
	// once), so a Load after the level's Start reads the request's cache.
	a := batchEndpoint("A.thing, B.thing")
	other := a

	var done sync.WaitGroup
	done.Add(1)
	a.Start(ctx, []string{"1", "2", "", "2"}, []string{"en"}, nil, func(found map[string]*thing) {
		defer done.Done()
		if len(found) != 2 {
			t.Errorf("found %v", found)
		}
	})
	done.Wait()
	if calls := b.reset(); len(calls) != 1 || calls[0] != "/things?ids=1%2C2&lang=en" && calls[0] != "/things?lang=en&ids=1%2C2" {
		t.Fatalf("a level of keys is one call, empty keys left out: %v", calls)
	}
	// The other field of the call finds the key loaded.
	v, err := other.Load(ctx, "2", "en")
	if err != nil || v.Name != "batch 2en" || !v.Short {
		t.Fatalf("shared load: %v %v", v, err)
	}
	if calls := b.reset(); len(calls) != 0 {
		t.Fatalf("a key loaded by another field is read again: %v", calls)
	}
	// Other argument values are another loader.
	if v, err := a.Load(ctx, "2", "de"); err != nil || v.Name != "batch 2de" {
		t.Fatalf("load de: %v %v", v, err)
	}
	// An empty key is null without a call; an unknown one is NOT_FOUND.
	if v, err := a.Load(ctx, "", "en"); v != nil || err != nil {
		t.Fatalf("empty key: %v %v", v, err)
	}
	if _, err := a.Load(ctx, "missing", "en"); upstream.CodeOf(err) != errcode.NotFound {
		t.Fatalf("missing key: %v", err)
	}
	// A key that cannot travel is the caller's mistake, and not sent.
	b.reset()
	if _, err := a.Load(ctx, "a,b", "en"); upstream.CodeOf(err) != errcode.BadUserInput {
		t.Fatalf("bad key: %v", err)
	}
	for _, c := range b.reset() {
		if strings.Contains(c, "a%2Cb") {
			t.Fatalf("bad key sent: %v", c)
		}
	}
}

func TestGetEach(t *testing.T) {
	b := &backend{}
	ctx := requestScope(t, b)
	type answer struct {
		Thing *thing `json:"thing"`
	}
	e := &connector.Endpoint[*thing]{
		Source: "things", Field: "C.thing",
		Fetch: func(ctx context.Context, c connector.Conn, keys, args []string) (map[string]*thing, error) {
			return connector.GetEach(ctx, c, keys, func(key string) (string, url.Values) {
				return "/things/" + upstream.PathSegment(key), nil
			}, func(a *answer) *thing { return a.Thing })
		},
	}
	var done sync.WaitGroup
	done.Add(1)
	e.Start(ctx, []string{"x", "y", "x"}, nil, nil, func(found map[string]*thing) {
		defer done.Done()
		if found["x"].Name != "one x" || found["y"].Name != "one y" || !found["x"].Short {
			t.Errorf("found %v", found)
		}
	})
	done.Wait()
	if calls := b.reset(); len(calls) != 2 {
		t.Fatalf("one call per distinct key: %v", calls)
	}
	if _, err := e.Load(ctx, "../admin"); err != nil {
		t.Fatal(err)
	}
	if calls := b.reset(); len(calls) != 1 || calls[0] != "/things/%2E%2E%2Fadmin" {
		t.Fatalf("a key is one escaped path segment: %v", calls)
	}
}

func TestArg(t *testing.T) {
	n, s := 4, "de"
	for _, c := range []struct {
		in   any
		want string
	}{{nil, ""}, {"x", "x"}, {&s, "de"}, {(*string)(nil), ""}, {4, "4"}, {&n, "4"}, {int64(4), "4"}, {float64(4), "4"}, {json.Number("4"), "4"}, {true, "true"}} {
		if got := connector.Arg(c.in); got != c.want {
			t.Errorf("Arg(%#v) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A selection without the fields the brief view leaves out reads the brief
// view; one with them, directly or through a fragment, reads the whole
// answer; and the two are cached apart, so a whole value is never served
// from a brief one.
func TestBriefView(t *testing.T) {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `
type Query { thing: Thing }
type Thing { id: ID! name: String! description: String! }`})
	doc, errs := gqlparser.LoadQueryWithRules(schema, `
query Brief { thing { id name } }
query Whole { thing { id ...D } }
fragment D on Thing { ... on Thing { description } }`, rules.NewDefaultRules())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	sel := func(op string) ast.SelectionSet {
		return doc.Operations.ForName(op).SelectionSet[0].(*ast.Field).SelectionSet
	}
	b := &backend{}
	ctx := requestScope(t, b)
	e := batchEndpoint("Q.thing")
	e.Spec = connector.Spec{Batch: "/things?ids={$keys}", Key: "id", Brief: "view=basic", BriefOmits: []string{"description"}}
	omits := e.Spec.BriefOmits
	if !e.Brief(omits, sel("Brief")) || e.Brief(omits, sel("Whole")) || e.Brief(omits, nil) {
		t.Fatalf("Brief: %v for id name, %v through a fragment, %v for no selection", e.Brief(omits, sel("Brief")), e.Brief(omits, sel("Whole")), e.Brief(omits, nil))
	}
	if e.Brief(nil, sel("Brief")) {
		t.Fatal("a read that names no omitted fields reads the brief view")
	}
	without := &connector.Endpoint[*thing]{Source: e.Source, Field: e.Field, Fetch: e.Fetch}
	if without.Brief(omits, sel("Brief")) {
		t.Fatal("an endpoint without a brief view reads one")
	}

	var done sync.WaitGroup
	done.Add(2)
	e.Start(ctx, []string{"a"}, []string{"en"}, sel("Brief"), func(map[string]*thing) { done.Done() })
	e.Start(ctx, []string{"a"}, []string{"en"}, sel("Whole"), func(map[string]*thing) { done.Done() })
	done.Wait()
	calls := b.reset()
	slices.Sort(calls)
	want := []string{"/things?ids=a&lang=en", "/things?ids=a&lang=en&view=basic"}
	if !slices.Equal(calls, want) {
		t.Fatalf("calls %v, want %v", calls, want)
	}
}

// A brief read of a key the request has whole is served from the whole
// answer, by Start and by LoadFor alike; a whole read never sees a brief
// answer.
func TestBriefServedFromWhole(t *testing.T) {
	schema := gqlparser.MustLoadSchema(&ast.Source{Input: `type Query { thing: Thing } type Thing { id: ID! name: String! description: String! }`})
	doc, errs := gqlparser.LoadQueryWithRules(schema, `query Brief { thing { id name } } query Whole { thing { id description } }`, rules.NewDefaultRules())
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	sel := func(op string) ast.SelectionSet {
		return doc.Operations.ForName(op).SelectionSet[0].(*ast.Field).SelectionSet
	}
	b := &backend{}
	ctx := requestScope(t, b)
	e := batchEndpoint("Q.thing")
	e.Spec = connector.Spec{Batch: "/things?ids={$keys}", Key: "id", Brief: "view=basic"}
	omits := []string{"description"}
	start := func(keys []string, op string) map[string]*thing {
		var got map[string]*thing
		var done sync.WaitGroup
		done.Add(1)
		e.StartFor(ctx, omits, keys, []string{"en"}, sel(op), func(found map[string]*thing) { got = found; done.Done() })
		done.Wait()
		return got
	}
	start([]string{"a"}, "Whole")
	if calls := b.reset(); len(calls) != 1 || strings.Contains(calls[0], "view=basic") {
		t.Fatalf("whole read: %v", calls)
	}
	if got := start([]string{"a", "b"}, "Brief"); len(got) != 2 || got["a"].Name != "batch aen" {
		t.Fatalf("brief level: %v", got)
	}
	if calls := b.reset(); len(calls) != 1 || calls[0] != "/things?ids=b&lang=en&view=basic" {
		t.Fatalf("a brief level reads only what the request lacks whole: %v", calls)
	}
	if v, err := e.LoadFor(ctx, omits, "a", "en"); err != nil || v.Name != "batch aen" {
		t.Fatalf("brief load of a whole key: %v %v", v, err)
	}
	// b is only brief: a whole read of it is a call of its own.
	if _, err := e.Load(ctx, "b", "en"); err != nil {
		t.Fatal(err)
	}
	if calls := b.reset(); len(calls) != 1 || strings.Contains(calls[0], "view=basic") {
		t.Fatalf("a whole read after a brief one: %v", calls)
	}
}

// Prefetch registers a Step as a plan step that starts a call; one that
// needs a request-wide fact runs after the others of its type.
func TestPrefetchRegistersSteps(t *testing.T) {
	e := batchEndpoint("P.thing")
	type parent struct{ id string }
	p := prefetch.New()
	key := func(pa *parent) string { return pa.id }
	connector.Prefetch(p, "P", "price", connector.Step[*parent, *thing, struct{}]{Endpoint: e, Key: key, Needs: []string{"market"}})
	connector.Prefetch(p, "P", "thing", connector.Step[*parent, *thing, struct{}]{Endpoint: e, Key: key})
	if !p.Loads("P", "thing") || !p.Loads("P", "price") {
		t.Fatal("no step")
	}
	if got := p.Steps("P"); !slices.Equal(got, []string{"thing", "price"}) {
		t.Fatalf("steps %v", got)
	}
}

// Convert makes one object per value and conversion for the request: the
// plan's walk and the field's resolver hold the same one.
func TestConvertOncePerRequest(t *testing.T) {
	ctx := requestScope(t, &backend{})
	a, b := &thing{ID: "a"}, &thing{ID: "b"}
	n := 0
	conv := func(t *thing) *string { n++; s := "x" + t.ID; return &s }
	first, again, other := connector.Convert(ctx, a, conv), connector.Convert(ctx, a, conv), connector.Convert(ctx, b, conv)
	if first != again || first == other || *other != "xb" || n != 2 {
		t.Fatalf("Convert: %p %p %p after %d conversions", first, again, other, n)
	}
	if connector.Convert(context.Background(), a, conv) == first {
		t.Fatal("outside a request, a conversion is not kept")
	}
}
