package inventory_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/inventory"
	"github.com/tandemgw/tandem/shared/upstream"
)

func TestStockBatchesThroughBatchGetStock(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	cl, err := inventory.NewClient(upstream.Config{Address: c.Addr(inventory.ID), MaxBatch: 2, BatchWait: time.Hour})
	require.NoError(t, err)
	defer cl.Close()

	ctx := request(t, upstream.Config{Address: c.Addr(inventory.ID), MaxBatch: 2, BatchWait: time.Hour})
	done := make(chan error, 2)
	for _, sku := range []string{"SKU-000001", "SKU-999999"} {
		go func() {
			s, err := inventory.StockBySKU.Load(ctx, sku)
			if err == nil && s.GetSku() != sku {
				err = assert.AnError
			}
			done <- err
		}()
	}
	errs := []error{<-done, <-done}
	var ok, notFound int
	for _, e := range errs {
		if e == nil {
			ok++
		} else if upstream.IsNotFound(e) {
			notFound++
		}
	}
	assert.Equal(t, 1, ok)
	assert.Equal(t, 1, notFound)
	assert.EqualValues(t, 1, c.Counters().Get(inventory.ID, "/tandem.inventory.v1.InventoryService/BatchGetStock"))

	s, err := cl.Stock(context.Background(), "SKU-000001")
	require.NoError(t, err)
	assert.NotEmpty(t, s.Warehouse)
	assert.LessOrEqual(t, s.DeliveryMinDays, s.DeliveryMaxDays)
}

// request builds the source from cfg, as a BFF does, and returns the
// context of one request against it.
func request(t *testing.T, cfg upstream.Config, opts ...upstream.Option) context.Context {
	t.Helper()
	reg := registry.New()
	require.NoError(t, inventory.Register(reg))
	set, err := reg.Build(context.Background(), map[string]upstream.Config{inventory.ID: cfg}, registry.Deps{Options: opts})
	require.NoError(t, err)
	t.Cleanup(func() { _ = set.Close() })
	return set.WithRequestScope(context.Background())
}
