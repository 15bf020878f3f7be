package connector

import (
	"context"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/tandemgw/tandem/shared/prefetch"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/upstream"
)

// Conn is what a generated fetch function calls its source through: the
// source's client of its kind (the other is nil) and its configuration
// (MaxBatch, MaxConcurrent).
type Conn struct {
	REST   *upstream.REST
	GRPC   *upstream.GRPC
	Config upstream.Config
	// Query is added to every REST call made through this Conn: an
	// endpoint's brief view (Spec.Brief) when the query lets it.
	Query url.Values
}

// Connected is implemented by every source instance the generated
// resolvers can call: the instances Source builds, and hand-written
// sources that directives also read.
type Connected interface {
	Conn() Conn
}

// Source is the registry entry of a backend served only through
// directives (declared with @source in the schema). Its per-request state
// lives with the endpoints that read it, so its request scope is empty.
func Source(id string, kind registry.Kind, defaultAddress string) registry.Source {
	return registry.Source{
		ID:             id,
		Kind:           kind,
		DefaultAddress: defaultAddress,
		New: func(_ context.Context, cfg upstream.Config, deps registry.Deps) (registry.Instance, error) {
			cfg = cfg.WithDefaults()
			s := &source{conn: Conn{Config: cfg}}
			var err error
			switch kind {
			case registry.REST:
				s.conn.REST, err = upstream.NewREST(id, cfg, deps.UpstreamOptions()...)
			case registry.GRPC:
				s.conn.GRPC, err = upstream.DialGRPC(id, cfg, deps.UpstreamOptions()...)
			default:
				err = fmt.Errorf("unknown kind %v", kind)
			}
			if err != nil {
				return nil, err
			}
			return s, nil
		},
	}
}

// Declare is the registration of Source(id, kind, defaultAddress), in the
// form a BFF's list of sources takes.
func Declare(id string, kind registry.Kind, defaultAddress string) func(*registry.Registry) error {
	return func(r *registry.Registry) error { return r.Register(Source(id, kind, defaultAddress)) }
}

// source is the instance Source builds.
type source struct{ conn Conn }

var (
	_ Connected         = (*source)(nil)
	_ registry.Instance = (*source)(nil)
	_ registry.Closer   = (*source)(nil)
)

func (s *source) Conn() Conn           { return s.conn }
func (s *source) NewRequestScope() any { return nil }

func (s *source) Close() error {
	if s.conn.REST != nil {
		return s.conn.REST.Close()
	}
	return s.conn.GRPC.Close()
}

// Endpoint is one read a generated resolver makes: which source, and how to
// fetch the values of a set of keys with one set of argument values. Fetch
// makes one batch call (chunked by MaxBatch), or, when the backend has no
// batch endpoint, bounded concurrent calls (FanOut); keys it leaves out of
// its answer are NOT_FOUND.
type Endpoint[V any] struct {
	Source string // registry id
	Field  string // "Viewer.wishlist", or the fields that share the call: names the loader in traces and errors
	Spec   Spec   // the directive's description of the call
	Fetch  func(ctx context.Context, c Conn, keys []string, args []string) (map[string]V, error)
}

// Spec is the call of an endpoint as its directive states it. Contract
// tests hold it against the service's contract (see
// shared/sources/contracttest.EndpointMismatches).
type Spec struct {
	Get    string   // REST: one key's path template, "/users/{$parent.id}/addresses"
	Batch  string   // REST: the batch form, "/addresses?ids={$keys}"; "" when none
	Key    string   // the field of a batch item holding its key
	Method string   // gRPC: package.Service/Method
	At     []string // path to the value inside one key's answer
	// Brief is a query that asks the backend for a lighter answer, one
	// without the fields BriefOmits of the field's type ("view=basic"
	// without description and images). It is sent when the query selects
	// none of them; "" when the backend has no such view.
	Brief      string
	BriefOmits []string
}

// Described is implemented by every Endpoint: what it reads, and the Go
// type its answers decode into.
type Described interface {
	Describe() (source, field string, spec Spec, value reflect.Type)
}

// Describe implements Described.
func (e *Endpoint[V]) Describe() (string, string, Spec, reflect.Type) {
	return e.Source, e.Field, e.Spec, reflect.TypeFor[V]()
}

