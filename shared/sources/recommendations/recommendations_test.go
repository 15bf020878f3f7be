package recommendations_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/sources/recommendations"
	"github.com/tandemgw/tandem/shared/upstream"
)

func TestRelatedAndForUser(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	cl, err := recommendations.NewClient(upstream.Config{Address: c.URL(recommendations.ID)})
	require.NoError(t, err)
	l := cl.NewLoaders()

	rel, err := l.Related(context.Background(), "prd_000042", 5)
	require.NoError(t, err)
	assert.Len(t, rel, 5)
	again, err := l.Related(context.Background(), "prd_000042", 5)
	require.NoError(t, err)
	assert.Equal(t, rel, again)
	assert.EqualValues(t, 1, c.Counters().Get(recommendations.ID, "GET /products/{productId}/related"))

	recs, err := l.ForUser(context.Background(), "usr_000001", 3)
	require.NoError(t, err)
	assert.Len(t, recs, 3)
	assert.NotEmpty(t, recs[0].Reason)

	_, err = l.Related(context.Background(), "prd_999999", 5)
	assert.True(t, upstream.IsNotFound(err))
}

// Related lists of several products in one request are loaded in one loader
// batch: one call per distinct product (the service has no batch form), and
// a list already loaded is served from the request's cache.
func TestRelatedLoadsCoalescePerRequest(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	// The batch fires when full: three loads, three keys, no timing.
	cl, err := recommendations.NewClient(upstream.Config{Address: c.URL(recommendations.ID), MaxBatch: 3, BatchWait: time.Hour})
	require.NoError(t, err)
	defer cl.Close()
	l := cl.NewLoaders()

	ids := []string{"prd_000001", "prd_000002", "prd_000003"}
	lists := make([][]*recommendations.Related, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() { lists[i], errs[i] = l.Related(context.Background(), id, 4) })
	}
	wg.Wait()
	for i, id := range ids {
		require.NoError(t, errs[i], id)
		direct, err := cl.Related(context.Background(), id, 4)
		require.NoError(t, err)
		assert.Equal(t, direct, lists[i], "the loader answers %s's own list", id)
	}
	assert.EqualValues(t, 3+3, c.Counters().Get(recommendations.ID, "GET /products/{productId}/related"))

	again, err := l.Related(context.Background(), "prd_000002", 4)
	require.NoError(t, err)
	assert.Equal(t, lists[1], again)
	assert.EqualValues(t, 6, c.Counters().Get(recommendations.ID, "GET /products/{productId}/related"), "cached for the request")
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
