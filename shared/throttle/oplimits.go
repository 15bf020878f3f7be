package throttle

import (
	"bytes"
	"context"
	"errors"
	"hash/maphash"
	"io"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/introspection"
)

// BodyLimit returns HTTP middleware that refuses request bodies over
// cfg.MaxBodyBytes with 413 and an OPERATION_LIMIT_EXCEEDED error, and
// refuses batched requests (a JSON array of operations) with 400
// BATCH_NOT_SUPPORTED: gqlgen's transports execute one operation per
// request, so the gateway does not accept batches at all and has no
// operations-per-batch limit to apply. The body is read here, before gqlgen,
// so an oversized body never reaches the parser.
func BodyLimit(cfg OperationLimits) func(http.Handler) http.Handler {
	maxBytes := cfg.MaxBodyBytes
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Body == nil || r.Body == http.NoBody {
				next.ServeHTTP(w, r)
				return
			}
			if maxBytes > 0 && r.ContentLength > maxBytes {
				writeError(w, http.StatusRequestEntityTooLarge, bodyError(maxBytes, r.ContentLength))
				return
			}
			var body []byte
			var err error
			if maxBytes > 0 {
				body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, maxBytes))
			} else {
				body, err = io.ReadAll(r.Body)
			}
			if err != nil {
				var tooBig *http.MaxBytesError
				if errors.As(err, &tooBig) {
					writeError(w, http.StatusRequestEntityTooLarge, bodyError(maxBytes, -1))
					return
				}
				writeError(w, http.StatusBadRequest, &gqlerror.Error{
					Message:    "could not read the request body",
					Extensions: map[string]any{"code": string(errcode.BadRequest)},
				})
				return
			}
			if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '[' {
				writeError(w, http.StatusBadRequest, &gqlerror.Error{
					Message:    "batched operations are not supported; send one operation per request",
					Extensions: map[string]any{"code": string(errcode.BatchNotSupported)},
				})
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
			next.ServeHTTP(w, r)
		})
	}
}

func bodyError(maxBytes, actual int64) *gqlerror.Error {
	e := &gqlerror.Error{
		Message:    "request body exceeds the " + LimitBodyBytes + " limit of " + strconv.FormatInt(maxBytes, 10),
		Extensions: map[string]any{"code": string(errcode.OperationLimitExceeded), "limit": LimitBodyBytes, "max": maxBytes},
	}
	if actual >= 0 {
		e.Extensions["actual"] = actual
	}
	return e
}

// OperationLimitsExtension enforces OperationLimits inside gqlgen: the token
// count before parsing (OperationParameterMutator) and the shape limits
// after parsing and validation, before any resolver runs
// (OperationContextMutator). A rejected operation is answered with
// OPERATION_LIMIT_EXCEEDED and never executes.
//
// Both are computed once per distinct document: the token count is
// remembered by a hash of the query text, the shape by the parsed
// operation (the server's query cache hands every request with the same
// text the same one).
type OperationLimitsExtension struct {
	cfg                 OperationLimits
	exemptIntrospection bool
	cacheSize           int

	seed   maphash.Seed
	tokens *lru.Cache[uint64, int] // token count (at most MaxTokens+1) by query text hash
	shapes *lru.Cache[*ast.OperationDefinition, operationInfo]
}

// operationInfo is what the extension remembers of one operation.
type operationInfo struct {
	shape Shape
	use   introspection.Use // only computed when introspection is exempt
}

// Limits on introspection operations in dev mode (ExemptIntrospection):
// GraphiQL's schema query (graphql-js getIntrospectionQuery with every
// option and nine levels of ofType) has depth 15 and 227 fields, over the
// depth limit of both BFFs and the field limit of bff-mobile. An
// introspection operation may go up to these when the configured limit is
// lower; every other limit applies as configured.
const (
	IntrospectionMaxDepth  = 15
	IntrospectionMaxFields = 300
)

// OperationLimitsOption configures NewOperationLimits.
type OperationLimitsOption func(*OperationLimitsExtension)

// ExemptIntrospection lets introspection operations (__schema or __type,
// and otherwise only __typename: introspection.Only) go up to
// IntrospectionMaxDepth and IntrospectionMaxFields; the token, root field,
// alias and directive limits apply to them unchanged, and __typename alone
// is not introspection. Meant for dev mode, where GraphiQL's schema query
// would otherwise be refused; outside dev the server refuses
// introspection. Default: off.
func ExemptIntrospection(exempt bool) OperationLimitsOption {
	return func(e *OperationLimitsExtension) { e.exemptIntrospection = exempt }
}

// WithLimitsCacheSize sets how many documents' token counts and
// operations' shapes are remembered. Zero or less means
// DefaultDocumentCacheSize.
func WithLimitsCacheSize(n int) OperationLimitsOption {
	return func(e *OperationLimitsExtension) { e.cacheSize = n }
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = (*OperationLimitsExtension)(nil)

// NewOperationLimits returns the extension for cfg. MaxBodyBytes is enforced
// by BodyLimit, not here.
func NewOperationLimits(cfg OperationLimits, opts ...OperationLimitsOption) graphql.HandlerExtension {
	registerErrorKinds()
	e := &OperationLimitsExtension{cfg: cfg, seed: maphash.MakeSeed()}
	for _, opt := range opts {
		opt(e)
	}
	if e.cacheSize <= 0 {
		e.cacheSize = DefaultDocumentCacheSize
	}
	// New fails only on a size <= 0.
	e.tokens, _ = lru.New[uint64, int](e.cacheSize)
	e.shapes, _ = lru.New[*ast.OperationDefinition, operationInfo](e.cacheSize)
	return e
}

// ExtensionName implements graphql.HandlerExtension.
func (e *OperationLimitsExtension) ExtensionName() string { return "OperationLimits" }

// Validate implements graphql.HandlerExtension.
func (e *OperationLimitsExtension) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters counts the query's tokens with gqlparser's lexer
// and stops counting one past the limit. The count is remembered by a
// seeded hash of the text: a repeated query is hashed, not lexed.
func (e *OperationLimitsExtension) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	if e.cfg.MaxTokens <= 0 {
		return nil
	}
	h := maphash.String(e.seed, p.Query)
	n, ok := e.tokens.Get(h)
	if !ok {
		n = CountTokens(p.Query, e.cfg.MaxTokens+1)
		e.tokens.Add(h, n)
	}
	if n > e.cfg.MaxTokens {
		return limitError(LimitTokens, e.cfg.MaxTokens, n)
	}
	return nil
}

