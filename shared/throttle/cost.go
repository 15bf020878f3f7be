package throttle

import (
	"encoding/json"
	"math"
	"strconv"

	"github.com/vektah/gqlparser/v2/ast"
)

// costCap bounds every cost so that fragment and list multiplication can
// never overflow; anything at the cap is far over any ceiling.
const costCap = 1 << 40

func satAdd(a, b int) int { return min(a+b, costCap) }

func satMul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > costCap/b {
		return costCap
	}
	return min(a*b, costCap)
}

// Calculator computes the static cost of operations against one schema,
// following the IBM GraphQL cost directive specification the way Apollo
// Router and GraphQL Hive apply it:
//
//   - a field costs its @cost weight, else its type's @cost weight, else 1
//     for object, interface and union types and 0 for scalars and enums
//     (a mutation root field without @cost costs MutationWeight);
//   - arguments (and input object fields inside them) with @cost add their
//     weight when given;
//   - a list field multiplies its own weight and its selection's cost by its
//     size: the largest given @listSize slicing argument (variables
//     resolved), else assumedSize, else DefaultListSize; a field with
//     @listSize(sizedFields:) passes that size to the named child fields
//     (connections: `edges`, `nodes`) instead of multiplying itself;
//   - on an interface or union, fragments on different concrete types are
//     alternatives: the most expensive one counts.
//
// @skip and @include are ignored for the requested cost (the worst case
// counts). The operation must have passed validation. Calculator is
// immutable and safe for concurrent use.
type Calculator struct {
	schema          *ast.Schema
	defaultListSize int
	mutationWeight  int
	fields          map[*ast.FieldDefinition]*fieldCost
	typeWeight      map[string]int
}

type fieldCost struct {
	weight    int  // own weight (before list multiplication)
	hasWeight bool // @cost on the field itself
	list      bool
	named     string
	argWeight map[string]int // @cost on arguments
	sliceArgs []string
	assumed   int // -1: none
	sized     []string
	hasSize   bool // @listSize present
}

// NewCalculator indexes schema's @cost and @listSize directives. Zero
// defaultListSize and mutationWeight mean 10.
func NewCalculator(schema *ast.Schema, cfg CostConfig) *Calculator {
	c := &Calculator{
		schema:          schema,
		defaultListSize: cfg.DefaultListSize,
		mutationWeight:  cfg.MutationWeight,
		fields:          make(map[*ast.FieldDefinition]*fieldCost),
		typeWeight:      make(map[string]int, len(schema.Types)),
	}
	if c.defaultListSize <= 0 {
		c.defaultListSize = 10
	}
	if c.mutationWeight <= 0 {
		c.mutationWeight = 10
	}
	for name, def := range schema.Types {
		w, ok := directiveInt(def.Directives, "cost", "weight")
		if !ok {
			w = 0
			if def.IsCompositeType() {
				w = 1
			}
		}
		c.typeWeight[name] = w
	}
	for _, def := range schema.Types {
		for _, f := range def.Fields {
			c.fields[f] = c.index(f)
		}
	}
	return c
}

func (c *Calculator) index(f *ast.FieldDefinition) *fieldCost {
	fc := &fieldCost{named: f.Type.Name(), list: isList(f.Type), assumed: -1}
	if w, ok := directiveInt(f.Directives, "cost", "weight"); ok {
		fc.weight, fc.hasWeight = w, true
	} else {
		fc.weight = c.typeWeight[fc.named]
	}
	for _, a := range f.Arguments {
		if w, ok := directiveInt(a.Directives, "cost", "weight"); ok {
			if fc.argWeight == nil {
				fc.argWeight = map[string]int{}
			}
			fc.argWeight[a.Name] = w
		}
	}
	if d := f.Directives.ForName("listSize"); d != nil {
		fc.hasSize = true
		if v, ok := directiveInt(f.Directives, "listSize", "assumedSize"); ok {
			fc.assumed = v
		}
		fc.sliceArgs = directiveStrings(d, "slicingArguments")
		fc.sized = directiveStrings(d, "sizedFields")
	}
	return fc
}

func (c *Calculator) info(f *ast.FieldDefinition) *fieldCost {
	if fc, ok := c.fields[f]; ok {
		return fc
	}
	return c.index(f) // e.g. __typename, which validation synthesises
}

// Cost returns the requested (static, worst-case) cost of op.
func (c *Calculator) Cost(op *ast.OperationDefinition, vars map[string]any) int {
	w := walker{c: c, vars: vars, memo: map[memoKey]int{}}
	root := c.rootType(op)
	if root == nil {
		return 0
	}
	return w.selection(root, op.SelectionSet, nil, op.Operation == ast.Mutation)
}

func (c *Calculator) rootType(op *ast.OperationDefinition) *ast.Definition {
	switch op.Operation {
	case ast.Mutation:
		return c.schema.Mutation
	case ast.Subscription:
		return c.schema.Subscription
	default:
		return c.schema.Query
	}
}

