package prefetch

import (
	"slices"

	"github.com/vektah/gqlparser/v2/ast"
)

// EachField calls visit for every field of sel, looking through inline
// fragments and fragment spreads, until visit returns false. Each
// fragment definition is looked at once, so the walk is linear in the
// document however often its fragments are spread. It reads no type
// condition and no @skip, @include or @defer: it sees every field the
// query may ask for here.
func EachField(sel ast.SelectionSet, visit func(*ast.Field) bool) {
	w := fieldWalk{visit: visit}
	w.walk(sel)
}

// MaySelect reports whether any of sets may ask, directly or through its
// fragments, for a field named one of names: the test a source makes
// before it answers more cheaply without those fields (a catalog summary
// without descriptions and images). It errs on the side of yes, as
// EachField does, and an unresolved fragment spread counts as yes. The
// sets share one walk, so a fragment spread in several of them is looked
// at once.
func MaySelect(names []string, sets ...ast.SelectionSet) bool {
	found := false
	w := fieldWalk{
		visit: func(f *ast.Field) bool {
			found = slices.Contains(names, f.Name)
			return !found
		},
		unresolved: func() bool { found = true; return false },
	}
	for _, s := range sets {
		if !w.walk(s) {
			break
		}
	}
	return found
}

// fieldWalk is one walk over fields through fragments.
type fieldWalk struct {
	visit func(*ast.Field) bool
	// unresolved is called for a spread without its definition; nil:
	// skip it.
	unresolved func() bool
	seen       map[*ast.FragmentDefinition]bool
}

// walk visits sel's fields and reports whether to go on.
func (w *fieldWalk) walk(sel ast.SelectionSet) bool {
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			if !w.visit(s) {
				return false
			}
		case *ast.InlineFragment:
			if !w.walk(s.SelectionSet) {
				return false
			}
		case *ast.FragmentSpread:
			if s.Definition == nil {
				if w.unresolved != nil && !w.unresolved() {
					return false
				}
				continue
			}
			if w.seen[s.Definition] {
				continue
			}
			if w.seen == nil {
				w.seen = map[*ast.FragmentDefinition]bool{}
			}
			w.seen[s.Definition] = true
			if !w.walk(s.Definition.SelectionSet) {
				return false
			}
		}
	}
	return true
}
