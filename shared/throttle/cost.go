package throttle

import (
	"encoding/json"
	"math"
	"reflect"
	"slices"
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
	// inputWeighted holds the input object types with @cost on a field of
	// theirs or of an input object inside them: only arguments of such
	// types (or with @cost themselves) add weight.
	inputWeighted map[string]bool
}

type fieldCost struct {
	weight    int  // own weight (before list multiplication)
	hasWeight bool // @cost on the field itself
	list      bool
	named     string
	argWeight map[string]int // @cost on arguments
	argCost   bool           // some argument can add weight (argWeight, or an inputWeighted type)
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
		inputWeighted:   map[string]bool{},
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
	for name, def := range schema.Types {
		if def.Kind == ast.InputObject && inputHasCost(schema, def, map[string]bool{}) {
			c.inputWeighted[name] = true
		}
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
		if fc.argWeight != nil || c.inputWeighted[a.Type.Name()] {
			fc.argCost = true
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

// inputHasCost reports whether input object def, or an input object
// reachable through its fields, has a field with @cost.
func inputHasCost(schema *ast.Schema, def *ast.Definition, seen map[string]bool) bool {
	if seen[def.Name] {
		return false
	}
	seen[def.Name] = true
	for _, f := range def.Fields {
		if f.Directives.ForName("cost") != nil {
			return true
		}
		if inner := schema.Types[f.Type.Name()]; inner != nil && inner.Kind == ast.InputObject && inputHasCost(schema, inner, seen) {
			return true
		}
	}
	return false
}

func (c *Calculator) info(f *ast.FieldDefinition) *fieldCost {
	if fc, ok := c.fields[f]; ok {
		return fc
	}
	return c.index(f) // e.g. __typename, which validation synthesises
}

// Cost returns the requested (static, worst-case) cost of op.
func (c *Calculator) Cost(op *ast.OperationDefinition, vars map[string]any) int {
	r := c.cost(op, vars)
	return r.cost
}

// costResult is a static cost with what it depended on.
type costResult struct {
	cost int
	// vars are the variables whose values the cost depends on (slicing
	// arguments, arguments and input fields with @cost), sorted; a cost
	// with none depends on the document alone.
	vars []string
	// steps is the number of selections visited, for the tests that hold
	// the walk to the document's size.
	steps int
}

func (c *Calculator) cost(op *ast.OperationDefinition, vars map[string]any) costResult {
	root := c.rootType(op)
	if root == nil {
		return costResult{}
	}
	w := walker{c: c, vars: vars}
	cost := w.selection(root, op.SelectionSet, nil, op.Operation == ast.Mutation)
	slices.Sort(w.used)
	return costResult{cost: cost, vars: w.used, steps: w.steps}
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
	owner *fieldCost // the connection field's costs; owner.sized names the children
	size  int
}

func (s *sizing) sizeFor(name string) (int, bool) {
	if s == nil {
		return 0, false
	}
	if slices.Contains(s.owner.sized, name) {
		return s.size, true
	}
	return 0, false
}

// memoKey identifies a fragment's cost: the fragment, and the sizing in
// force where it is spread when (and only when) that sizing reaches one of
// its fields.
type memoKey struct {
	frag  *ast.FragmentDefinition
	owner *fieldCost
	size  int
}

// reachKey asks whether a fragment selects, at its own level, a field that
// owner's sizedFields name.
type reachKey struct {
	frag  *ast.FragmentDefinition
	owner *fieldCost
}

type walker struct {
	c     *Calculator
	vars  map[string]any
	memo  map[memoKey]int
	reach map[reachKey]bool
	used  []string // variables read, each once (an operation has few)
	steps int
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
		w.steps++
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

// fragment memoises a fragment's cost, so a document that spreads one
// fragment many times is costed in linear time. A connection's size
// changes a fragment's cost only when the fragment itself selects one of
// the connection's sized fields (nodes, edges); only then is the cost kept
// apart per connection field and size. A fragment of such fields spread
// under k differently sized connections is therefore costed k times; its
// nested fields' fragments are not, since sizes never pass a field.
func (w *walker) fragment(f *ast.FragmentDefinition, sz *sizing, mutationRoot bool) int {
	k := memoKey{frag: f}
	if sz != nil && w.reaches(f, sz.owner) {
		k.owner, k.size = sz.owner, sz.size
	} else {
		sz = nil
	}
	if v, ok := w.memo[k]; ok {
		return v
	}
	if w.memo == nil {
		w.memo = map[memoKey]int{}
	}
	w.memo[k] = costCap // a cycle (impossible after validation) costs the cap
	v := w.selection(w.c.schema.Types[f.TypeCondition], f.SelectionSet, sz, mutationRoot)
	w.memo[k] = v
	return v
}

// reaches reports whether fragment f selects, at its own level (through
// inline fragments and spreads, never below a field), a field that owner
// sizes. Memoised per fragment and owner, so it reads each fragment once
// per connection field definition.
func (w *walker) reaches(f *ast.FragmentDefinition, owner *fieldCost) bool {
	k := reachKey{f, owner}
	if v, ok := w.reach[k]; ok {
		return v
	}
	if w.reach == nil {
		w.reach = map[reachKey]bool{}
	}
	w.reach[k] = false // cycle guard; validation forbids cycles
	v := w.reachesIn(f.SelectionSet, owner)
	w.reach[k] = v
	return v
}

func (w *walker) reachesIn(ss ast.SelectionSet, owner *fieldCost) bool {
	for _, sel := range ss {
		w.steps++
		switch s := sel.(type) {
		case *ast.Field:
			if slices.Contains(owner.sized, s.Name) {
				return true
			}
		case *ast.InlineFragment:
			if w.reachesIn(s.SelectionSet, owner) {
				return true
			}
		case *ast.FragmentSpread:
			if s.Definition != nil && w.reaches(s.Definition, owner) {
				return true
			}
		}
	}
	return false
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
		child = &sizing{owner: fc, size: w.listSize(f, fc)}
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

// value evaluates an argument's value with the variables, noting the
// variables it reads.
func (w *walker) value(v *ast.Value) (any, error) {
	w.noteVars(v)
	return v.Value(w.vars)
}

func (w *walker) noteVars(v *ast.Value) {
	if v == nil {
		return
	}
	if v.Kind == ast.Variable {
		if !slices.Contains(w.used, v.Raw) {
			w.used = append(w.used, v.Raw)
		}
		return
	}
	for _, c := range v.Children {
		w.noteVars(c.Value)
	}
}

func (w *walker) listSize(f *ast.Field, fc *fieldCost) int {
	best, found := 0, false
	for _, name := range fc.sliceArgs {
		a := f.Arguments.ForName(name)
		if a == nil {
			continue
		}
		v, err := w.value(a.Value)
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

// args adds the @cost weights of the arguments given (and of the input
// object fields inside them). Arguments that can carry no weight are not
// evaluated, so the variables they read do not make the cost depend on
// them.
func (w *walker) args(f *ast.Field, fc *fieldCost) int {
	cost := 0
	for _, a := range f.Arguments {
		ad := f.Definition.Arguments.ForName(a.Name)
		if ad == nil {
			continue
		}
		aw, weighted := fc.argWeight[a.Name]
		if !weighted && !w.c.inputWeighted[ad.Type.Name()] {
			continue
		}
		v, err := w.value(a.Value)
		if err != nil || v == nil {
			continue
		}
		cost = satAdd(cost, aw)
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

// executedCost is what one execution of field f (the resolver ran, with
// result res and arguments args) adds to the actual cost: its arguments'
// weights, plus its weight once for a single value and once per non-null
// element of a returned list. Its children add their own as they execute,
// so a null object's children add nothing and only the fragments matching
// an object's concrete type count.
func (c *Calculator) executedCost(fc *fieldCost, weight int, f *ast.Field, vars map[string]any, res any) int {
	cost := 0
	if fc.argCost {
		w := walker{c: c, vars: vars}
		cost = w.args(f, fc)
	}
	if !fc.list {
		return satAdd(cost, weight)
	}
	return satAdd(cost, satMul(weight, countElements(reflect.ValueOf(res))))
}

// countElements counts the non-null leaves of a (possibly nested) list.
func countElements(v reflect.Value) int {
	switch v.Kind() {
	case reflect.Invalid:
		return 0
	case reflect.Pointer, reflect.Interface, reflect.Map:
		if v.IsNil() {
			return 0
		}
		if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
			return countElements(v.Elem())
		}
		return 1
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return 0
		}
		n := 0
		for i := range v.Len() {
			n = satAdd(n, countElements(v.Index(i)))
		}
		return n
	default:
		return 1
	}
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