// CountTokens returns the number of lexical tokens in query (comments are
// not tokens), counting at most stopAt (0: no stop). A lexical error ends
// the count; the parser reports it.
func CountTokens(query string, stopAt int) int {
	lx := lexer.New(&ast.Source{Input: query})
	n := 0
	for stopAt <= 0 || n < stopAt {
		tok, err := lx.ReadToken()
		if err != nil || tok.Kind == lexer.EOF {
			break
		}
		if tok.Kind != lexer.Comment {
			n++
		}
	}
	return n
}

// MutateOperationContext checks depth, aliases, root fields, directives per
// field and total fields of the operation to be executed.
func (e *OperationLimitsExtension) MutateOperationContext(_ context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Operation
	if op == nil {
		return nil
	}
	info, ok := e.shapes.Get(op)
	if !ok {
		info.shape = MeasureOperation(op)
		if e.exemptIntrospection {
			info.use = introspection.Classify(op)
		}
		e.shapes.Add(op, info)
	}
	limits := e.cfg
	if e.exemptIntrospection && info.use == introspection.Only {
		limits = introspectionLimits(limits)
	}
	s := info.shape
	checks := []struct {
		name        string
		maxV, value int
	}{
		{LimitDepth, limits.MaxDepth, s.Depth},
		{LimitRootFields, limits.MaxRootFields, s.RootFields},
		{LimitAliases, limits.MaxAliases, s.Aliases},
		{LimitDirectivesPerField, limits.MaxDirectivesPerField, s.MaxDirectives},
		{LimitFields, limits.MaxFields, s.Fields},
	}
	for _, c := range checks {
		if c.maxV > 0 && c.value > c.maxV {
			return limitError(c.name, c.maxV, c.value)
		}
	}
	return nil
}

// introspectionLimits raises the depth and field limits of l (those in
// force, not those disabled) to what an introspection operation may use.
func introspectionLimits(l OperationLimits) OperationLimits {
	if l.MaxDepth > 0 {
		l.MaxDepth = max(l.MaxDepth, IntrospectionMaxDepth)
	}
	if l.MaxFields > 0 {
		l.MaxFields = max(l.MaxFields, IntrospectionMaxFields)
	}
	return l
}

// Shape is what MeasureOperation finds in an operation, with fragments
// expanded where they are spread.
type Shape struct {
	Depth         int // deepest field nesting; a root field is 1
	Fields        int // all fields
	Aliases       int // aliased fields
	RootFields    int // fields of the root selection set
	MaxDirectives int // most directives on one field
}

// MeasureOperation measures op. Each fragment is measured once and reused
// wherever it is spread, so the work is linear in the document's size even
// for "fragment bomb" documents whose expansion is exponential (counts
// saturate instead of overflowing). op must have passed validation (no
// fragment cycles).
func MeasureOperation(op *ast.OperationDefinition) Shape {
	s, _ := measure(op)
	return s
}

// measure is MeasureOperation that also returns the number of selections
// it visited (for the tests that hold it to the document's size).
func measure(op *ast.OperationDefinition) (Shape, int) {
	m := measurer{memo: map[*ast.FragmentDefinition]Shape{}}
	s := m.selection(op.SelectionSet)
	return s, m.steps
}

type measurer struct {
	memo  map[*ast.FragmentDefinition]Shape
	steps int
}

// selection returns the shape of a selection set; RootFields is the number
// of fields directly in it (fragments expanded).
func (m *measurer) selection(ss ast.SelectionSet) Shape {
	var out Shape
	merge := func(s Shape) {
		out.Depth = max(out.Depth, s.Depth)
		out.Fields = satAdd(out.Fields, s.Fields)
		out.Aliases = satAdd(out.Aliases, s.Aliases)
		out.RootFields = satAdd(out.RootFields, s.RootFields)
		out.MaxDirectives = max(out.MaxDirectives, s.MaxDirectives)
	}
	for _, sel := range ss {
		m.steps++
		switch s := sel.(type) {
		case *ast.Field:
			sub := m.selection(s.SelectionSet)
			f := Shape{
				Depth:         sub.Depth + 1,
				Fields:        satAdd(sub.Fields, 1),
				Aliases:       sub.Aliases,
				RootFields:    1,
				MaxDirectives: max(sub.MaxDirectives, len(s.Directives)),
			}
			if s.Alias != "" && s.Alias != s.Name {
				f.Aliases = satAdd(f.Aliases, 1)
			}
			merge(f)
		case *ast.InlineFragment:
			merge(m.selection(s.SelectionSet))
		case *ast.FragmentSpread:
			if s.Definition == nil {
				continue
			}
			fs, ok := m.memo[s.Definition]
			if !ok {
				m.memo[s.Definition] = Shape{} // cycle guard; validation forbids cycles
				fs = m.selection(s.Definition.SelectionSet)
				m.memo[s.Definition] = fs
			}
			merge(fs)
		}
	}
	return out
}
