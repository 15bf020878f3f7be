package registry

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/shared/upstream"
)

type fakeInstance struct {
	id       string
	closed   *[]string
	closeErr error
	validErr error
	scopes   int // NewRequestScope calls
}

func (f *fakeInstance) NewRequestScope() any {
	f.scopes++
	return new(int) // a fresh value per request
}

func (f *fakeInstance) Close() error {
	*f.closed = append(*f.closed, f.id)
	return f.closeErr
}

func (f *fakeInstance) Validate(context.Context) error { return f.validErr }

var (
	_ Instance  = (*fakeInstance)(nil)
	_ Closer    = (*fakeInstance)(nil)
	_ Validator = (*fakeInstance)(nil)
)

func source(id string, closed *[]string, mod func(*fakeInstance)) Source {
	return Source{ID: id, Kind: REST, New: func(_ context.Context, cfg upstream.Config, _ Deps) (Instance, error) {
		f := &fakeInstance{id: id, closed: closed}
		if mod != nil {
			mod(f)
		}
		return f, nil
	}}
}

func cfgs(ids ...string) map[string]upstream.Config {
	m := map[string]upstream.Config{}
	for _, id := range ids {
		m[id] = upstream.Config{Address: "http://127.0.0.1:1"}
	}
	return m
}

func TestRegisterRejectsDuplicatesAndInvalid(t *testing.T) {
	var closed []string
	r := New(WithApp("bff-web"))
	require.NoError(t, r.Register(source("catalog", &closed, nil)))
	err := r.Register(source("catalog", &closed, nil))
	require.EqualError(t, err, `registry: source "catalog" is registered twice: a schema declares with @source a backend that also has a package under shared/sources, or a registry is built by hand (the source list is bff-web/graph/connectors.generated.go)`)

	assert.ErrorContains(t, r.Register(Source{ID: "Bad-ID", Kind: REST, New: source("x", &closed, nil).New}), `source id "Bad-ID" is invalid`)
	assert.EqualError(t, r.Register(Source{ID: "nokind", New: source("x", &closed, nil).New}),
		`registry: source "nokind" has no kind: set Kind to registry.REST or registry.GRPC`)
	assert.EqualError(t, r.Register(Source{ID: "nonew", Kind: GRPC}), `registry: source "nonew" has no constructor: set Source.New`)
	assert.Equal(t, []string{"catalog"}, r.IDs())
}

func TestBuildMissingAddressNamesSourceAndKey(t *testing.T) {
	var closed []string
	r := New()
	require.NoError(t, r.Register(source("catalog", &closed, nil)))
	require.NoError(t, r.Register(source("pricing", &closed, nil)))
	m := cfgs("catalog")
	m["pricing"] = upstream.Config{Address: "  "}
	_, err := r.Build(context.Background(), m, Deps{})
	require.EqualError(t, err, `registry: source "pricing" has no address: set upstreams.pricing.address in the config file or TANDEM_UPSTREAMS_PRICING_ADDRESS in the environment`)
	assert.Equal(t, []string{"catalog"}, closed, "what was built before the failure is closed")
}

func TestBuildConstructorAndValidatorErrors(t *testing.T) {
	var closed []string
	r := New()
	require.NoError(t, r.Register(Source{ID: "orders", Kind: REST, New: func(context.Context, upstream.Config, Deps) (Instance, error) {
		return nil, errors.New("address is not an http(s) base URL")
	}}))
	_, err := r.Build(context.Background(), cfgs("orders"), Deps{})
	require.EqualError(t, err, `registry: source "orders" (REST) could not be built from upstreams.orders.address: address is not an http(s) base URL`)

	r = New()
	require.NoError(t, r.Register(source("inventory", &closed, func(f *fakeInstance) { f.validErr = errors.New("bad target") })))
	_, err = r.Build(context.Background(), cfgs("inventory"), Deps{})
	require.ErrorContains(t, err, `source "inventory"`)
	assert.Equal(t, []string{"inventory"}, closed, "an instance that fails validation is closed")
}

