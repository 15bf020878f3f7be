package throttle

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/lexer"
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
					Extensions: map[string]any{"code": "BAD_REQUEST"},
				})
				return
			}
			if t := bytes.TrimLeft(body, " \t\r\n"); len(t) > 0 && t[0] == '[' {
				writeError(w, http.StatusBadRequest, &gqlerror.Error{
					Message:    "batched operations are not supported; send one operation per request",
					Extensions: map[string]any{"code": CodeBatchNotSupported},
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
		Extensions: map[string]any{"code": CodeOperationLimit, "limit": LimitBodyBytes, "max": maxBytes},
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
type OperationLimitsExtension struct {
	cfg                 OperationLimits
	exemptIntrospection bool
}

// OperationLimitsOption configures NewOperationLimits.
type OperationLimitsOption func(*OperationLimitsExtension)

// ExemptIntrospection lets operations that select only introspection fields
// (__schema, __type, __typename) past the shape limits; the token limit
// still applies. Meant for dev mode, where GraphiQL's schema query (depth
// 15, some 180 fields) would otherwise be refused by every sensible limit;
// outside dev the server refuses introspection anyway. Default: off.
func ExemptIntrospection(exempt bool) OperationLimitsOption {
	return func(e *OperationLimitsExtension) { e.exemptIntrospection = exempt }
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
	e := &OperationLimitsExtension{cfg: cfg}
	for _, opt := range opts {
		opt(e)
	}
	return e
}

// ExtensionName implements graphql.HandlerExtension.
func (e *OperationLimitsExtension) ExtensionName() string { return "OperationLimits" }

// Validate implements graphql.HandlerExtension.
func (e *OperationLimitsExtension) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters counts the query's tokens with gqlparser's lexer
// and stops counting one past the limit.
func (e *OperationLimitsExtension) MutateOperationParameters(_ context.Context, p *graphql.RawParams) *gqlerror.Error {
	if e.cfg.MaxTokens <= 0 {
		return nil
	}
	if n := CountTokens(p.Query, e.cfg.MaxTokens+1); n > e.cfg.MaxTokens {
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
	if opCtx.Operation == nil {
		return nil
	}
	if e.exemptIntrospection && IntrospectionOnly(opCtx.Operation.SelectionSet) {
		return nil
	}
	s := MeasureOperation(opCtx.Operation)
	checks := []struct {
		name        string
		maxV, value int
	}{
		{LimitDepth, e.cfg.MaxDepth, s.Depth},
		{LimitRootFields, e.cfg.MaxRootFields, s.RootFields},
		{LimitAliases, e.cfg.MaxAliases, s.Aliases},
		{LimitDirectivesPerField, e.cfg.MaxDirectivesPerField, s.MaxDirectives},
		{LimitFields, e.cfg.MaxFields, s.Fields},
	}
	for _, c := range checks {
		if c.maxV > 0 && c.value > c.maxV {
			return limitError(c.name, c.maxV, c.value)
		}
	}
	return nil
}

// IntrospectionOnly reports whether every root field of ss (fragments
// expanded) is an introspection field.
func IntrospectionOnly(ss ast.SelectionSet) bool {
	for _, sel := range ss {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name != "__schema" && s.Name != "__type" && s.Name != "__typename" {
				return false
			}
		case *ast.InlineFragment:
			if !IntrospectionOnly(s.SelectionSet) {
				return false
			}
		case *ast.FragmentSpread:
			if s.Definition == nil || !IntrospectionOnly(s.Definition.SelectionSet) {
				return false
			}
		}
	}
	return true
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
	m := measurer{memo: map[*ast.FragmentDefinition]Shape{}}
	return m.selection(op.SelectionSet)
}

type measurer struct {
	memo map[*ast.FragmentDefinition]Shape
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
