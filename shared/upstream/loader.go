package upstream

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/telemetry"
)

// KeyErrors lets a loader's fetch function fail some keys but not others:
// return the values it has and a KeyErrors naming the failed keys.
type KeyErrors[K comparable] map[K]error

func (e KeyErrors[K]) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d keys failed", len(e))
	for _, err := range e {
		b.WriteString("; first: ")
		b.WriteString(err.Error())
		break
	}
	return b.String()
}

// FetchFunc is a batch endpoint: it returns the values of the keys it
// knows. A key it leaves out is NOT_FOUND; an error fails every key, unless
// it is a KeyErrors.
type FetchFunc[K comparable, V any] func(ctx context.Context, keys []K) (map[K]V, error)

// Loader is one request's loader over one batch endpoint: it de-duplicates
// and caches keys for the request's lifetime (build a new one per request)
// and batches them two ways.
//
//   - Prefetch (and LoadMany) make one call at once for every key not yet
//     loaded or loading. This is how a level of a response is fetched: the
//     code that holds a whole list of parents (a list resolver, or a
//     prefetch.Plan walking the query) hands all their keys over together,
//     so the number of calls depends on what the query asks for, never on
//     timing.
//   - Load of a key nobody prefetched joins a dataloader batch that is sent
//     when it holds MaxBatch keys or after BatchWait (1ms). This is the
//     fallback for shapes nothing looked ahead at.
//
// Both paths share one cache, so a key is fetched at most once per request
// whichever path asks first. Loader is safe for concurrent use.
type Loader[K comparable, V any] struct {
	service, what string
	fetch         FetchFunc[K, V]
	cfg           Config

	mu    sync.Mutex
	dl    *dataloader.Loader[K, V] // built on first fallback Load
	cache *loaderCache[K, V]
	// used is set once a key enters the cache, so that Has of a loader
	// nobody used costs no lock.
	used atomic.Bool
}

// NewLoader builds one per-request loader over a batch fetch function. The
// dataloader behind the fallback path batches up to cfg.MaxBatch keys and
// waits cfg.BatchWait for more; fetch is expected to split larger key sets
// itself (GetBatch and Chunked do). Nothing is allocated for the fallback
// path until it is used.
func NewLoader[K comparable, V any](service, what string, cfg Config, fetch FetchFunc[K, V]) *Loader[K, V] {
	return &Loader[K, V]{service: service, what: what, fetch: fetch, cfg: cfg.WithDefaults(), cache: newLoaderCache[K, V]()}
}

// results calls fetch for keys and turns its answer into one result per key.
func (l *Loader[K, V]) results(ctx context.Context, keys []K) []*dataloader.Result[V] {
	ctx, endBatch := telemetry.StartBatch(ctx, l.service, l.what, len(keys))
	m, err := l.fetch(ctx, keys)
	endBatch(err)
	var keyErrs KeyErrors[K]
	if err != nil && !errors.As(err, &keyErrs) {
		return failAll[V](len(keys), err)
	}
	if len(m) > len(keys) {
		l.primeExtra(ctx, keys, m)
	}
	// The batch's results in one allocation, not one per key.
	all := make([]dataloader.Result[V], len(keys))
	res := make([]*dataloader.Result[V], len(keys))
	for i, k := range keys {
		res[i] = &all[i]
		if kerr, ok := keyErrs[k]; ok {
			all[i].Error = kerr
		} else if v, ok := m[k]; ok {
			all[i].Data = v
		} else {
			all[i].Error = NotFound(l.service, l.what, fmt.Sprint(k))
		}
	}
	return res
}

// primeExtra caches the values a fetch answered beyond the keys it was
// asked for: a fetch that can only read a whole small list (every
// category) serves the request's later reads of it that way.
func (l *Loader[K, V]) primeExtra(ctx context.Context, keys []K, m map[K]V) {
	asked := make(map[K]struct{}, len(keys))
	for _, k := range keys {
		asked[k] = struct{}{}
	}
	for k, v := range m {
		if _, ok := asked[k]; !ok {
			l.Prime(ctx, k, v)
		}
	}
}

// loader returns the fallback dataloader, building it on first use.
func (l *Loader[K, V]) loader() *dataloader.Loader[K, V] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.dl == nil {
		l.dl = dataloader.NewBatchedLoader(l.results,
			dataloader.WithCache[K, V](l.cache),
			dataloader.WithBatchCapacity[K, V](l.cfg.MaxBatch),
			dataloader.WithWait[K, V](l.cfg.BatchWait),
		)
	}
	return l.dl
}

// Load returns the value of key: from the request's cache when it was
// loaded or prefetched already (waiting for a call in flight), else through
// the fallback batch window.
func (l *Loader[K, V]) Load(ctx context.Context, key K) (V, error) {
	if e, ok := l.cache.get(key); ok {
		return e.result()
	}
	l.used.Store(true)
	return l.loader().Load(ctx, key)()
}

// Has reports whether the request has loaded key, or is loading it.
func (l *Loader[K, V]) Has(ctx context.Context, key K) bool {
	if !l.used.Load() {
		return false
	}
	_, ok := l.cache.get(key)
	return ok
}

// Used reports whether any key has entered the request's cache.
func (l *Loader[K, V]) Used() bool { return l.used.Load() }

// LoadMany returns the values of keys in keys order, fetching the missing
// ones in one call at once. errs always has len(keys) entries; an unknown
// key's entry is a NOT_FOUND *Error.
func (l *Loader[K, V]) LoadMany(ctx context.Context, keys []K) (vals []V, errs []error) {
	l.Prefetch(ctx, keys)
	vals = make([]V, len(keys))
	errs = make([]error, len(keys))
	for i, k := range keys {
		vals[i], errs[i] = l.Load(ctx, k)
	}
	return vals, errs
}

