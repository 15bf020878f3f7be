package resolve

import (
	"context"
	"slices"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
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
	w := selectionWalk{seen: map[*ast.FragmentDefinition]bool{}}
	// One set for every child field: a fragment looked at under one of
	// them asked for none of fields, or the walk would have stopped.
	inner := selectionWalk{seen: map[*ast.FragmentDefinition]bool{}}
	var found bool
	w.fields(fc.Field.Selections, func(f *ast.Field) {
		if f.Name != child || found {
			return
		}
		inner.fields(f.SelectionSet, func(g *ast.Field) {
			if slices.Contains(fields, g.Name) {
				found = true
			}
		})
	})
	return found
}

// selectionWalk calls visit for every field of a selection set, through
// its fragments, visiting each fragment definition once.
type selectionWalk struct {
	seen map[*ast.FragmentDefinition]bool
}

func (w selectionWalk) fields(sel ast.SelectionSet, visit func(*ast.Field)) {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			visit(s)
		case *ast.InlineFragment:
			w.fields(s.SelectionSet, visit)
		case *ast.FragmentSpread:
			if s.Definition != nil && !w.seen[s.Definition] {
				w.seen[s.Definition] = true
				w.fields(s.Definition.SelectionSet, visit)
			}
		}
	}
}
