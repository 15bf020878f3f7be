package upstream

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// recorder is a fake batch endpoint that knows every key except "missing".
type recorder struct {
	mu      sync.Mutex
	batches [][]string
	fail    error
}

func (r *recorder) fetch(_ context.Context, keys []string) (map[string]string, error) {
	r.mu.Lock()
	r.batches = append(r.batches, append([]string(nil), keys...))
	r.mu.Unlock()
	if r.fail != nil {
		return nil, r.fail
	}
	out := map[string]string{}
	for _, k := range keys {
		if k != "missing" {
			out[k] = "v:" + k
		}
	}
	return out, nil
}

// loadAll issues every load before waiting on any result, like resolvers of
// sibling fields do.
func loadAll[V any](ctx context.Context, load func(context.Context, string) func() (V, error), keys []string) ([]V, []error) {
	thunks := make([]func() (V, error), len(keys))
	for i, k := range keys {
		thunks[i] = load(ctx, k)
	}
	vals := make([]V, len(keys))
	errs := make([]error, len(keys))
	for i, th := range thunks {
		vals[i], errs[i] = th()
	}
	return vals, errs
}

func TestLoaderCoalescesIntoOneBatchInKeyOrder(t *testing.T) {
	rec := &recorder{}
	// A batch fires when it is full or after BatchWait; with a wait this
	// long, only the capacity triggers it, which makes the test exact.
	l := NewLoader("catalog", "product", Config{MaxBatch: 4, BatchWait: time.Hour}, rec.fetch)
	keys := []string{"d", "a", "c", "b"}
	vals, errs := loadAll(context.Background(), func(ctx context.Context, k string) func() (string, error) { return l.Load(ctx, k) }, keys)
	for i, k := range keys {
		require.NoError(t, errs[i])
		assert.Equal(t, "v:"+k, vals[i])
	}
	require.Len(t, rec.batches, 1)
	assert.Equal(t, keys, rec.batches[0])
}

func TestLoaderDeduplicatesAndCaches(t *testing.T) {
	rec := &recorder{}
	l := NewLoader("catalog", "product", Config{MaxBatch: 2, BatchWait: time.Hour}, rec.fetch)
	_, errs := loadAll(context.Background(), func(ctx context.Context, k string) func() (string, error) { return l.Load(ctx, k) },
		[]string{"a", "a", "b", "a"})
	for _, e := range errs {
		require.NoError(t, e)
	}
	require.Len(t, rec.batches, 1)
	assert.Equal(t, []string{"a", "b"}, rec.batches[0])
}

func TestLoaderCapSplitsBatches(t *testing.T) {
	rec := &recorder{}
	l := NewLoader("catalog", "product", Config{MaxBatch: 100, BatchWait: time.Hour}, rec.fetch)
	keys := ids(300)
	_, errs := loadAll(context.Background(), func(ctx context.Context, k string) func() (string, error) { return l.Load(ctx, k) }, keys)
	for _, e := range errs {
		require.NoError(t, e)
	}
	require.Len(t, rec.batches, 3)
	for _, b := range rec.batches {
		assert.Len(t, b, 100)
	}
}

func TestLoaderWaitFlushesPartialBatch(t *testing.T) {
	rec := &recorder{}
	l := NewLoader("catalog", "product", Config{MaxBatch: 100, BatchWait: time.Millisecond}, rec.fetch)
	v, err := l.Load(context.Background(), "a")()
	require.NoError(t, err)
	assert.Equal(t, "v:a", v)
}

func TestLoaderMissingIsNotFound(t *testing.T) {
	rec := &recorder{}
	l := NewLoader("catalog", "product", Config{MaxBatch: 2, BatchWait: time.Hour}, rec.fetch)
	_, errs := loadAll(context.Background(), func(ctx context.Context, k string) func() (string, error) { return l.Load(ctx, k) },
		[]string{"a", "missing"})
	require.NoError(t, errs[0])
	var ue *Error
	require.ErrorAs(t, errs[1], &ue)
	assert.Equal(t, CodeNotFound, ue.Code)
	assert.Equal(t, "catalog", ue.Service)
	assert.NotContains(t, ue.Error(), "missing", "the id stays out of Error()")
}

func TestLoaderBatchErrorFailsEveryKey(t *testing.T) {
	boom := &Error{Service: "catalog", Code: CodeUnavailable, Err: errors.New("down")}
	rec := &recorder{fail: boom}
	l := NewLoader("catalog", "product", Config{MaxBatch: 2, BatchWait: time.Hour}, rec.fetch)
	_, errs := loadAll(context.Background(), func(ctx context.Context, k string) func() (string, error) { return l.Load(ctx, k) },
		[]string{"a", "b"})
	for _, e := range errs {
		assert.Equal(t, CodeUnavailable, CodeOf(e))
	}
}

func TestLoadersArePerInstance(t *testing.T) {
	rec := &recorder{}
	cfg := Config{MaxBatch: 1, BatchWait: time.Hour}
	first := NewLoader("catalog", "product", cfg, rec.fetch)
	second := NewLoader("catalog", "product", cfg, rec.fetch)
	_, err := first.Load(context.Background(), "a")()
	require.NoError(t, err)
	_, err = first.Load(context.Background(), "a")()
	require.NoError(t, err)
	_, err = second.Load(context.Background(), "a")()
	require.NoError(t, err)
	assert.Len(t, rec.batches, 2, "cached within one loader, never across loaders")
}
