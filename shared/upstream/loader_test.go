package upstream

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/shared/errcode"
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

// loadAll loads every key from its own goroutine, as resolvers of sibling
// list items do, and returns the results in keys order.
func loadAll[V any](ctx context.Context, load func(context.Context, string) (V, error), keys []string) ([]V, []error) {
	vals := make([]V, len(keys))
	errs := make([]error, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Go(func() { vals[i], errs[i] = load(ctx, k) })
	}
	wg.Wait()
	return vals, errs
}

func TestLoaderCoalescesIntoOneBatchInKeyOrder(t *testing.T) {
	rec := &recorder{}
	// A batch fires when it is full or after BatchWait; with a wait this
	// long, only the capacity triggers it, which makes the test exact.
	l := NewLoader("catalog", "product", Config{MaxBatch: 4, BatchWait: time.Hour}, rec.fetch)
	keys := []string{"d", "a", "c", "b"}
	vals, errs := loadAll(context.Background(), l.Load, keys)
	for i, k := range keys {
		require.NoError(t, errs[i])
		assert.Equal(t, "v:"+k, vals[i])
	}
	require.Len(t, rec.batches, 1)
	assert.ElementsMatch(t, keys, rec.batches[0])
}

func TestLoaderDeduplicatesAndCaches(t *testing.T) {
	rec := &recorder{}
	l := NewLoader("catalog", "product", Config{MaxBatch: 2, BatchWait: time.Hour}, rec.fetch)
	_, errs := loadAll(context.Background(), l.Load,
		[]string{"a", "a", "b", "a"})
	for _, e := range errs {
		require.NoError(t, e)
	}
	require.Len(t, rec.batches, 1)
	assert.ElementsMatch(t, []string{"a", "b"}, rec.batches[0])
}

func TestLoaderCapSplitsBatches(t *testing.T) {
	rec := &recorder{}
	l := NewLoader("catalog", "product", Config{MaxBatch: 100, BatchWait: time.Hour}, rec.fetch)
	keys := ids(300)
	_, errs := loadAll(context.Background(), l.Load, keys)
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
	v, err := l.Load(context.Background(), "a")
	require.NoError(t, err)
	assert.Equal(t, "v:a", v)
}

func TestLoaderMissingIsNotFound(t *testing.T) {
	rec := &recorder{}
	l := NewLoader("catalog", "product", Config{MaxBatch: 2, BatchWait: time.Hour}, rec.fetch)
	_, errs := loadAll(context.Background(), l.Load,
		[]string{"a", "missing"})
	require.NoError(t, errs[0])
	var ue *Error
	require.ErrorAs(t, errs[1], &ue)
	assert.Equal(t, errcode.NotFound, ue.Code)
	assert.Equal(t, "catalog", ue.Service)
	assert.NotContains(t, ue.Error(), "missing", "the id stays out of Error()")
}

func TestLoaderBatchErrorFailsEveryKey(t *testing.T) {
	boom := &Error{Service: "catalog", Code: errcode.UpstreamUnavailable, Err: errors.New("down")}
	rec := &recorder{fail: boom}
	l := NewLoader("catalog", "product", Config{MaxBatch: 2, BatchWait: time.Hour}, rec.fetch)
	_, errs := loadAll(context.Background(), l.Load,
		[]string{"a", "b"})
	for _, e := range errs {
		assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(e))
	}
}

func TestLoadersArePerInstance(t *testing.T) {
	rec := &recorder{}
	cfg := Config{MaxBatch: 1, BatchWait: time.Hour}
	first := NewLoader("catalog", "product", cfg, rec.fetch)
	second := NewLoader("catalog", "product", cfg, rec.fetch)
	_, err := first.Load(context.Background(), "a")
	require.NoError(t, err)
	_, err = first.Load(context.Background(), "a")
	require.NoError(t, err)
	_, err = second.Load(context.Background(), "a")
	require.NoError(t, err)
	assert.Len(t, rec.batches, 2, "cached within one loader, never across loaders")
}

// The batch window is an hour in the tests below: a call that happens at
// all happened because the keys were handed over together, not because a
// timer fired.

func TestPrefetchMakesOneCallAtOnceWithoutTheWindow(t *testing.T) {
	rec := &recorder{}
	l := NewLoader("catalog", "product", Config{MaxBatch: 100, BatchWait: time.Hour}, rec.fetch)
	keys := []string{"d", "a", "c", "b", "a"}
	l.Prefetch(context.Background(), keys)
	require.Len(t, rec.batches, 1)
	assert.Equal(t, []string{"d", "a", "c", "b"}, rec.batches[0], "one call, duplicates dropped, first-seen order")

	vals, errs := loadAll(context.Background(), l.Load, keys)
	for i, k := range keys {
		require.NoError(t, errs[i])
		assert.Equal(t, "v:"+k, vals[i])
	}
	assert.Len(t, rec.batches, 1, "loads after a prefetch answer from the request's cache")

	l.Prefetch(context.Background(), []string{"a", "e"})
	require.Len(t, rec.batches, 2)
	assert.Equal(t, []string{"e"}, rec.batches[1], "only keys the request has not loaded are fetched")
}

