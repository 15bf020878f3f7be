package upstream

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tandemgw/tandem/shared/errcode"
)

func TestCheckIdempotencyKey(t *testing.T) {
	for _, ok := range []string{"k", "3f1c2b7e-9d5a-4c1e-8b0a-2f6d9e4c1a7b", strings.Repeat("x", 200)} {
		assert.NoError(t, CheckIdempotencyKey("idempotencyKey", ok, 200), ok)
	}
	for _, bad := range []string{"", "a\nb", "a\rb", "a b", "a\x00b", "clé", strings.Repeat("x", 201)} {
		err := CheckIdempotencyKey("idempotencyKey", bad, 200)
		var ie *InputError
		require.ErrorAs(t, err, &ie, "%q", bad)
		assert.Equal(t, "idempotencyKey must be 1 to 200 visible ASCII characters", err.Error())
	}
	assert.Error(t, CheckIdempotencyKey("k", strings.Repeat("x", 256), 0), "max defaults to the services' 255")
	assert.Error(t, CheckIdempotencyKey("k", strings.Repeat("x", 256), 1000), "never above the services' 255")
}

func TestCheckIDAndHeaderValue(t *testing.T) {
	assert.NoError(t, CheckID("id", "prd_000042"))
	assert.NoError(t, CheckID("id", "../x y")) // escaped as a path segment; only batch-breaking input is refused
	for _, bad := range []string{"", "a,b", "a\nb", "a\u0085b", strings.Repeat("x", MaxID+1)} {
		assert.Error(t, CheckID("id", bad), "%q", bad)
	}
	assert.NoError(t, CheckHeaderValue("X", "a b\tc"))
	assert.Error(t, CheckHeaderValue("X", "a\nb"))
	assert.Error(t, CheckHeaderValue("X", "a\x00b"))
}

// TestBatchNeverSendsIDsThatBreakIt: an id with a comma would split into
// two ids in the batch query; it fails alone, as the caller's input, and
// the others are loaded.
func TestBatchNeverSendsIDsThatBreakIt(t *testing.T) {
	var seen atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen.Store(r.URL.Query().Get("ids"))
		fmt.Fprint(w, `{"items":[{"id":"a"},{"id":"b"}],"missing":[]}`)
	}))
	defer srv.Close()
	c := newClient(t, srv, Config{})
	m, err := GetBatch(context.Background(), c, "/items", "ids", []string{"a", "x,y", "b", ""}, 10, func(it item) string { return it.ID })
	var keyErrs KeyErrors[string]
	require.ErrorAs(t, err, &keyErrs)
	assert.Len(t, keyErrs, 2)
	assert.Equal(t, errcode.BadUserInput, CodeOf(keyErrs["x,y"]))
	assert.Equal(t, errcode.BadUserInput, CodeOf(keyErrs[""]))
	assert.Len(t, m, 2)
	assert.Equal(t, "a,b", seen.Load())

	m, err = GetBatch(context.Background(), c, "/items", "ids", []string{"a", "b"}, 10, func(it item) string { return it.ID })
	require.NoError(t, err)
	assert.Len(t, m, 2)
}
