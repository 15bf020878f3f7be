package upstream

import (
	"context"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Chunked splits keys into chunks of at most max (all in one when max <= 0),
// calls fetch for every chunk concurrently and merges the results. The first
// failing chunk cancels the others and its error is returned. A single chunk
// runs on the caller's goroutine.
func Chunked[K comparable, V any](ctx context.Context, keys []K, max int, fetch func(ctx context.Context, keys []K) (map[K]V, error)) (map[K]V, error) {
	if len(keys) == 0 {
		return map[K]V{}, nil
	}
	if max <= 0 || len(keys) <= max {
		m, err := fetch(ctx, keys)
		if m == nil && err == nil {
			m = map[K]V{}
		}
		return m, err
	}
	out := make(map[K]V, len(keys))
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	for start := 0; start < len(keys); start += max {
		chunk := keys[start:min(start+max, len(keys))]
		g.Go(func() error {
			m, err := fetch(gctx, chunk)
			if err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			for k, v := range m {
				out[k] = v
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// Dedup returns keys without duplicates, in first-seen order.
func Dedup[K comparable](keys []K) []K {
	seen := make(map[K]struct{}, len(keys))
	out := make([]K, 0, len(keys))
	for _, k := range keys {
		if _, ok := seen[k]; ok {
			continue
		}
		seen[k] = struct{}{}
		out = append(out, k)
	}
	return out
}

// FanOut calls one for every distinct key, at most limit at a time (no
// limit when limit <= 0), for upstreams that have no batch endpoint. Keys
// that fail are reported in a KeyErrors next to the values of the others,
// so a loader fails only those keys.
func FanOut[K comparable, V any](ctx context.Context, keys []K, limit int, one func(ctx context.Context, key K) (V, error)) (map[K]V, error) {
	keys = Dedup(keys)
	vals := make([]V, len(keys))
	errs := make([]error, len(keys))
	var g errgroup.Group
	if limit > 0 {
		g.SetLimit(limit)
	}
	for i, k := range keys {
		g.Go(func() error {
			vals[i], errs[i] = one(ctx, k)
			return nil
		})
	}
	_ = g.Wait() // failures are collected per key in errs
	out := make(map[K]V, len(keys))
	var keyErrs KeyErrors[K]
	for i, k := range keys {
		if errs[i] != nil {
			if keyErrs == nil {
				keyErrs = KeyErrors[K]{}
			}
			keyErrs[k] = errs[i]
			continue
		}
		out[k] = vals[i]
	}
	if keyErrs != nil {
		return out, keyErrs
	}
	return out, nil
}