// loaderKey identifies one request's loader: an endpoint, its argument
// values, and whether it reads the brief view: values of the brief view
// lack fields, so they are cached apart from whole ones.
type loaderKey struct {
	endpoint any
	args     string
	brief    bool
}

// Brief reports whether a field read through e whose selection is sel
// can be read with e's brief view, the field's type losing omits in it: e
// has one, and sel may ask for none of omits (prefetch.MaySelect, which
// errs on the side of yes). Without omits a read is always whole.
func (e *Endpoint[V]) Brief(omits []string, sel ast.SelectionSet) bool {
	return e.Spec.Brief != "" && len(omits) > 0 && len(sel) > 0 && !prefetch.MaySelect(omits, sel)
}

// requestLoaders are one request's loaders of every endpoint, found by
// loaderKey without allocating: the request's hot path asks for them once
// per field of every item.
type requestLoaders struct {
	mu sync.Mutex
	m  map[loaderKey]any
}

type requestLoadersKey struct{}

func newRequestLoaders() *requestLoaders { return &requestLoaders{m: map[loaderKey]any{}} }

// loader returns the request's loader of e for args, of its brief view
// when brief.
func (e *Endpoint[V]) loader(ctx context.Context, args []string, brief bool) (*upstream.Loader[string, V], error) {
	rl, ok := registry.RequestValue(ctx, requestLoadersKey{}, newRequestLoaders)
	if !ok {
		return nil, fmt.Errorf("connector: %s reads source %q outside a request scope (registry.Set.Middleware)", e.Field, e.Source)
	}
	key := loaderKey{endpoint: e, args: strings.Join(args, "\x00"), brief: brief}
	rl.mu.Lock()
	l, found := rl.m[key]
	rl.mu.Unlock()
	if found {
		return l.(*upstream.Loader[string, V]), nil
	}
	return e.newLoader(ctx, rl, key, slices.Clone(args), brief)
}

// newLoader builds the request's loader of e under key, unless another
// goroutine of the request just did.
func (e *Endpoint[V]) newLoader(ctx context.Context, rl *requestLoaders, key loaderKey, args []string, brief bool) (*upstream.Loader[string, V], error) {
	inst, ok := registry.InstanceFor(ctx, e.Source)
	if !ok {
		return nil, fmt.Errorf("connector: %s reads source %q, which is not built for this request (registry.Set.Middleware)", e.Field, e.Source)
	}
	conn, ok := inst.(Connected)
	if !ok {
		return nil, fmt.Errorf("connector: source %q does not implement connector.Connected", e.Source)
	}
	c := conn.Conn()
	if brief {
		// The generator checked that it parses.
		c.Query, _ = url.ParseQuery(e.Spec.Brief)
	}
	l := upstream.NewLoader(e.Source, e.Field, c.Config, func(ctx context.Context, keys []string) (map[string]V, error) {
		return e.Fetch(ctx, c, keys, args)
	})
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if got, found := rl.m[key]; found {
		return got.(*upstream.Loader[string, V]), nil
	}
	rl.m[key] = l
	return l, nil
}

// Load returns the value of key, batched with the request's other reads of
// the endpoint with the same args. An empty key is a parent that refers to
// nothing (an order without a shipping address): its value is the zero
// value, null in the response, and nothing is called. ctx is the field's
// resolver's: the field's selection decides whether the brief view will
// do (Spec.BriefOmits, see Brief). Code that is not a field's resolver of
// its own (a hand-written resolver reading a source) reads the whole
// answer, since Spec.BriefOmits of a source's endpoint is empty.
func (e *Endpoint[V]) Load(ctx context.Context, key string, args ...string) (V, error) {
	return e.LoadFor(ctx, e.Spec.BriefOmits, key, args...)
}

// LoadFor is Load for a field whose type loses omits in the brief view: a
// field that reads a source's endpoint names what it needs of it.
//
// A brief read of a key the request has loaded whole, or is loading, is
// served from the whole answer, which has every field the brief one has.
// The converse never happens: a whole read does not see brief answers.
func (e *Endpoint[V]) LoadFor(ctx context.Context, omits []string, key string, args ...string) (V, error) {
	var zero V
	if key == "" {
		return zero, nil
	}
	brief := false
	if len(omits) > 0 && e.Spec.Brief != "" {
		if fc := graphql.GetFieldContext(ctx); fc != nil {
			brief = e.Brief(omits, fc.Field.Selections)
		}
	}
	l, err := e.loader(ctx, args, false)
	if err != nil {
		return zero, err
	}
	if brief && !l.Has(ctx, key) {
		if l, err = e.loader(ctx, args, true); err != nil {
			return zero, err
		}
	}
	return l.Load(ctx, key)
}

