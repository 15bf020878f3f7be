package redistest

import (
	"context"
	"testing"
	"time"
)

func TestStartPingStop(t *testing.T) {
	s := Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := Ping(ctx, s.Addr); err != nil {
		t.Fatalf("ping running server: %v", err)
	}
	s.Stop()
	if !s.Stopped() {
		t.Fatal("server still running after Stop")
	}
	if err := Ping(ctx, s.Addr); err == nil {
		t.Fatal("ping succeeded after Stop")
	}
	s.Stop() // idempotent
}
