package persisted_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/tandemgw/tandem/shared/persisted"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/throttle/redistest"
)

// Two replicas on one real Redis: a text one registers, the other answers;
// with Redis stopped, each answers from its local cache and a miss stays a
// miss (never an error), and an outage costs one timeout per second.
func TestRedisStoreSharesBetweenReplicas(t *testing.T) {
	srv := redistest.Start(t)
	ctx := context.Background()
	newReplica := func() *persisted.RedisStore {
		client := throttle.NewRedisClient(srv.Addr, 200*time.Millisecond)
		t.Cleanup(func() { _ = client.Close() })
		s, err := persisted.NewRedisStore(client, persisted.WithRedisPrefix("test:"), persisted.WithRedisTimeout(200*time.Millisecond),
			persisted.WithRedisTTL(time.Minute), persisted.WithLocalSize(10), persisted.WithRedisLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	a, b := newReplica(), newReplica()
	h := sha(adHoc)
	if _, ok := b.Get(ctx, h); ok {
		t.Fatal("hit before any registration")
	}
	a.Add(ctx, h, adHoc)
	if q, ok := b.Get(ctx, h); !ok || q != adHoc {
		t.Fatalf("replica b: %q %v", q, ok)
	}

	srv.Stop()
	if q, ok := b.Get(ctx, h); !ok || q != adHoc {
		t.Fatal("the local cache does not answer while Redis is down")
	}
	if _, ok := b.Get(ctx, sha("other")); ok {
		t.Fatal("a miss while Redis is down must stay a miss")
	}
	before := b.Errors()
	for range 5 {
		b.Get(ctx, sha("another"))
	}
	if b.Errors() != before {
		t.Fatalf("Redis retried within the backoff: %d errors more", b.Errors()-before)
	}
	if before != 1 {
		t.Fatalf("errors %d, want 1", before)
	}
}
