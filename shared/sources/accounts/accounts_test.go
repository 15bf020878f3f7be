package accounts_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/upstream"
)

func TestUsersAndAddresses(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	cl, err := accounts.NewClient(upstream.Config{Address: c.URL(accounts.ID), MaxBatch: 2, BatchWait: time.Hour})
	require.NoError(t, err)
	ctx := request(t, upstream.Config{Address: c.URL(accounts.ID), MaxBatch: 2, BatchWait: time.Hour})
	l := accounts.For(ctx)

	ids := []string{"usr_000001", "usr_000002"}
	done := make(chan *accounts.User, 2)
	for _, id := range ids {
		go func() {
			u, err := l.User(ctx, id)
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

	byID, err := cl.AddressesByID(context.Background(), []string{addrs[0].ID})
	require.NoError(t, err)
	assert.Equal(t, addrs[0], byID[addrs[0].ID])

	page, err := cl.ListUsers(context.Background(), 3, "")
	require.NoError(t, err)
	assert.Len(t, page.Items, 3)
	assert.True(t, page.HasNextPage)
}

// request builds the source from cfg, as a BFF does, and returns the
// context of one request against it.
func request(t *testing.T, cfg upstream.Config, opts ...upstream.Option) context.Context {
	t.Helper()
	reg := registry.New()
	require.NoError(t, accounts.Register(reg))
	set, err := reg.Build(context.Background(), map[string]upstream.Config{accounts.ID: cfg}, registry.Deps{Options: opts})
	require.NoError(t, err)
	t.Cleanup(func() { _ = set.Close() })
	return set.WithRequestScope(context.Background())
}
