package upstream

import (
	"context"
	"sync"

	"github.com/graph-gophers/dataloader/v7"
)

// loaderCache is a Loader's per-request cache, shared by both of its paths:
// a key loading or loaded by one of the Loader's own calls is the call and
// the key's place in it, so marking a level's keys as loading makes no
// closure per key; a value primed or put there by the fallback dataloader
// (through the dataloader.Cache methods) is kept as that value or thunk.
type loaderCache[K comparable, V any] struct {
	mu sync.RWMutex
	m  map[K]cacheEntry[V]
}

type cacheEntry[V any] struct {
	call  *pendingCall[V] // with i: loading or loaded by this call
	i     int
	thunk dataloader.Thunk[V] // else: the fallback dataloader's
	value V                   // else: a primed value
}

var _ dataloader.Cache[string, int] = (*loaderCache[string, int])(nil)

func newLoaderCache[K comparable, V any]() *loaderCache[K, V] {
	return &loaderCache[K, V]{m: map[K]cacheEntry[V]{}}
}

// result is the entry's value, waiting for its call when it is loading.
func (e cacheEntry[V]) result() (V, error) {
	switch {
	case e.call != nil:
		return e.call.result(e.i)
	case e.thunk != nil:
		return e.thunk()
	}
	return e.value, nil
}

func (c *loaderCache[K, V]) get(key K) (cacheEntry[V], bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	return e, ok
}

func (c *loaderCache[K, V]) set(key K, e cacheEntry[V]) {
	c.mu.Lock()
	c.m[key] = e
	c.mu.Unlock()
}

// Get, Set, Delete and Clear are the dataloader.Cache the fallback
// dataloader reads and fills.
func (c *loaderCache[K, V]) Get(_ context.Context, key K) (dataloader.Thunk[V], bool) {
	e, ok := c.get(key)
	if !ok {
		return nil, false
	}
	if e.thunk != nil {
		return e.thunk, true
	}
	return e.result, true
}

func (c *loaderCache[K, V]) Set(_ context.Context, key K, thunk dataloader.Thunk[V]) {
	c.set(key, cacheEntry[V]{thunk: thunk})
}

func (c *loaderCache[K, V]) Delete(_ context.Context, key K) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.m[key]
	delete(c.m, key)
	return ok
}

func (c *loaderCache[K, V]) Clear() {
	c.mu.Lock()
	c.m = map[K]cacheEntry[V]{}
	c.mu.Unlock()
}
