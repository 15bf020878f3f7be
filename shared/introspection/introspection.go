package introspection

import "github.com/vektah/gqlparser/v2/ast"

// Use is how an operation's root selection, fragments expanded, uses
// introspection.
type Use uint8

const (
	// None: no __schema and no __type. __typename alone is not
	// introspection: clients select it for unions and caching, and it
	// reveals nothing of the schema.
	None Use = iota
	// Mixed: __schema or __type next to data fields.
	Mixed
	// Only: __schema or __type, and otherwise only __typename.
	Only
)

func (u Use) String() string {
	switch u {
	case None:
		return "none"
	case Mixed:
		return "mixed"
	case Only:
		return "only"
	}
	return "unknown"
}

// Classify reports how op's root selection uses introspection. Each
// fragment spread at the root is read once, however often and however
// deep it is spread, so the work is linear in the size of the document.
// op must have passed validation (no fragment cycles, introspection fields
// only on the root type).
func Classify(op *ast.OperationDefinition) Use {
	u, _ := classify(op)
	return u
}

// classify is Classify that also returns the number of selections it read
// (for the tests that hold it to the document's size).
func classify(op *ast.OperationDefinition) (Use, int) {
	if op == nil {
		return None, 0
	}
	c := classifier{}
	c.selection(op.SelectionSet)
	switch {
	case !c.schema:
		return None, c.steps
	case c.data:
		return Mixed, c.steps
	default:
		return Only, c.steps
	}
}

type classifier struct {
	schema  bool // __schema or __type seen
	data    bool // a field other than __schema, __type and __typename seen
	visited map[*ast.FragmentDefinition]struct{}
	steps   int // selections read
}

// selection reads one root-level selection set. The verdict depends only
// on which field names occur at the root, so a fragment read once need
// never be read again wherever else it is spread.
func (c *classifier) selection(ss ast.SelectionSet) {
	for _, sel := range ss {
		if c.schema && c.data {
			return // Mixed; nothing can change it
		}
		c.steps++
		switch s := sel.(type) {
		case *ast.Field:
			switch s.Name {
			case "__schema", "__type":
				c.schema = true
			case "__typename":
			default:
				c.data = true
			}
		case *ast.InlineFragment:
			c.selection(s.SelectionSet)
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			if _, seen := c.visited[s.Definition]; seen {
				continue
			}
			if c.visited == nil {
				c.visited = map[*ast.FragmentDefinition]struct{}{}
			}
			c.visited[s.Definition] = struct{}{}
			c.selection(s.Definition.SelectionSet)
		}
	}
}
