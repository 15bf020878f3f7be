package resolve

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tandemgw/tandem/shared/prefetch"
)

// SelectsUnder reports whether the query asks, below the current field's
// child field child (a connection's "nodes", say), for any of fields. It
// is for sources that can answer more cheaply when some fields are not
// wanted (catalog.SearchParams.Brief).
//
// It errs on the side of yes: every fragment counts whatever its type
// condition, and @skip, @include and @defer are not read, so a field that
// may be asked for is reported. Each selection set and fragment is looked
// at once: the walk is linear in the document.
func SelectsUnder(ctx context.Context, child string, fields ...string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil {
		return true
	}
	var children []ast.SelectionSet
	prefetch.EachField(fc.Field.Selections, func(f *ast.Field) bool {
		if f.Name == child {
			children = append(children, f.SelectionSet)
		}
		return true
	})
	return prefetch.MaySelect(fields, children...)
}
