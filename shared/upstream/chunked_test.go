package upstream

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/shared/errcode"
)

func ids(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("prd_%06d", i)
	}
	return out
}

func TestChunkedSplitsAndRunsConcurrently(t *testing.T) {
	keys := ids(500)
	var calls atomic.Int32
	// Every chunk waits until all 5 have started: this only completes if
	// the chunks run concurrently.
	var started sync.WaitGroup
	started.Add(5)
	got, err := Chunked(context.Background(), keys, 100, func(ctx context.Context, chunk []string) (map[string]int, error) {
		calls.Add(1)
		assert.LessOrEqual(t, len(chunk), 100)
		started.Done()
		started.Wait()
		m := map[string]int{}
		for _, k := range chunk {
			m[k] = len(k)
		}
		return m, nil
	})
	require.NoError(t, err)
	assert.EqualValues(t, 5, calls.Load())
	assert.Len(t, got, 500)
}

func TestChunkedUnevenAndSingle(t *testing.T) {
	var sizes []int
	var mu sync.Mutex
	_, err := Chunked(context.Background(), ids(250), 100, func(_ context.Context, c []string) (map[string]bool, error) {
		mu.Lock()
		sizes = append(sizes, len(c))
		mu.Unlock()
		return nil, nil
	})
	require.NoError(t, err)
	assert.ElementsMatch(t, []int{100, 100, 50}, sizes)

	calls := 0
	m, err := Chunked(context.Background(), []string{}, 100, func(context.Context, []string) (map[string]bool, error) {
		calls++
		return nil, nil
	})
	require.NoError(t, err)
	assert.Empty(t, m)
	assert.Zero(t, calls, "no keys, no call")
}

func TestChunkedFirstErrorCancelsOthers(t *testing.T) {
	boom := errors.New("boom")
	_, err := Chunked(context.Background(), ids(300), 100, func(ctx context.Context, c []string) (map[string]bool, error) {
		if c[0] == "prd_000000" {
			return nil, boom
		}
		<-ctx.Done() // the others only end because the failure cancels them
		return nil, ctx.Err()
	})
	assert.ErrorIs(t, err, boom)
}

func TestFanOutPerKeyErrors(t *testing.T) {
	m, err := FanOut(context.Background(), []string{"a", "b", "a", "c"}, 2, func(_ context.Context, k string) (string, error) {
		if k == "b" {
			return "", &Error{Service: "accounts", Code: errcode.NotFound}
		}
		return k + "!", nil
	})
	var ke KeyErrors[string]
	require.ErrorAs(t, err, &ke)
	assert.Len(t, ke, 1)
	assert.True(t, IsNotFound(ke["b"]))
	assert.Equal(t, map[string]string{"a": "a!", "c": "c!"}, m)
}
