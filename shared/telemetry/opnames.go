package telemetry

import "sync"

// Values of the graphql.operation.name metric attribute that are not a
// client's operation name.
const (
	// OperationOther stands for every name past the limit of distinct names.
	OperationOther = "other"
	// OperationAnonymous is an operation without a name.
	OperationAnonymous = "anonymous"
	// OperationUnknown is a request refused before its operation was read
	// (401, 413, 429 on the request budget, a batch).
	OperationUnknown = "unknown"
)

// DefaultOperationNameLimit is how many distinct operation names a BFF
// keeps as metric attribute values, besides the registered ones.
const DefaultOperationNameLimit = 100

// OperationNames bounds the operation name attribute of the metrics:
// operation names are chosen by clients, and every distinct value is a new
// time series. Registered names (the persisted documents a BFF knows) are
// always kept; of the others, the first limit distinct names seen are kept
// and the rest collapse to OperationOther. Safe for concurrent use.
type OperationNames struct {
	mu       sync.RWMutex
	limit    int
	known    map[string]struct{}
	seen     map[string]struct{}
	overflow bool
}

// NewOperationNames keeps up to limit names seen besides registered ones
// (limit <= 0: DefaultOperationNameLimit).
func NewOperationNames(limit int) *OperationNames {
	if limit <= 0 {
		limit = DefaultOperationNameLimit
	}
	return &OperationNames{limit: limit, known: map[string]struct{}{}, seen: map[string]struct{}{}}
}

// Register adds names that are always kept, such as the operations of a
// persisted document manifest. They do not count against the limit.
func (o *OperationNames) Register(names ...string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, n := range names {
		if n = truncate(n); n != "" {
			o.known[n] = struct{}{}
		}
	}
}

// Label returns the attribute value for an operation named name: the name
// itself when registered or among the first names seen, OperationAnonymous
// for "", OperationOther past the limit.
func (o *OperationNames) Label(name string) string {
	if name == "" {
		return OperationAnonymous
	}
	name = truncate(name)
	o.mu.RLock()
	_, known := o.known[name]
	_, seen := o.seen[name]
	full := o.overflow
	o.mu.RUnlock()
	if known || seen {
		return name
	}
	if full {
		return OperationOther
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.seen[name]; ok {
		return name
	}
	if len(o.seen) >= o.limit {
		o.overflow = true
		return OperationOther
	}
	o.seen[name] = struct{}{}
	return name
}