// sizing carries a connection's size to its sizedFields children.
type sizing struct {
	fields []string
	size   int
	owner  *ast.Field
}

func (s *sizing) sizeFor(name string) (int, bool) {
	if s == nil {
		return 0, false
	}
	for _, f := range s.fields {
		if f == name {
			return s.size, true
		}
	}
	return 0, false
}

type memoKey struct {
	frag  *ast.FragmentDefinition
	owner *ast.Field
}

type walker struct {
	c    *Calculator
	vars map[string]any
	memo map[memoKey]int
}

func (w *walker) selection(parent *ast.Definition, ss ast.SelectionSet, sz *sizing, mutationRoot bool) int {
	common := 0
	var groups map[string]int
	add := func(typeCond string, cost int) {
		if !parent.IsAbstractType() || typeCond == "" || typeCond == parent.Name || w.c.schema.Types[typeCond].IsAbstractType() {
			common = satAdd(common, cost)
			return
		}
		if groups == nil {
			groups = map[string]int{}
		}
		groups[typeCond] = satAdd(groups[typeCond], cost)
	}
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			common = satAdd(common, w.field(s, sz, mutationRoot))
		case *ast.InlineFragment:
			def := parent
			if s.TypeCondition != "" {
				def = w.c.schema.Types[s.TypeCondition]
			}
			add(s.TypeCondition, w.selection(def, s.SelectionSet, sz, mutationRoot))
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			add(s.Definition.TypeCondition, w.fragment(s.Definition, sz, mutationRoot))
		}
	}
	best := 0
	for _, g := range groups {
		best = max(best, g)
	}
	return satAdd(common, best)
}

// fragment memoises a fragment's cost per sizing context, so a document
// that spreads one fragment many times is costed in linear time.
func (w *walker) fragment(f *ast.FragmentDefinition, sz *sizing, mutationRoot bool) int {
	k := memoKey{frag: f}
	if sz != nil {
		k.owner = sz.owner
	}
	if v, ok := w.memo[k]; ok {
		return v
	}
	w.memo[k] = costCap // a cycle (impossible after validation) costs the cap
	v := w.selection(w.c.schema.Types[f.TypeCondition], f.SelectionSet, sz, mutationRoot)
	w.memo[k] = v
	return v
}

func (w *walker) field(f *ast.Field, sz *sizing, mutationRoot bool) int {
	if f.Definition == nil {
		return 0
	}
	fc := w.c.info(f.Definition)
	weight := fc.weight
	if mutationRoot && !fc.hasWeight {
		weight = w.c.mutationWeight
	}
	cost := w.args(f, fc)

	size, sized := sz.sizeFor(f.Name)
	if !sized && fc.list {
		size = w.listSize(f, fc)
	}
	var child *sizing
	if fc.hasSize && len(fc.sized) > 0 {
		child = &sizing{fields: fc.sized, size: w.listSize(f, fc), owner: f}
	}
	sub := 0
	if len(f.SelectionSet) > 0 {
		sub = w.selection(w.c.schema.Types[fc.named], f.SelectionSet, child, false)
	}
	if fc.list || sized {
		return satAdd(cost, satMul(size, satAdd(weight, sub)))
	}
	return satAdd(cost, satAdd(weight, sub))
}

func (w *walker) listSize(f *ast.Field, fc *fieldCost) int {
	best, found := 0, false
	for _, name := range fc.sliceArgs {
		a := f.Arguments.ForName(name)
		if a == nil {
			continue
		}
		v, err := a.Value.Value(w.vars)
		if err != nil {
			continue
		}
		if n, ok := toInt(v); ok {
			best, found = max(best, n), true
		}
	}
	switch {
	case found:
		return max(best, 0)
	case fc.assumed >= 0:
		return fc.assumed
	default:
		return w.c.defaultListSize
	}
}

func (w *walker) args(f *ast.Field, fc *fieldCost) int {
	cost := 0
	for _, a := range f.Arguments {
		ad := f.Definition.Arguments.ForName(a.Name)
		if ad == nil {
			continue
		}
		v, err := a.Value.Value(w.vars)
		if err != nil || v == nil {
			continue
		}
		cost = satAdd(cost, fc.argWeight[a.Name])
		cost = satAdd(cost, w.inputCost(ad.Type, v))
	}
	return cost
}

// inputCost adds the @cost weights of input object fields present in v.
func (w *walker) inputCost(t *ast.Type, v any) int {
	def := w.c.schema.Types[t.Name()]
	if def == nil || def.Kind != ast.InputObject {
		return 0
	}
	cost := 0
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			cost = satAdd(cost, w.inputCost(t, e))
		}
	case map[string]any:
		for _, fd := range def.Fields {
			fv, ok := x[fd.Name]
			if !ok || fv == nil {
				continue
			}
			if wt, ok := directiveInt(fd.Directives, "cost", "weight"); ok {
				cost = satAdd(cost, wt)
			}
			cost = satAdd(cost, w.inputCost(fd.Type, fv))
		}
	}
	return cost
}