func TestLoadDuringPrefetchWaitsForItsCall(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{})
	var calls [][]string
	var mu sync.Mutex
	fetch := func(_ context.Context, keys []string) (map[string]string, error) {
		mu.Lock()
		calls = append(calls, keys)
		first := len(calls) == 1
		mu.Unlock()
		if first {
			close(entered)
			<-release
		}
		out := map[string]string{}
		for _, k := range keys {
			out[k] = "v:" + k
		}
		return out, nil
	}
	l := NewLoader("catalog", "product", Config{MaxBatch: 100, BatchWait: time.Hour}, fetch)
	done := make(chan struct{})
	go func() { defer close(done); l.Prefetch(context.Background(), []string{"a", "b"}) }()
	<-entered // the prefetch call is in flight
	got := make(chan string)
	go func() {
		v, err := l.Load(context.Background(), "b")
		assert.NoError(t, err)
		got <- v
	}()
	close(release)
	assert.Equal(t, "v:b", <-got)
	<-done
	assert.Len(t, calls, 1, "the load joined the prefetch call")
}

func TestPrefetchCachesFailuresPerKey(t *testing.T) {
	boom := &Error{Service: "catalog", Code: errcode.UpstreamUnavailable, Err: errors.New("down")}
	rec := &recorder{fail: boom}
	l := NewLoader("catalog", "product", Config{MaxBatch: 100, BatchWait: time.Hour}, rec.fetch)
	vals, errs := l.LoadMany(context.Background(), []string{"a", "b"})
	assert.Equal(t, []string{"", ""}, vals)
	for _, e := range errs {
		assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(e))
	}
	_, err := l.Load(context.Background(), "a")
	assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(err))
	assert.Len(t, rec.batches, 1, "a failed key is not fetched again within the request")
}

func TestLoadManyIsOneCallWithNotFoundInPlace(t *testing.T) {
	rec := &recorder{}
	l := NewLoader("catalog", "product", Config{MaxBatch: 100, BatchWait: time.Hour}, rec.fetch)
	vals, errs := l.LoadMany(context.Background(), []string{"a", "missing", "b"})
	assert.Equal(t, []string{"v:a", "", "v:b"}, vals)
	require.NoError(t, errs[0])
	assert.True(t, IsNotFound(errs[1]))
	require.NoError(t, errs[2])
	assert.Len(t, rec.batches, 1)
}

func TestPrimeReplaceForget(t *testing.T) {
	rec := &recorder{}
	l := NewLoader("catalog", "product", Config{MaxBatch: 100, BatchWait: time.Hour}, rec.fetch)
	ctx := context.Background()
	l.Prime(ctx, "a", "primed")
	l.Prime(ctx, "a", "ignored: the request has a")
	v, _ := l.Load(ctx, "a")
	assert.Equal(t, "primed", v)
	l.Replace(ctx, "a", "replaced")
	v, _ = l.Load(ctx, "a")
	assert.Equal(t, "replaced", v)
	l.Forget(ctx, "a")
	l.Prefetch(ctx, []string{"a"})
	v, _ = l.Load(ctx, "a")
	assert.Equal(t, "v:a", v)
	assert.Len(t, rec.batches, 1)
}

func TestStartWithRepeatedKeysCallsThenOnceWithEachValue(t *testing.T) {
	rec := &recorder{}
	l := NewLoader("catalog", "product", Config{MaxBatch: 100, BatchWait: time.Hour}, rec.fetch)
	var wg sync.WaitGroup
	ctx := WithGroup(context.Background(), &wg)
	got := make(chan map[string]string, 1)
	l.Start(ctx, []string{"a", "b", "a", "missing", "b"}, func(found map[string]string) { got <- found })
	wg.Wait()
	assert.Equal(t, map[string]string{"a": "v:a", "b": "v:b"}, <-got)
	require.Len(t, rec.batches, 1)
	assert.Equal(t, []string{"a", "b", "missing"}, rec.batches[0])
}

func TestStartRunsThenBeforeLoadsSeeTheAnswer(t *testing.T) {
	rec := &recorder{}
	l := NewLoader("catalog", "product", Config{MaxBatch: 100, BatchWait: time.Hour}, rec.fetch)
	var wg sync.WaitGroup
	ctx := WithGroup(context.Background(), &wg)
	var order []string
	var mu sync.Mutex
	thenDone := make(chan struct{})
	l.Start(ctx, []string{"a"}, func(map[string]string) {
		mu.Lock()
		order = append(order, "then")
		mu.Unlock()
		close(thenDone)
	})
	v, err := l.Load(ctx, "a")
	require.NoError(t, err)
	mu.Lock()
	order = append(order, "load:"+v)
	mu.Unlock()
	<-thenDone
	wg.Wait()
	assert.Equal(t, []string{"then", "load:v:a"}, order)
}

// Has and Used tell what the request holds, loaded or loading; a fetch
// that answers more keys than asked caches them too, so a later read of
// them makes no call.
func TestLoaderHasAndExtraKeys(t *testing.T) {
	ctx := context.Background()
	calls := 0
	l := NewLoader("catalog", "category", Config{MaxBatch: 10, BatchWait: time.Hour}, func(_ context.Context, keys []string) (map[string]string, error) {
		calls++
		return map[string]string{"a": "A", "b": "B", "c": "C"}, nil
	})
	if l.Used() || l.Has(ctx, "a") {
		t.Fatal("a new loader holds nothing")
	}
	l.Prefetch(ctx, []string{"a"})
	if !l.Used() || !l.Has(ctx, "a") || !l.Has(ctx, "b") || l.Has(ctx, "d") {
		t.Fatalf("after a fetch of a: used %v, a %v, b %v, d %v", l.Used(), l.Has(ctx, "a"), l.Has(ctx, "b"), l.Has(ctx, "d"))
	}
	if v, err := l.Load(ctx, "c"); err != nil || v != "C" || calls != 1 {
		t.Fatalf("c answered with a: %q %v after %d calls", v, err, calls)
	}
}
