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
func loadAll(ctx context.Context, l *catalog.Loaders, ids []string) ([]*catalog.Product, []error) {
	out := make([]*catalog.Product, len(ids))
	errs := make([]error, len(ids))
	done := make(chan int, len(ids))
	for i, id := range ids {
		go func() {
			out[i], errs[i] = l.Product(ctx, id)
			done <- i
		}()
	}
	for range ids {
		<-done
	}
	return out, errs
}

// A batch fires when full or after BatchWait; an hour-long wait makes the
// capacity the only trigger, so call counts are exact.
func exactCfg(c *mocks.Cluster, maxBatch int) upstream.Config {
	return upstream.Config{Address: c.URL(catalog.ID), MaxBatch: maxBatch, BatchWait: time.Hour}
}

func TestLoadsCoalesceIntoOneBatchCall(t *testing.T) {
	c := start(t)
	cl, err := catalog.NewClient(exactCfg(c, 10))
	require.NoError(t, err)
	ids := productIDs(1, 10)
	prods, errs := loadAll(context.Background(), cl.NewLoaders(), ids)
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
	_, errs := loadAll(context.Background(), cl.NewLoaders(), productIDs(1, 200))
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
	cl, err := catalog.NewClient(exactCfg(c, 2))
	require.NoError(t, err)
	first := cl.NewLoaders()
	_, errs := loadAll(context.Background(), first, []string{"prd_000001", "prd_999999"})
	require.NoError(t, errs[0])
	var ue *upstream.Error
	require.ErrorAs(t, errs[1], &ue)
	assert.Equal(t, errcode.NotFound, ue.Code)
	assert.Equal(t, catalog.ID, ue.Service)

	// Within a request a key is fetched once; a new request fetches again.
	one, err := catalog.NewClient(exactCfg(c, 1))
	require.NoError(t, err)
	c.Counters().Reset()
	l1 := one.NewLoaders()
	for range 3 {
		_, err := l1.Product(context.Background(), "prd_000001")
		require.NoError(t, err)
	}
	_, err = one.NewLoaders().Product(context.Background(), "prd_000001")
	require.NoError(t, err)
	assert.EqualValues(t, 2, c.Counters().Get(catalog.ID, "GET /products"))
}

func TestSearchPrimesProducts(t *testing.T) {
	c := start(t)
	cl, err := catalog.NewClient(upstream.Config{Address: c.URL(catalog.ID)})
	require.NoError(t, err)
	l := cl.NewLoaders()
	page, err := l.Search(context.Background(), catalog.SearchParams{First: 5})
	require.NoError(t, err)
	require.Len(t, page.Items, 5)
	assert.True(t, page.HasNextPage)
	assert.NotEmpty(t, page.EndCursor)
	before := c.Counters().Get(catalog.ID, "GET /products")
	for _, p := range page.Items {
		got, err := l.Product(context.Background(), p.ID)
		require.NoError(t, err)
		assert.Same(t, p, got)
	}
	assert.Equal(t, before, c.Counters().Get(catalog.ID, "GET /products"), "primed products cost no call")

	next, err := l.Search(context.Background(), catalog.SearchParams{First: 5, After: page.EndCursor})
	require.NoError(t, err)
	assert.NotEqual(t, page.Items[0].ID, next.Items[0].ID)

	_, err = l.Search(context.Background(), catalog.SearchParams{After: "not-a-cursor"})
	assert.Equal(t, errcode.BadRequest, upstream.CodeOf(err))
}

func TestCategories(t *testing.T) {
	c := start(t)
	cl, err := catalog.NewClient(upstream.Config{Address: c.URL(catalog.ID)})
	require.NoError(t, err)
	l := cl.NewLoaders()
	cats, err := l.Categories(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, cats)
	_, err = l.Categories(context.Background())
	require.NoError(t, err)
	got, err := l.Category(context.Background(), cats[0].ID)
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
		p, err := l.Product(r.Context(), "prd_000042")
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
	cl, err := catalog.NewClient(exactCfg(c, 3))
	require.NoError(t, err)
	prods, errs := cl.NewLoaders().Products(context.Background(), []string{"prd_000002", "prd_999999", "prd_000001"})
	require.Len(t, prods, 3)
	require.NoError(t, errs[0])
	require.NoError(t, errs[2])
	assert.True(t, upstream.IsNotFound(errs[1]))
	assert.Equal(t, "prd_000002", prods[0].ID)
	assert.Equal(t, "prd_000001", prods[2].ID)
	assert.EqualValues(t, 1, c.Counters().Get(catalog.ID, "GET /products"))

	one, err := catalog.NewClient(exactCfg(c, 1))
	require.NoError(t, err)
	_, errs = one.NewLoaders().Products(context.Background(), []string{"prd_000001"})
	assert.Len(t, errs, 1, "one (nil) error per id even when all succeed")
}

func TestBriefSearchLeavesOutDescriptionsAndImagesAndDoesNotPrime(t *testing.T) {
	c := start(t)
	cl, err := catalog.NewClient(upstream.Config{Address: c.URL(catalog.ID)})
	require.NoError(t, err)
	l := cl.NewLoaders()
	full, err := cl.Search(context.Background(), catalog.SearchParams{First: 5})
	require.NoError(t, err)
	brief, err := l.Search(context.Background(), catalog.SearchParams{First: 5, Brief: true})
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
	got, err := l.Product(context.Background(), brief.Items[0].ID)
	require.NoError(t, err)
	assert.NotEmpty(t, got.Description)
	assert.Equal(t, before+1, c.Counters().Get(catalog.ID, "GET /products"))
}