// LoadMany returns the values of keys, whole, in keys order, fetching the
// missing ones in one call at once (upstream.Loader.LoadMany).
func (e *Endpoint[V]) LoadMany(ctx context.Context, keys []string, args ...string) ([]V, []error) {
	l, err := e.loader(ctx, args, false)
	if err != nil {
		errs := make([]error, len(keys))
		for i := range errs {
			errs[i] = err
		}
		return make([]V, len(keys)), errs
	}
	return l.LoadMany(ctx, keys)
}

// Prime stores value, whole, for key unless the request has it already: a
// source's listing that answered whole objects (a search) saves the reads
// of those objects.
func (e *Endpoint[V]) Prime(ctx context.Context, key string, value V, args ...string) {
	if l, err := e.loader(ctx, args, false); err == nil {
		l.Prime(ctx, key, value)
	}
}

// Start begins one call for every key of keys the request has not loaded
// yet and returns at once; then, if not nil, gets every value found (see
// upstream.Loader.Start). A level of a response is loaded this way by the
// plan's steps (see Prefetch). sel is the field's selection, which Load
// will see too: both read the same view.
func (e *Endpoint[V]) Start(ctx context.Context, keys []string, args []string, sel ast.SelectionSet, then func(found map[string]V)) {
	e.StartFor(ctx, e.Spec.BriefOmits, keys, args, sel, then)
}

// StartFor is Start for a field whose type loses omits in the brief view
// (see LoadFor): keys the request has whole are read from there.
func (e *Endpoint[V]) StartFor(ctx context.Context, omits []string, keys []string, args []string, sel ast.SelectionSet, then func(found map[string]V)) {
	whole, err := e.loader(ctx, args, false)
	if err != nil {
		return // the resolvers' Load reports it
	}
	if slices.Contains(keys, "") {
		keys = slices.DeleteFunc(slices.Clone(keys), func(k string) bool { return k == "" })
	}
	if !e.Brief(omits, sel) {
		whole.Start(ctx, keys, then)
		return
	}
	brief, err := e.loader(ctx, args, true)
	if err != nil {
		return
	}
	var had []string // keys served by the whole answers
	if whole.Used() {
		rest := keys[:0:0]
		for _, k := range keys {
			if whole.Has(ctx, k) {
				had = append(had, k)
			} else {
				rest = append(rest, k)
			}
		}
		keys = rest
	}
	if len(had) == 0 {
		brief.Start(ctx, keys, then)
		return
	}
	brief.Start(ctx, keys, func(found map[string]V) {
		whole.Start(ctx, had, func(more map[string]V) {
			if then == nil {
				return
			}
			for k, v := range more {
				found[k] = v
			}
			then(found)
		})
	})
}

// Arg formats an argument value the same way whether it comes typed from a
// resolver's parameters or untyped from a collected field's argument map,
// so that both find the same loader.
func Arg(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case *string:
		if v == nil {
			return ""
		}
		return *v
	case int:
		return strconv.Itoa(v)
	case *int:
		if v == nil {
			return ""
		}
		return strconv.Itoa(*v)
	case int32:
		return strconv.FormatInt(int64(v), 10)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	case fmt.Stringer:
		return v.String()
	}
	return fmt.Sprint(v)
}

// CollectedArgs returns the values of the arguments names of a collected
// field, with the operation's variables and the schema's defaults applied,
// formatted by Arg: what a resolver of the field would pass to Load.
func CollectedArgs(ctx context.Context, f graphql.CollectedField, names ...string) []string {
	if len(names) == 0 {
		return nil
	}
	var vars map[string]any
	if oc := graphql.GetOperationContext(ctx); oc != nil {
		vars = oc.Variables
	}
	m := f.ArgumentMap(vars)
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = Arg(m[n])
	}
	return out
}
