package accounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/upstream"
)

func TestUsersAndAddresses(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	cl, err := accounts.NewClient(upstream.Config{Address: c.URL(accounts.ID), MaxBatch: 2, BatchWait: time.Hour})
	require.NoError(t, err)
	l := cl.NewLoaders()

	ids := []string{"usr_000001", "usr_000002"}
	done := make(chan *accounts.User, 2)
	for _, id := range ids {
		go func() {
			u, err := l.User(context.Background(), id)
			assert.NoError(t, err)
			done <- u
		}()
	}
	u1, u2 := <-done, <-done
	assert.ElementsMatch(t, ids, []string{u1.ID, u2.ID})
	assert.EqualValues(t, 1, c.Counters().Get(accounts.ID, "GET /users"))

	addrs, err := cl.Addresses(context.Background(), "usr_000001")
	require.NoError(t, err)
	require.NotEmpty(t, addrs)
	assert.Equal(t, "usr_000001", addrs[0].UserID)

	// Two distinct users: one call each, never more.
	c.Counters().Reset()
	m, err := cl.AddressesOfUsers(context.Background(), []string{"usr_000001", "usr_000002", "usr_000001"})
	require.NoError(t, err)
	assert.Len(t, m, 2)
	assert.EqualValues(t, 2, c.Counters().Get(accounts.ID, "GET /users/{id}/addresses"))

	_, err = cl.AddressesOfUsers(context.Background(), []string{"usr_000001", "usr_999999"})
	var ke upstream.KeyErrors[string]
	require.ErrorAs(t, err, &ke)
	assert.True(t, upstream.IsNotFound(ke["usr_999999"]), "only the unknown user fails")

	one, err := accounts.NewClient(upstream.Config{Address: c.URL(accounts.ID), MaxBatch: 1, BatchWait: time.Hour})
	require.NoError(t, err)
	a, err := one.NewLoaders().Address(context.Background(), addrs[0].ID)
	require.NoError(t, err)
	assert.Equal(t, addrs[0], a)
	got, err := one.NewLoaders().Addresses(context.Background(), "usr_000001")
	require.NoError(t, err)
	assert.Equal(t, addrs, got)

	page, err := cl.ListUsers(context.Background(), 3, "")
	require.NoError(t, err)
	assert.Len(t, page.Items, 3)
	assert.True(t, page.HasNextPage)
}
