package persisted

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// Mode says what happens to an operation that is in no trusted document
// manifest.
type Mode string

const (
	// ModeEnforce refuses it with PERSISTED_QUERY_NOT_IN_LIST before it is
	// parsed: only published operations run.
	ModeEnforce Mode = "enforce"
	// ModeLog runs it, counts it (graphql.persisted.unlisted) and logs its
	// hash the first time it is seen: the step before enforcing, to learn
	// what clients send that no manifest holds.
	ModeLog Mode = "log"
	// ModeOff runs it without a trace. Manifests still answer documentId.
	ModeOff Mode = "off"
)

// Valid reports whether m is one of the modes ("" is not).
func (m Mode) Valid() bool { return m == ModeEnforce || m == ModeLog || m == ModeOff }

// seenHashes bounds the memory of ModeLog's "log each hash once".
const seenHashes = 4096

// Trusted is the trusted documents extension. It must run before the APQ
// extension and before anything that reads the query text (token limits).
type Trusted struct {
	list     *List
	mode     Mode
	logger   *slog.Logger
	unlisted metric.Int64Counter
	seen     *lru.Cache[string, struct{}]
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = (*Trusted)(nil)

// TrustedOption configures NewTrusted.
type TrustedOption func(*Trusted)

// WithTrustedLogger sets where ModeLog writes the hashes of unlisted
// operations. Default: slog.Default().
func WithTrustedLogger(l *slog.Logger) TrustedOption { return func(t *Trusted) { t.logger = l } }

// WithTrustedMeter sets the meter of the graphql.persisted.unlisted
// counter. Default: a no-op meter.
func WithTrustedMeter(m metric.Meter) TrustedOption {
	return func(t *Trusted) {
		if c, err := m.Int64Counter("graphql.persisted.unlisted",
			metric.WithDescription("Operations that are in no trusted document manifest, by mode (enforce: refused)")); err == nil {
			t.unlisted = c
		}
	}
}

// NewTrusted returns the extension for list in mode. list may be empty
// (no manifests): then ModeEnforce refuses everything.
func NewTrusted(list *List, mode Mode, opts ...TrustedOption) (*Trusted, error) {
	if !mode.Valid() {
		return nil, fmt.Errorf("persisted: trusted documents mode %q is not enforce, log or off", mode)
	}
	seen, err := lru.New[string, struct{}](seenHashes)
	if err != nil {
		return nil, err
	}
	t := &Trusted{list: list, mode: mode, logger: slog.Default(), seen: seen}
	for _, o := range opts {
		o(t)
	}
	if t.unlisted == nil {
		t.unlisted, _ = noop.NewMeterProvider().Meter("").Int64Counter("unused")
	}
	return t, nil
}

// Mode is the extension's mode.
func (t *Trusted) Mode() Mode { return t.mode }

// List is the extension's trusted documents.
func (t *Trusted) List() *List { return t.list }

// ExtensionName implements graphql.HandlerExtension.
func (t *Trusted) ExtensionName() string { return "TrustedDocuments" }

// Validate implements graphql.HandlerExtension.
func (t *Trusted) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters resolves documentId and hashes against the
// manifests and applies the mode to everything else.
func (t *Trusted) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if id, ok := DocumentIDFrom(ctx); ok {
		d, found := t.list.ByID(id)
		if !found {
			t.count(ctx, "")
			return errNotInList()
		}
		if p.Query != "" && p.Query != d.Body {
			return errHashMismatch()
		}
		p.Query = d.Body
		setResolution(ctx, Resolution{Trusted: true, ByReference: true, Hash: d.SHA256})
		return nil
	}
	hash, hasHash := requestedHash(p.Extensions)
	if p.Query == "" {
		if !hasHash {
			return nil // nothing to resolve; the executor reports the missing query
		}
		if d, found := t.list.ByHash(hash); found {
			p.Query = d.Body
			setResolution(ctx, Resolution{Trusted: true, ByReference: true, Hash: d.SHA256})
			return nil
		}
		if t.mode == ModeEnforce {
			t.count(ctx, hash)
			return errNotInList()
		}
		return nil // APQ answers it
	}
	sum := sha256.Sum256([]byte(p.Query))
	textHash := hex.EncodeToString(sum[:])
	if _, found := t.list.ByHash(textHash); found {
		if hasHash && hash != textHash {
			return errHashMismatch()
		}
		setResolution(ctx, Resolution{Trusted: true, Hash: textHash})
		return nil
	}
	switch t.mode {
	case ModeEnforce:
		t.count(ctx, textHash)
		return errNotInList()
	case ModeLog:
		t.count(ctx, textHash)
	}
	return nil
}

// count records an operation outside the manifests and, the first time a
// hash is seen, logs it (only the hash: the text is client input).
func (t *Trusted) count(ctx context.Context, hash string) {
	t.unlisted.Add(ctx, 1, metric.WithAttributes(attribute.String("mode", string(t.mode))))
	if t.mode == ModeOff || hash == "" {
		return
	}
	if ok, _ := t.seen.ContainsOrAdd(hash, struct{}{}); ok {
		return
	}
	msg := "operation not in the trusted documents"
	if t.mode == ModeEnforce {
		msg = "operation not in the trusted documents refused"
	}
	t.logger.LogAttrs(ctx, slog.LevelInfo, msg, slog.String("sha256", hash), slog.String("mode", string(t.mode)))
}

// requestedHash returns extensions.persistedQuery.sha256Hash when it is
// well-formed; a malformed extension is the APQ extension's to refuse.
func requestedHash(ext map[string]any) (string, bool) {
	pq, ok := ext["persistedQuery"].(map[string]any)
	if !ok {
		return "", false
	}
	h, ok := pq["sha256Hash"].(string)
	if !ok || len(h) != 64 || !isHex(h) {
		return "", false
	}
	return toLower(h), true
}

func toLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'F' {
			b[i] = c + ('a' - 'A')
		}
	}
	return string(b)
}
