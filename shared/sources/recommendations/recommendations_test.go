package recommendations_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/recommendations"
	"github.com/tandemgw/tandem/shared/upstream"
)

// request builds the recommendations source from cfg and the catalog, as
// a BFF does, and returns the context of one request against them.
func request(t *testing.T, c *mocks.Cluster, cfg upstream.Config) context.Context {
	t.Helper()
	reg := registry.New()
	require.NoError(t, recommendations.Register(reg))
	require.NoError(t, catalog.Register(reg))
	cfgs := map[string]upstream.Config{recommendations.ID: cfg, catalog.ID: {Address: c.URL(catalog.ID)}}
	set, err := reg.Build(context.Background(), cfgs, registry.Deps{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = set.Close() })
	return set.WithRequestScope(context.Background())
}

func TestRelatedAndForUser(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	cl, err := recommendations.NewClient(upstream.Config{Address: c.URL(recommendations.ID)})
	require.NoError(t, err)
	l := cl.NewLoaders()
	ctx := request(t, c, upstream.Config{Address: c.URL(recommendations.ID)})

	rel, err := recommendations.RelatedProducts.Load(ctx, "prd_000042", "5")
	require.NoError(t, err)
	assert.Len(t, rel, 5)
	direct, err := cl.Related(context.Background(), "prd_000042", 5)
	require.NoError(t, err)
	for i, r := range direct {
		assert.Equal(t, r.ProductID, rel[i].ID, "best first")
		assert.NotEmpty(t, rel[i].Name, "a whole catalog product")
	}
	c.Counters().Reset()
	again, err := recommendations.RelatedProducts.Load(ctx, "prd_000042", "5")
	require.NoError(t, err)
	assert.Equal(t, rel, again)
	assert.Zero(t, c.Counters().Total(recommendations.ID)+c.Counters().Total(catalog.ID), "cached for the request")

	recs, err := l.ForUser(context.Background(), "usr_000001", 3)
	require.NoError(t, err)
	assert.Len(t, recs, 3)
	assert.NotEmpty(t, recs[0].Reason)

	_, err = recommendations.RelatedProducts.Load(ctx, "prd_999999", "5")
	assert.True(t, upstream.IsNotFound(err))

	// A limit outside the contract's range is refused without a call.
	c.Counters().Reset()
	for _, bad := range []string{"0", "51", "x"} {
		_, err = recommendations.RelatedProducts.Load(ctx, "prd_000042", bad)
		assert.Equal(t, errcode.BadRequest, upstream.CodeOf(err), bad)
	}
	assert.Zero(t, c.Counters().Total(recommendations.ID))
}

// The related products of a level of products are one call per distinct
// product (the service has no batch form) and one catalog call for all
// their products, through the request's one product cache.
func TestRelatedProductsOfALevel(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	ctx := request(t, c, upstream.Config{Address: c.URL(recommendations.ID)})

	ids := []string{"prd_000001", "prd_000002", "prd_000003"}
	lists, errs := recommendations.RelatedProducts.LoadMany(ctx, ids, "4")
	for i, id := range ids {
		require.NoError(t, errs[i], id)
		assert.Len(t, lists[i], 4, id)
	}
	assert.EqualValues(t, 3, c.Counters().Get(recommendations.ID, "GET /products/{productId}/related"))
	assert.EqualValues(t, 1, c.Counters().Get(catalog.ID, "GET /products"))

	// The catalog's products are the request's: read again, no call.
	p, err := catalog.ProductsByID.Load(ctx, lists[0][0].ID)
	require.NoError(t, err)
	assert.Same(t, lists[0][0], p)
	assert.EqualValues(t, 1, c.Counters().Get(catalog.ID, "GET /products"))
}

// A failing service surfaces as an *upstream.Error naming the service, with
// nothing of the backend's answer in its message.
func TestUnavailable(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	cl, err := recommendations.NewClient(upstream.Config{Address: c.URL(recommendations.ID), Retries: -1})
	require.NoError(t, err)
	defer cl.Close()
	c.Faults().Set(recommendations.ID, "", mocks.Fault{Kind: mocks.FaultError, Status: 503})

	_, err = cl.NewLoaders().ForUser(context.Background(), "usr_000001", 3)
	var ue *upstream.Error
	require.ErrorAs(t, err, &ue)
	assert.Equal(t, recommendations.ID, ue.Service)
	assert.Equal(t, errcode.UpstreamUnavailable, ue.Code)
	assert.NotContains(t, err.Error(), "127.0.0.1")
	assert.NotContains(t, err.Error(), "injected fault")
}