// ActualCost computes the cost of op from the data it returned: list sizes
// are the lengths of the returned lists, null objects cost nothing beyond
// their field, and on interfaces and unions the fragment matching the
// returned __typename counts (the most expensive one when __typename was
// not selected). data is the JSON "data" member of the response.
func (c *Calculator) ActualCost(op *ast.OperationDefinition, vars map[string]any, data json.RawMessage) (int, error) {
	if len(data) == 0 || string(data) == "null" {
		return 0, nil
	}
	var obj map[string]any
	if err := json.Unmarshal(data, &obj); err != nil {
		return 0, err
	}
	root := c.rootType(op)
	if root == nil {
		return 0, nil
	}
	w := walker{c: c, vars: vars}
	return w.actualSelection(root, op.SelectionSet, obj, op.Operation == ast.Mutation), nil
}

func (w *walker) actualSelection(parent *ast.Definition, ss ast.SelectionSet, obj map[string]any, mutationRoot bool) int {
	concrete := ""
	if !parent.IsAbstractType() {
		concrete = parent.Name
	} else if tn, ok := obj["__typename"].(string); ok {
		concrete = tn
	}
	common := 0
	var groups map[string]int
	add := func(typeCond string, cost int) {
		if concrete != "" || typeCond == "" || typeCond == parent.Name {
			common = satAdd(common, cost)
			return
		}
		if groups == nil {
			groups = map[string]int{}
		}
		groups[typeCond] = satAdd(groups[typeCond], cost)
	}
	applies := func(typeCond string) bool {
		if concrete == "" || typeCond == "" || typeCond == concrete {
			return true
		}
		cond := w.c.schema.Types[typeCond]
		if cond == nil || !cond.IsAbstractType() {
			return false
		}
		for _, p := range w.c.schema.GetPossibleTypes(cond) {
			if p.Name == concrete {
				return true
			}
		}
		return false
	}
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			common = satAdd(common, w.actualField(s, obj, mutationRoot))
		case *ast.InlineFragment:
			if !applies(s.TypeCondition) {
				continue
			}
			def := parent
			if s.TypeCondition != "" {
				def = w.c.schema.Types[s.TypeCondition]
			}
			add(s.TypeCondition, w.actualSelection(def, s.SelectionSet, obj, mutationRoot))
		case *ast.FragmentSpread:
			if s.Definition == nil || !applies(s.Definition.TypeCondition) {
				continue
			}
			add(s.Definition.TypeCondition, w.actualSelection(w.c.schema.Types[s.Definition.TypeCondition], s.Definition.SelectionSet, obj, mutationRoot))
		}
	}
	best := 0
	for _, g := range groups {
		best = max(best, g)
	}
	return satAdd(common, best)
}

func (w *walker) actualField(f *ast.Field, obj map[string]any, mutationRoot bool) int {
	if f.Definition == nil {
		return 0
	}
	key := f.Alias
	if key == "" {
		key = f.Name
	}
	v, ok := obj[key]
	if !ok {
		return 0 // skipped, or not reached
	}
	fc := w.c.info(f.Definition)
	weight := fc.weight
	if mutationRoot && !fc.hasWeight {
		weight = w.c.mutationWeight
	}
	cost := w.args(f, fc)
	named := w.c.schema.Types[fc.named]
	var one func(v any) int
	one = func(v any) int {
		switch x := v.(type) {
		case nil:
			return 0
		case []any:
			n := 0
			for _, e := range x {
				n = satAdd(n, one(e))
			}
			return n
		case map[string]any:
			return satAdd(weight, w.actualSelection(named, f.SelectionSet, x, false))
		default:
			return weight
		}
	}
	if v == nil && !fc.list {
		return satAdd(cost, weight) // the resolver ran and returned null
	}
	return satAdd(cost, one(v))
}

func isList(t *ast.Type) bool {
	for ; t != nil; t = t.Elem {
		if t.Elem != nil {
			return true
		}
	}
	return false
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int32:
		return int(n), true
	case int64:
		return int(min(n, costCap)), true
	case float64:
		if n != n || n > costCap {
			return costCap, true
		}
		return int(math.Trunc(n)), true
	case json.Number:
		i, err := n.Int64()
		return int(min(i, costCap)), err == nil
	case string:
		i, err := strconv.Atoi(n)
		return i, err == nil
	}
	return 0, false
}

func directiveInt(dl ast.DirectiveList, dir, arg string) (int, bool) {
	d := dl.ForName(dir)
	if d == nil {
		return 0, false
	}
	a := d.Arguments.ForName(arg)
	if a == nil || a.Value == nil {
		return 0, false
	}
	n, err := strconv.Atoi(a.Value.Raw)
	return n, err == nil
}

func directiveStrings(d *ast.Directive, arg string) []string {
	a := d.Arguments.ForName(arg)
	if a == nil || a.Value == nil {
		return nil
	}
	out := make([]string, 0, len(a.Value.Children))
	for _, c := range a.Value.Children {
		out = append(out, c.Value.Raw)
	}
	return out
}
