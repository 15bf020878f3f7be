package pricing_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/upstream"
)

const batchRoute = "/tandem.pricing.v1.PricingService/BatchGetPrices"

func TestPricesBatchThroughBatchGetPrices(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	// Capacity-triggered batches (hour-long wait) keep the counts exact.
	cl, err := pricing.NewClient(upstream.Config{Address: c.Addr(pricing.ID), MaxBatch: 3, BatchWait: time.Hour})
	require.NoError(t, err)
	defer cl.Close()

	ctx := request(t, upstream.Config{Address: c.Addr(pricing.ID), MaxBatch: 3, BatchWait: time.Hour})
	l := pricing.For(ctx)
	ids := []string{"prd_000001", "prd_000002", "prd_999999"}
	type res struct {
		p   *pricing.Price
		err error
	}
	out := make([]chan res, len(ids))
	for i, id := range ids {
		out[i] = make(chan res, 1)
		go func() { p, err := l.Price(ctx, id); out[i] <- res{p, err} }()
	}
	for i, id := range ids[:2] {
		r := <-out[i]
		require.NoError(t, r.err)
		assert.Equal(t, id, r.p.ProductID)
		assert.NotEmpty(t, r.p.Currency)
		assert.GreaterOrEqual(t, r.p.ListAmountMinor, r.p.AmountMinor)
	}
	missing := <-out[2]
	assert.True(t, upstream.IsNotFound(missing.err))
	assert.EqualValues(t, 1, c.Counters().Get(pricing.ID, batchRoute))

	c.Counters().Reset()
	many := make([]string, 7)
	for i := range many {
		many[i] = fmt.Sprintf("prd_%06d", i+1)
	}
	m, err := cl.Prices(context.Background(), many)
	require.NoError(t, err)
	assert.Len(t, m, 7)
	assert.EqualValues(t, 3, c.Counters().Get(pricing.ID, batchRoute), "7 ids with cap 3 -> 3 calls")

	p, err := cl.Price(context.Background(), "prd_000001")
	require.NoError(t, err)
	assert.Equal(t, m["prd_000001"], p)
	_, err = cl.Price(context.Background(), "prd_999999")
	assert.True(t, upstream.IsNotFound(err))
	_, err = cl.Price(context.Background(), "bogus")
	assert.Equal(t, errcode.BadRequest, upstream.CodeOf(err))
}

// request builds the source from cfg, as a BFF does, and returns the
// context of one request against it.
func request(t *testing.T, cfg upstream.Config, opts ...upstream.Option) context.Context {
	t.Helper()
	reg := registry.New()
	require.NoError(t, pricing.Register(reg))
	set, err := reg.Build(context.Background(), map[string]upstream.Config{pricing.ID: cfg}, registry.Deps{Options: opts})
	require.NoError(t, err)
	t.Cleanup(func() { _ = set.Close() })
	return set.WithRequestScope(context.Background())
}