func TestRequireNamesSourceAndFix(t *testing.T) {
	var closed []string
	r := New(WithApp("bff-web"))
	require.NoError(t, r.Register(source("catalog", &closed, nil)))
	set, err := r.Build(context.Background(), cfgs("catalog"), Deps{})
	require.NoError(t, err)
	require.NoError(t, set.Require("catalog"))
	err = set.Require("catalog", "pricing")
	require.EqualError(t, err, `bff-web needs source "pricing": its source list (bff-web/graph/connectors.generated.go) is stale, run make generate; and set upstreams.pricing.address`)

	anon, err := New().Build(context.Background(), nil, Deps{})
	require.NoError(t, err)
	assert.EqualError(t, anon.Require("orders"), `this BFF needs source "orders": its source list (<bff>/graph/connectors.generated.go) is stale, run make generate; and set upstreams.orders.address`)
}

func TestMiddlewareScopesEveryRequestAndCloseOrder(t *testing.T) {
	var closed []string
	r := New()
	require.NoError(t, r.Register(source("catalog", &closed, nil)))
	require.NoError(t, r.Register(source("pricing", &closed, func(f *fakeInstance) { f.closeErr = errors.New("conn busy") })))
	set, err := r.Build(context.Background(), cfgs("catalog", "pricing"), Deps{})
	require.NoError(t, err)
	assert.Equal(t, []string{"catalog", "pricing"}, set.IDs())

	var seen []*int
	catalog, pricing := NewScoped[*int]("catalog"), NewScoped[*int]("pricing")
	h := set.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, ok1 := catalog.FromContext(r.Context())
		c2, _ := catalog.FromContext(r.Context())
		_, ok2 := pricing.FromContext(r.Context())
		assert.True(t, ok1 && ok2, "every source is scoped")
		assert.Same(t, c, c2, "one value per source and request")
		seen = append(seen, c)
	}))
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/graphql", nil))
	}
	require.Len(t, seen, 2)
	assert.NotSame(t, seen[0], seen[1], "each request gets its own scope")

	err = set.Close()
	assert.EqualError(t, err, `close source "pricing": conn busy`)
	assert.Equal(t, []string{"pricing", "catalog"}, closed, "closed in reverse build order")
}

func TestDepsUpstreamOptions(t *testing.T) {
	d := Deps{HeaderFunc: func(context.Context, http.Header) {}, TokenFunc: func(context.Context) (string, bool) { return "", false }}
	assert.Len(t, d.UpstreamOptions(), 2)
	assert.Empty(t, Deps{}.UpstreamOptions())
}

// A registration's default address (where the local mock listens) is used
// only when asked for, as dev mode does; Build itself never falls back.
func TestDefaultAddressesOnlyWhenAskedFor(t *testing.T) {
	var got upstream.Config
	r := New()
	require.NoError(t, r.Register(Source{ID: "recommendations", Kind: REST, DefaultAddress: "http://127.0.0.1:9105",
		New: func(_ context.Context, cfg upstream.Config, _ Deps) (Instance, error) {
			got = cfg
			return &fakeInstance{id: "recommendations", closed: new([]string)}, nil
		}}))
	var closed []string
	require.NoError(t, r.Register(source("catalog", &closed, nil)))
	assert.Equal(t, []string{"recommendations", "catalog"}, r.MissingAddresses(nil))
	assert.Equal(t, []string{"recommendations"}, r.MissingAddresses(cfgs("catalog")))

	_, err := r.Build(context.Background(), cfgs("catalog"), Deps{})
	require.ErrorContains(t, err, `source "recommendations" has no address`)

	base := cfgs("catalog")
	dev := r.WithDefaultAddresses(base)
	assert.Empty(t, r.MissingAddresses(dev))
	assert.NotContains(t, base, "recommendations", "the caller's map is not changed")
	_, err = r.Build(context.Background(), dev, Deps{})
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9105", got.Address)

	configured := cfgs("catalog")
	configured["recommendations"] = upstream.Config{Address: "http://127.0.0.1:7105"}
	_, err = r.Build(context.Background(), r.WithDefaultAddresses(configured), Deps{})
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:7105", got.Address, "configuration wins over the default")
}
