package orders_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/upstream"
)

func TestCartAndIdempotentPlaceOrder(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	ctx := context.Background()
	cl, err := orders.NewClient(upstream.Config{Address: c.URL(orders.ID), MaxBatch: 1, BatchWait: time.Hour})
	require.NoError(t, err)
	acc, err := accounts.NewClient(upstream.Config{Address: c.URL(accounts.ID)})
	require.NoError(t, err)
	const user = "usr_000007"
	addrs, err := acc.Addresses(ctx, user)
	require.NoError(t, err)
	require.NotEmpty(t, addrs)

	l := cl.NewLoaders()
	cart, err := l.Cart(ctx, user)
	require.NoError(t, err)
	assert.Empty(t, cart.Lines)

	cart, err = l.AddToCart(ctx, user, "prd_000003", 2)
	require.NoError(t, err)
	require.Len(t, cart.Lines, 1)
	again, err := l.Cart(ctx, user)
	require.NoError(t, err)
	assert.Same(t, cart, again, "the request sees its own mutation")

	_, err = l.PlaceOrder(ctx, user, addrs[0].ID, "")
	assert.Equal(t, errcode.BadUserInput, upstream.CodeOf(err))
	_, err = l.PlaceOrder(ctx, user, addrs[0].ID, "a\nb")
	assert.Equal(t, errcode.BadUserInput, upstream.CodeOf(err), "a key that cannot be a header is refused before the call")

	o1, err := l.PlaceOrder(ctx, user, addrs[0].ID, "key-1")
	require.NoError(t, err)
	o2, err := cl.PlaceOrder(ctx, user, addrs[0].ID, "key-1")
	require.NoError(t, err)
	assert.Equal(t, o1.ID, o2.ID, "same key, same order")
	assert.Equal(t, "prd_000003", o1.Lines[0].ProductID)

	before := c.Counters().Get(orders.ID, "GET /orders")
	got, err := l.Order(ctx, o1.ID)
	require.NoError(t, err)
	assert.Same(t, o1, got)
	assert.Equal(t, before, c.Counters().Get(orders.ID, "GET /orders"))

	page, err := l.OrdersOfUser(ctx, user, 5, "")
	require.NoError(t, err)
	require.NotEmpty(t, page.Items)
	assert.Equal(t, user, page.Items[0].UserID)

	_, err = cl.NewLoaders().Order(ctx, "ord_999999")
	assert.True(t, upstream.IsNotFound(err))
}
