package catalog_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/upstream"
)

func start(t *testing.T) *mocks.Cluster {
	t.Helper()
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func productIDs(from, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("prd_%06d", from+i)
	}
	return ids
}

// loadAll starts every load before waiting on any, like sibling resolvers.
func loadAll(ctx context.Context, ids []string) ([]*catalog.Product, []error) {
	out := make([]*catalog.Product, len(ids))
	errs := make([]error, len(ids))
	done := make(chan int, len(ids))
	for i, id := range ids {
		go func() {
			out[i], errs[i] = catalog.ProductsByID.Load(ctx, id)
			done <- i
		}()
	}
	for range ids {
		<-done
	}
	return out, errs
}

// sourceSet builds the catalog source from cfg, as a BFF does; each
// WithRequestScope of it is one request.
func sourceSet(t *testing.T, cfg upstream.Config) *registry.Set {
	t.Helper()
	reg := registry.New()
	require.NoError(t, catalog.Register(reg))
	set, err := reg.Build(context.Background(), map[string]upstream.Config{catalog.ID: cfg}, registry.Deps{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = set.Close() })
	return set
}

// request returns the context of a new request against cfg's source.
func request(t *testing.T, cfg upstream.Config) context.Context {
	return sourceSet(t, cfg).WithRequestScope(context.Background())
}

// A batch fires when full or after BatchWait; an hour-long wait makes the
// capacity the only trigger, so call counts are exact.
func exactCfg(c *mocks.Cluster, maxBatch int) upstream.Config {
	return upstream.Config{Address: c.URL(catalog.ID), MaxBatch: maxBatch, BatchWait: time.Hour}
}

func TestLoadsCoalesceIntoOneBatchCall(t *testing.T) {
	c := start(t)
	ids := productIDs(1, 10)
	prods, errs := loadAll(request(t, exactCfg(c, 10)), ids)
	for i := range ids {
		require.NoError(t, errs[i])
		assert.Equal(t, ids[i], prods[i].ID)
		assert.Equal(t, fmt.Sprintf("SKU-%06d", i+1), prods[i].SKU)
		assert.NotEmpty(t, prods[i].Images)
	}
	assert.EqualValues(t, 1, c.Counters().Get(catalog.ID, "GET /products"))
	assert.Zero(t, c.Counters().Get(catalog.ID, "GET /products/{id}"))
}

func TestCapSplitsBatches(t *testing.T) {
	c := start(t)
	cl, err := catalog.NewClient(exactCfg(c, 100))
	require.NoError(t, err)
	_, errs := loadAll(request(t, exactCfg(c, 100)), productIDs(1, 200))
	for _, e := range errs {
		require.NoError(t, e)
	}
	assert.EqualValues(t, 2, c.Counters().Get(catalog.ID, "GET /products"))

	// The batch function chunks direct calls too: 500 ids, cap 100 -> 5 calls.
	c.Counters().Reset()
	m, err := cl.Products(context.Background(), productIDs(1, 500))
	require.NoError(t, err)
	assert.Len(t, m, 500)
	assert.EqualValues(t, 5, c.Counters().Get(catalog.ID, "GET /products"))
}

func TestMissingIsNotFoundAndRequestsAreIsolated(t *testing.T) {
	c := start(t)
	_, errs := loadAll(request(t, exactCfg(c, 2)), []string{"prd_000001", "prd_999999"})
	require.NoError(t, errs[0])
	var ue *upstream.Error
	require.ErrorAs(t, errs[1], &ue)
	assert.Equal(t, errcode.NotFound, ue.Code)
	assert.Equal(t, catalog.ID, ue.Service)

	// Within a request a key is fetched once; a new request fetches again.
	one := sourceSet(t, exactCfg(c, 1))
	c.Counters().Reset()
	ctx := one.WithRequestScope(context.Background())
	for range 3 {
		_, err := catalog.ProductsByID.Load(ctx, "prd_000001")
		require.NoError(t, err)
	}
	_, err := catalog.ProductsByID.Load(one.WithRequestScope(context.Background()), "prd_000001")
	require.NoError(t, err)
	assert.EqualValues(t, 2, c.Counters().Get(catalog.ID, "GET /products"))
}

func TestSearchPrimesProducts(t *testing.T) {
	c := start(t)
	ctx := request(t, upstream.Config{Address: c.URL(catalog.ID)})
	l := catalog.For(ctx)
	page, err := l.Search(ctx, catalog.SearchParams{First: 5})
	require.NoError(t, err)
	require.Len(t, page.Items, 5)
	assert.True(t, page.HasNextPage)
	assert.NotEmpty(t, page.EndCursor)
	before := c.Counters().Get(catalog.ID, "GET /products")
	for _, p := range page.Items {
		got, err := catalog.ProductsByID.Load(ctx, p.ID)
		require.NoError(t, err)
		assert.Same(t, p, got)
	}
	assert.Equal(t, before, c.Counters().Get(catalog.ID, "GET /products"), "primed products cost no call")

	next, err := l.Search(ctx, catalog.SearchParams{First: 5, After: page.EndCursor})
	require.NoError(t, err)
	assert.NotEqual(t, page.Items[0].ID, next.Items[0].ID)

	_, err = l.Search(ctx, catalog.SearchParams{After: "not-a-cursor"})
	assert.Equal(t, errcode.BadRequest, upstream.CodeOf(err))
}

