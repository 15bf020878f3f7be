package registry

import (
	"context"
	"strings"
	"testing"
)

func TestScopedKeysAreDistinctPerSource(t *testing.T) {
	a, b := NewScoped[*int]("alpha"), NewScoped[*int]("beta")
	one := 1
	ctx := a.NewContext(context.Background(), &one)
	if got := a.For(ctx); got != &one {
		t.Fatalf("alpha: got %v", got)
	}
	if _, ok := b.FromContext(ctx); ok {
		t.Fatal("beta sees alpha's value: keys collide")
	}
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, `source "beta" is not registered`) || !strings.Contains(msg, "beta.Register(reg)") {
			t.Fatalf("panic message does not name the source and the fix: %q", msg)
		}
	}()
	b.For(ctx)
}
