package persisted

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// Store keeps APQ texts by the lowercase hex SHA-256 of the text.
// Implementations are safe for concurrent use; a store that cannot answer
// (Redis down) reports a miss and drops the write: the client then sends the
// text, which costs bytes, never a failed request.
type Store interface {
	Get(ctx context.Context, hash string) (query string, ok bool)
	Add(ctx context.Context, hash, query string)
}

// APQ is the automatic persisted queries extension (Apollo's protocol,
// extensions.persistedQuery {version: 1, sha256Hash}). It runs after the
// trusted documents extension, which it leaves alone: an operation found in
// a manifest is not stored again.
type APQ struct {
	store   Store
	lookups metric.Int64Counter
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = (*APQ)(nil)

// APQOption configures NewAPQ.
type APQOption func(*APQ)

// WithAPQMeter sets the meter of the graphql.apq counter (outcome: hit,
// miss, register). Default: a no-op meter.
func WithAPQMeter(m metric.Meter) APQOption {
	return func(a *APQ) {
		if c, err := m.Int64Counter("graphql.apq",
			metric.WithDescription("Automatic persisted query lookups by outcome (hit, miss, register)")); err == nil {
			a.lookups = c
		}
	}
}

// NewAPQ returns the extension on store.
func NewAPQ(store Store, opts ...APQOption) (*APQ, error) {
	if store == nil {
		return nil, errors.New("persisted: NewAPQ needs a store")
	}
	a := &APQ{store: store}
	for _, o := range opts {
		o(a)
	}
	if a.lookups == nil {
		a.lookups, _ = noop.NewMeterProvider().Meter("").Int64Counter("unused")
	}
	return a, nil
}

// ExtensionName implements graphql.HandlerExtension.
func (a *APQ) ExtensionName() string { return "AutomaticPersistedQueries" }

// Validate implements graphql.HandlerExtension.
func (a *APQ) Validate(graphql.ExecutableSchema) error { return nil }

// apqPending marks a text to store once the operation has validated.
type apqPending struct{ hash string }

const apqStat = "TandemAPQ"

// MutateOperationParameters answers a hash from the store, or checks a hash
// sent with its text.
func (a *APQ) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	raw, present := p.Extensions["persistedQuery"]
	if !present || raw == nil {
		return nil
	}
	if r, ok := ResolutionOf(operationContext(ctx)); ok && r.Trusted {
		return nil // found in a manifest: nothing to look up or store
	}
	pq, ok := raw.(map[string]any)
	if !ok {
		return errBadExtension("extensions.persistedQuery must be an object")
	}
	if !isVersionOne(pq["version"]) {
		return errBadExtension("extensions.persistedQuery.version must be 1")
	}
	hash, ok := pq["sha256Hash"].(string)
	if !ok || len(hash) != 64 || !isHex(hash) {
		return errBadExtension("extensions.persistedQuery.sha256Hash must be 64 hex digits")
	}
	hash = toLower(hash)
	if p.Query == "" {
		q, found := a.store.Get(ctx, hash)
		if !found {
			a.count(ctx, "miss")
			return errNotFound()
		}
		a.count(ctx, "hit")
		p.Query = q
		setResolution(ctx, Resolution{ByReference: true, Hash: hash})
		return nil
	}
	sum := sha256.Sum256([]byte(p.Query))
	if hex.EncodeToString(sum[:]) != hash {
		return errHashMismatch()
	}
	if oc := operationContext(ctx); oc != nil {
		oc.Stats.SetExtension(apqStat, apqPending{hash: hash})
	}
	return nil
}

// MutateOperationContext stores a registered text once it has parsed and
// validated, so the store never holds a document the schema refuses.
func (a *APQ) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if p, ok := oc.Stats.GetExtension(apqStat).(apqPending); ok {
		a.store.Add(ctx, p.hash, oc.RawQuery)
		a.count(ctx, "register")
	}
	return nil
}

// isVersionOne accepts 1 as encoding/json decodes it with or without
// UseNumber.
func isVersionOne(v any) bool {
	switch n := v.(type) {
	case json.Number:
		return n.String() == "1"
	case float64:
		return n == 1
	case int:
		return n == 1
	case int64:
		return n == 1
	}
	return false
}

func (a *APQ) count(ctx context.Context, outcome string) {
	a.lookups.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", outcome)))
}