// Prime stores value for key unless the request has it already.
func (l *Loader[K, V]) Prime(ctx context.Context, key K, value V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.cache.get(key); !ok {
		l.used.Store(true)
		l.cache.set(key, cacheEntry[V]{value: value})
	}
}

// Prefetch fetches, in one call made now, every key of keys that the
// request has neither loaded nor started loading, and returns when the
// answer is in the cache. A concurrent Load of one of those keys waits for
// this call instead of making its own. Failures are cached per key like
// values, so the resolver that asks for the key gets the error.
func (l *Loader[K, V]) Prefetch(ctx context.Context, keys []K) {
	missing, call, _ := l.register(ctx, keys)
	if call != nil {
		call.publish(l.results(ctx, missing))
	}
}

// Start is Prefetch without the wait: it marks the keys the request lacks
// as loading and makes their call from a goroutine of the request's group
// (WithGroup), so the caller goes on at once. Once the answer is in, then
// (if not nil) runs with the values of all of keys that loaded — before a
// Load of any of those keys returns. The batching plan uses then to start
// the next level, so that level's keys are marked loading before a
// resolver of this level can ask for them. With nothing to fetch, then
// runs before Start returns.
func (l *Loader[K, V]) Start(ctx context.Context, keys []K, then func(found map[K]V)) {
	missing, call, cached := l.register(ctx, keys)
	if call == nil {
		if then != nil {
			then(l.found(ctx, nil, nil, cached))
		}
		return
	}
	goInGroup(ctx, func() {
		var res []*dataloader.Result[V]
		defer func() {
			// Whatever happens, the waiting loads must be released.
			if p := recover(); p != nil {
				res = failAll[V](len(missing), &Error{Service: l.service, Code: errcode.UpstreamError, Err: fmt.Errorf("prefetch panicked: %v", p)})
			}
			call.publish(res)
		}()
		res = l.results(ctx, missing)
		if then != nil {
			then(l.found(ctx, missing, res, cached))
		}
	})
}

// register marks every key of keys the request lacks as loading by one new
// call and returns them (in first-seen order, without duplicates), the
// call (nil when nothing is missing), and the keys the request had.
func (l *Loader[K, V]) register(ctx context.Context, keys []K) (missing []K, call *pendingCall[V], cached []K) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var mine map[K]struct{} // keys this call loads: a repeat is no cached key
	for _, k := range keys {
		if _, dup := mine[k]; dup {
			continue
		}
		if _, ok := l.cache.get(k); ok {
			cached = append(cached, k) // loaded, or loading by another call
			continue
		}
		if mine == nil {
			mine = make(map[K]struct{}, len(keys))
		}
		mine[k] = struct{}{}
		if call == nil {
			call = &pendingCall[V]{done: make(chan struct{})}
			l.used.Store(true)
		}
		i := len(missing)
		missing = append(missing, k)
		l.cache.set(k, cacheEntry[V]{call: call, i: i})
	}
	return missing, call, cached
}

// found collects the values of a Start's keys: the ones its call loaded and
// the ones the request had (waiting for any still loading elsewhere).
func (l *Loader[K, V]) found(ctx context.Context, missing []K, res []*dataloader.Result[V], cached []K) map[K]V {
	out := make(map[K]V, len(missing)+len(cached))
	for i, k := range missing {
		if res[i].Error == nil {
			out[k] = res[i].Data
		}
	}
	for _, k := range cached {
		if e, ok := l.cache.get(k); ok {
			if v, err := e.result(); err == nil {
				out[k] = v
			}
		}
	}
	return out
}

func failAll[V any](n int, err error) []*dataloader.Result[V] {
	shared := &dataloader.Result[V]{Error: err}
	res := make([]*dataloader.Result[V], n)
	for i := range res {
		res[i] = shared
	}
	return res
}

// pendingCall is one Prefetch or Start call in flight; its cache entries
// wait on done.
type pendingCall[V any] struct {
	done chan struct{}
	res  []*dataloader.Result[V]
}

func (c *pendingCall[V]) publish(res []*dataloader.Result[V]) {
	c.res = res
	close(c.done)
}

func (c *pendingCall[V]) result(i int) (V, error) {
	<-c.done
	r := c.res[i]
	return r.Data, r.Error
}

// Replace stores value for key whatever the request had, for a mutation
// whose answer is the new state (a cart after an add).
func (l *Loader[K, V]) Replace(ctx context.Context, key K, value V) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cache.Delete(ctx, key)
	l.used.Store(true)
	l.cache.set(key, cacheEntry[V]{value: value})
}

// Forget drops key from the request's cache, so the next Load fetches it
// again (a cart a mutation emptied).
func (l *Loader[K, V]) Forget(ctx context.Context, key K) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cache.Delete(ctx, key)
}

type groupKey struct{}

// WithGroup makes the calls that loads under ctx start in the background
// (Loader.Start) run as goroutines of g, so that whoever owns the request
// can wait for them before it ends; registry.Set.Middleware does.
func WithGroup(ctx context.Context, g *sync.WaitGroup) context.Context {
	return context.WithValue(ctx, groupKey{}, g)
}

// goInGroup runs fn in a goroutine of ctx's group, or of its own when ctx
// has none (fn always ends: its call is bounded by the upstream timeouts).
func goInGroup(ctx context.Context, fn func()) {
	if g, ok := ctx.Value(groupKey{}).(*sync.WaitGroup); ok {
		g.Go(fn)
		return
	}
	go fn()
}
