package prefetch

import (
	"context"
	"encoding/json"
	"math"

	"github.com/99designs/gqlgen/graphql"
)

// IntArg returns the Int argument name of field f with the operation's
// variables applied, or def when the query leaves it out. ok is false when
// the value is not an integer that fits an int; the resolver, which
// validates its arguments, reports that.
func IntArg(ctx context.Context, f graphql.CollectedField, name string, def int) (n int, ok bool) {
	var vars map[string]any
	if oc := graphql.GetOperationContext(ctx); oc != nil {
		vars = oc.Variables
	}
	v, present := f.ArgumentMap(vars)[name]
	if !present || v == nil {
		return def, true
	}
	switch x := v.(type) {
	case int:
		return x, true
	case int64:
		if x < math.MinInt32 || x > math.MaxInt32 {
			return 0, false
		}
		return int(x), true
	case float64:
		if x != math.Trunc(x) || x < math.MinInt32 || x > math.MaxInt32 {
			return 0, false
		}
		return int(x), true
	case json.Number:
		i, err := x.Int64()
		if err != nil || i < math.MinInt32 || i > math.MaxInt32 {
			return 0, false
		}
		return int(i), true
	}
	return 0, false
}