func TestCategories(t *testing.T) {
	c := start(t)
	cl, err := catalog.NewClient(upstream.Config{Address: c.URL(catalog.ID)})
	require.NoError(t, err)
	ctx := request(t, upstream.Config{Address: c.URL(catalog.ID)})
	l := catalog.For(ctx)
	cats, err := l.Categories(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, cats)
	_, err = l.Categories(ctx)
	require.NoError(t, err)
	got, err := catalog.CategoriesByID.Load(ctx, cats[0].ID)
	require.NoError(t, err)
	assert.Equal(t, cats[0].Name, got.Name)
	assert.EqualValues(t, 1, c.Counters().Get(catalog.ID, "GET /categories"), "listed once per request, then primed")

	single, err := cl.Category(context.Background(), cats[0].ID)
	require.NoError(t, err)
	assert.Equal(t, cats[0].ID, single.ID)
	_, err = cl.Product(context.Background(), "bad id")
	assert.Equal(t, errcode.BadRequest, upstream.CodeOf(err))
}

func TestRegisterMiddlewareFor(t *testing.T) {
	c := start(t)
	reg := registry.New(registry.WithApp("bff-web"))
	require.NoError(t, catalog.Register(reg))
	set, err := reg.Build(context.Background(), map[string]upstream.Config{catalog.ID: {Address: c.URL(catalog.ID)}}, registry.Deps{})
	require.NoError(t, err)
	defer set.Close()
	require.NoError(t, set.Require(catalog.ID))

	var seen []*catalog.Loaders
	h := set.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l := catalog.For(r.Context())
		seen = append(seen, l)
		p, err := catalog.ProductsByID.Load(r.Context(), "prd_000042")
		require.NoError(t, err)
		assert.Equal(t, "SKU-000042", p.SKU)
	}))
	for range 2 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodPost, "/graphql", nil))
	}
	require.Len(t, seen, 2)
	assert.NotSame(t, seen[0], seen[1])

	assert.PanicsWithValue(t,
		`catalog.For: source "catalog" is not registered in this BFF or the request did not pass through registry.Set.Middleware: `+
			`the BFF's source list (<bff>/graph/connectors.generated.go) is stale: run make generate, and set upstreams.catalog.address`,
		func() { catalog.For(context.Background()) })
}

func TestProductsLoadMany(t *testing.T) {
	c := start(t)
	prods, errs := catalog.ProductsByID.LoadMany(request(t, exactCfg(c, 3)), []string{"prd_000002", "prd_999999", "prd_000001"})
	require.Len(t, prods, 3)
	require.NoError(t, errs[0])
	require.NoError(t, errs[2])
	assert.True(t, upstream.IsNotFound(errs[1]))
	assert.Equal(t, "prd_000002", prods[0].ID)
	assert.Equal(t, "prd_000001", prods[2].ID)
	assert.EqualValues(t, 1, c.Counters().Get(catalog.ID, "GET /products"))

	_, errs = catalog.ProductsByID.LoadMany(request(t, exactCfg(c, 1)), []string{"prd_000001"})
	assert.Len(t, errs, 1, "one (nil) error per id even when all succeed")
}

func TestBriefSearchLeavesOutDescriptionsAndImagesAndDoesNotPrime(t *testing.T) {
	c := start(t)
	cl, err := catalog.NewClient(upstream.Config{Address: c.URL(catalog.ID)})
	require.NoError(t, err)
	ctx := request(t, upstream.Config{Address: c.URL(catalog.ID)})
	full, err := cl.Search(context.Background(), catalog.SearchParams{First: 5})
	require.NoError(t, err)
	brief, err := catalog.For(ctx).Search(ctx, catalog.SearchParams{First: 5, Brief: true})
	require.NoError(t, err)
	require.Len(t, brief.Items, 5)
	assert.Equal(t, full.EndCursor, brief.EndCursor)
	assert.Equal(t, full.HasNextPage, brief.HasNextPage)
	for i, b := range brief.Items {
		want := *full.Items[i]
		want.Description, want.Images = "", nil
		assert.Equal(t, want, *b, "a brief product is the product without its description and images")
	}
	// A brief product is not whole: loading it by id reads the catalog.
	before := c.Counters().Get(catalog.ID, "GET /products")
	got, err := catalog.ProductsByID.Load(ctx, brief.Items[0].ID)
	require.NoError(t, err)
	assert.NotEmpty(t, got.Description)
	assert.Equal(t, before+1, c.Counters().Get(catalog.ID, "GET /products"))
}
