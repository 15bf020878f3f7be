package registry

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestScopedValuesAreLazyAndDistinctPerSource(t *testing.T) {
	var closed []string
	var alpha *fakeInstance
	r := New()
	require.NoError(t, r.Register(source("alpha", &closed, func(f *fakeInstance) { alpha = f })))
	set, err := r.Build(context.Background(), cfgs("alpha"), Deps{})
	require.NoError(t, err)
	a, b := NewScoped[*int]("alpha"), NewScoped[*int]("beta")

	ctx := set.WithRequestScope(context.Background())
	assert.Zero(t, alpha.scopes, "nothing is built before the request uses the source")
	one := a.For(ctx)
	assert.Same(t, one, a.For(ctx))
	assert.Equal(t, 1, alpha.scopes)
	if _, ok := b.FromContext(ctx); ok {
		t.Fatal("beta sees alpha's value: keys collide")
	}
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, `source "beta" is not registered`) || !strings.Contains(msg, "run make generate") {
			t.Fatalf("panic message does not name the source and the fix: %q", msg)
		}
	}()
	b.For(ctx)
}
