package upstream

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/graph-gophers/dataloader/v7"

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

// NewLoader builds one per-request dataloader over a batch fetch function.
// The loader batches up to cfg.MaxBatch keys, waits cfg.BatchWait for more
// keys before calling fetch, and caches results for its own lifetime only
// (build a new one per request). Keys fetch does not return become a
// NOT_FOUND *Error naming service; an error from fetch fails every key of
// the batch, unless it is a KeyErrors.
func NewLoader[K comparable, V any](service, what string, cfg Config, fetch func(ctx context.Context, keys []K) (map[K]V, error)) *dataloader.Loader[K, V] {
	cfg = cfg.WithDefaults()
	batch := func(ctx context.Context, keys []K) []*dataloader.Result[V] {
		ctx, endBatch := telemetry.StartBatch(ctx, service, what, len(keys))
		m, err := fetch(ctx, keys)
		endBatch(err)
		var keyErrs KeyErrors[K]
		if err != nil && !errors.As(err, &keyErrs) {
			res := make([]*dataloader.Result[V], len(keys))
			for i := range keys {
				res[i] = &dataloader.Result[V]{Error: err}
			}
			return res
		}
		res := make([]*dataloader.Result[V], len(keys))
		for i, k := range keys {
			if kerr, ok := keyErrs[k]; ok {
				res[i] = &dataloader.Result[V]{Error: kerr}
			} else if v, ok := m[k]; ok {
				res[i] = &dataloader.Result[V]{Data: v}
			} else {
				res[i] = &dataloader.Result[V]{Error: NotFound(service, what, fmt.Sprint(k))}
			}
		}
		return res
	}
	return dataloader.NewBatchedLoader(batch,
		dataloader.WithBatchCapacity[K, V](cfg.MaxBatch),
		dataloader.WithWait[K, V](cfg.BatchWait),
	)
}
