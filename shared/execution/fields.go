package execution

import (
	"context"
	"sync"
	"unsafe"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Fields is a handler extension that gives each operation the cache
// CollectFields reads.
func Fields() graphql.HandlerExtension { return fieldsExtension{} }

// fieldsStat is the name under which an operation's stats carry its
// collected fields.
const fieldsStat = "tandem.fields"

type fieldsExtension struct{}

var (
	_ graphql.HandlerExtension        = fieldsExtension{}
	_ graphql.OperationContextMutator = fieldsExtension{}
)

func (fieldsExtension) ExtensionName() string                   { return "TandemFields" }
func (fieldsExtension) Validate(graphql.ExecutableSchema) error { return nil }

func (fieldsExtension) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	oc.Stats.SetExtension(fieldsStat, &fieldsCache{m: map[fieldsKey][]graphql.CollectedField{}})
	return nil
}

// fieldsCache is an operation's collected fields by selection set and
// implemented types, keyed by the slices' own arrays: gqlgen's cache keys
// them by a hash of the type names, which allocates a hasher for every
// object of a response.
type fieldsCache struct {
	mu sync.RWMutex
	m  map[fieldsKey][]graphql.CollectedField
}

type fieldsKey struct {
	sel       *ast.Selection
	n         int
	satisfies *string
}

// CollectFields is graphql.CollectFields for the generated executor: the
// same fields (gqlgen collects them on the first call of each selection
// set and type), looked up without an allocation in an operation that has
// the Fields extension's cache.
func CollectFields(oc *graphql.OperationContext, sel ast.SelectionSet, satisfies []string) []graphql.CollectedField {
	c, _ := oc.Stats.GetExtension(fieldsStat).(*fieldsCache)
	if c == nil || len(sel) == 0 || len(satisfies) == 0 {
		return graphql.CollectFields(oc, sel, satisfies)
	}
	k := fieldsKey{sel: unsafe.SliceData(sel), n: len(sel), satisfies: unsafe.SliceData(satisfies)}
	c.mu.RLock()
	fields, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return fields
	}
	fields = graphql.CollectFields(oc, sel, satisfies)
	c.mu.Lock()
	c.m[k] = fields
	c.mu.Unlock()
	return fields
}
