package reviews_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/reviews"
	"github.com/tandemgw/tandem/shared/upstream"
)

func TestSummariesBatchAndReviewPages(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	cl, err := reviews.NewClient(upstream.Config{Address: c.URL(reviews.ID), MaxBatch: 3, BatchWait: time.Hour})
	require.NoError(t, err)
	ctx := request(t, upstream.Config{Address: c.URL(reviews.ID), MaxBatch: 3, BatchWait: time.Hour})
	l := reviews.For(ctx)

	ids := []string{"prd_000001", "prd_000002", "prd_000003"}
	done := make(chan *reviews.RatingSummary, 3)
	for _, id := range ids {
		go func() {
			s, err := reviews.SummariesByProduct.Load(ctx, id)
			assert.NoError(t, err)
			done <- s
		}()
	}
	for range ids {
		s := <-done
		require.NotNil(t, s)
		sum := 0
		for _, n := range s.Histogram {
			sum += n
		}
		assert.Equal(t, s.Count, sum)
	}
	assert.EqualValues(t, 1, c.Counters().Get(reviews.ID, "GET /summaries"))

	page, err := l.ReviewsOfProduct(ctx, "prd_000001", 2, "")
	require.NoError(t, err)
	require.NotEmpty(t, page.Items)
	{
		before := c.Counters().Get(reviews.ID, "GET /reviews")
		r, err := l.Review(ctx, page.Items[0].ID)
		require.NoError(t, err)
		assert.Same(t, page.Items[0], r)
		assert.Equal(t, before, c.Counters().Get(reviews.ID, "GET /reviews"), "primed by the page")
		single, err := cl.Summary(context.Background(), "prd_000001")
		require.NoError(t, err)
		assert.Equal(t, "prd_000001", single.ProductID)
	}
}

// request builds the source from cfg, as a BFF does, and returns the
// context of one request against it.
func request(t *testing.T, cfg upstream.Config, opts ...upstream.Option) context.Context {
	t.Helper()
	reg := registry.New()
	require.NoError(t, reviews.Register(reg))
	set, err := reg.Build(context.Background(), map[string]upstream.Config{reviews.ID: cfg}, registry.Deps{Options: opts})
	require.NoError(t, err)
	t.Cleanup(func() { _ = set.Close() })
	return set.WithRequestScope(context.Background())
}
