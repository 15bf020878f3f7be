package registry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"

	"github.com/tandemgw/tandem/shared/upstream"
)

// Kind is the protocol a source speaks.
type Kind int

// Kinds of sources.
const (
	REST Kind = iota + 1
	GRPC
)

func (k Kind) String() string {
	switch k {
	case REST:
		return "REST"
	case GRPC:
		return "gRPC"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Source describes one backend a BFF can talk to.
type Source struct {
	ID   string
	Kind Kind // REST or GRPC
	New  func(ctx context.Context, cfg upstream.Config, deps Deps) (Instance, error)
	// DefaultAddress is where the local mock of the service listens
	// (schema/README.md). WithDefaultAddresses fills it in for dev mode, so
	// a new backend needs no edit of the shared config package; outside dev
	// mode every address is configured. Optional.
	DefaultAddress string
}

// Deps are the shared collaborators every source instance receives.
type Deps struct {
	HeaderFunc        upstream.HeaderFunc // REST identity propagation (auth core)
	UnaryInterceptors []grpc.UnaryClientInterceptor
	Logger            *slog.Logger
	// TokenFunc gives upstreams with forwardToken the caller's bearer token.
	TokenFunc upstream.TokenFunc
	// TracerProvider receives the client spans of every upstream call
	// (upstream.WithTracerProvider); nil means the global provider, a no-op
	// unless tracing is set up.
	TracerProvider trace.TracerProvider
	// Propagator carries the trace context to the upstreams
	// (upstream.WithPropagator); nil means the global propagator.
	Propagator propagation.TextMapPropagator
	// Options are extra upstream options applied to every source (breaker
	// tuning, test transports); they come last and so win.
	Options []upstream.Option
}

// UpstreamOptions turns deps into the upstream options a source passes to
// upstream.NewREST or upstream.DialGRPC.
func (d Deps) UpstreamOptions() []upstream.Option {
	var opts []upstream.Option
	if d.HeaderFunc != nil {
		opts = append(opts, upstream.WithHeaderFunc(d.HeaderFunc))
	}
	if d.TokenFunc != nil {
		opts = append(opts, upstream.WithTokenFunc(d.TokenFunc))
	}
	if len(d.UnaryInterceptors) > 0 {
		opts = append(opts, upstream.WithUnaryInterceptors(d.UnaryInterceptors...))
	}
	if d.Logger != nil {
		opts = append(opts, upstream.WithLogger(d.Logger))
	}
	if d.TracerProvider != nil {
		opts = append(opts, upstream.WithTracerProvider(d.TracerProvider))
	}
	if d.Propagator != nil {
		opts = append(opts, upstream.WithPropagator(d.Propagator))
	}
	return append(opts, d.Options...)
}

// Instance is a built source. NewRequestScope returns a fresh per-request
// value of the source, its loader set; the registry calls it at most once
// per request, on the request's first use of the source (see Scoped).
type Instance interface {
	NewRequestScope() any
}

// Closer is implemented by instances holding resources (connections).
type Closer interface{ Close() error }

// Validator is implemented by instances that can check themselves right
// after construction; an error fails Build.
type Validator interface {
	Validate(ctx context.Context) error
}

// Option configures a Registry.
type Option func(*Registry)

// WithApp names the BFF binary ("bff-web") so that startup errors can say
// which source list is wrong (<bff>/graph/connectors.generated.go, generated
// by make generate). Default: messages say "this BFF" and "<bff>".
func WithApp(name string) Option { return func(r *Registry) { r.app = name } }

// Registry collects the sources one BFF uses. It is not safe for concurrent
// registration; register everything in main before Build.
type Registry struct {
	app     string
	sources []Source
	byID    map[string]int
}

// New returns an empty registry.
func New(opts ...Option) *Registry {
	r := &Registry{byID: map[string]int{}}
	for _, o := range opts {
		o(r)
	}
	return r
}

var idPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// Register adds a source. IDs are lower-case identifiers and unique.
func (r *Registry) Register(s Source) error {
	if !idPattern.MatchString(s.ID) {
		return fmt.Errorf("registry: source id %q is invalid: use lower-case letters, digits and _ (like \"catalog\")", s.ID)
	}
	if _, dup := r.byID[s.ID]; dup {
		return fmt.Errorf("registry: source %q is registered twice: a schema declares with @source a backend that also has a package under shared/sources, or a registry is built by hand (the source list is %s)", s.ID, r.sourcesPath())
	}
	if s.Kind != REST && s.Kind != GRPC {
		return fmt.Errorf("registry: source %q has no kind: set Kind to registry.REST or registry.GRPC", s.ID)
	}
	if s.New == nil {
		return fmt.Errorf("registry: source %q has no constructor: set Source.New", s.ID)
	}
	r.byID[s.ID] = len(r.sources)
	r.sources = append(r.sources, s)
	return nil
}

// IDs returns the registered source ids in registration order.
func (r *Registry) IDs() []string {
	ids := make([]string, len(r.sources))
	for i, s := range r.sources {
		ids[i] = s.ID
	}
	return ids
}

func (r *Registry) appName() string {
	if r.app == "" {
		return "this BFF"
	}
	return r.app
}

// sourcesPath is the file holding the BFF's source list, which its main,
// its startup check and its tests all read.
func (r *Registry) sourcesPath() string {
	if r.app == "" {
		return "<bff>/graph/connectors.generated.go"
	}
	return r.app + "/graph/connectors.generated.go"
}

// ConfigKey is the config key holding the address of source id.
func ConfigKey(id string) string { return "upstreams." + id + ".address" }

// EnvKey is the environment variable that sets the address of source id.
func EnvKey(id string) string { return "TANDEM_UPSTREAMS_" + strings.ToUpper(id) + "_ADDRESS" }

// MissingAddresses returns the ids of the registered sources that cfgs
// (keyed by source id) gives no address, in registration order.
func (r *Registry) MissingAddresses(cfgs map[string]upstream.Config) []string {
	var out []string
	for _, s := range r.sources {
		if !cfgs[s.ID].HasAddress() {
			out = append(out, s.ID)
		}
	}
	return out
}

// WithDefaultAddresses returns a copy of cfgs in which every registered
// source without an address has its Source.DefaultAddress, where the local
// mocks listen: the configuration of dev mode. Production configures each
// address (MissingAddresses lists what it lacks).
func (r *Registry) WithDefaultAddresses(cfgs map[string]upstream.Config) map[string]upstream.Config {
	out := make(map[string]upstream.Config, len(cfgs)+len(r.sources))
	for id, c := range cfgs {
		out[id] = c
	}
	for _, s := range r.sources {
		c := out[s.ID]
		if !c.HasAddress() && s.DefaultAddress != "" {
			c.Address = s.DefaultAddress
			out[s.ID] = c
		}
	}
	return out
}

// Build constructs every registered source from its entry in cfgs (keyed by
// source id) in registration order. A source without an address fails
// Build with an error naming the source and the config key (dev mode fills
// the defaults first: WithDefaultAddresses); on any failure the instances
// built so far are closed.
func (r *Registry) Build(ctx context.Context, cfgs map[string]upstream.Config, deps Deps) (*Set, error) {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	set := &Set{sourcesPath: r.sourcesPath(), appName: r.appName(), byID: map[string]Instance{}, index: map[string]int{}}
	for _, s := range r.sources {
		cfg := cfgs[s.ID]
		if !cfg.HasAddress() {
			_ = set.Close()
			return nil, fmt.Errorf("registry: source %q has no address: set %s in the config file or %s in the environment",
				s.ID, ConfigKey(s.ID), EnvKey(s.ID))
		}
		inst, err := s.New(ctx, cfg, deps)
		if err == nil && inst == nil {
			err = errors.New("constructor returned no instance")
		}
		if err == nil {
			if v, ok := inst.(Validator); ok {
				err = v.Validate(ctx)
				if err != nil {
					if c, ok := inst.(Closer); ok {
						_ = c.Close()
					}
				}
			}
		}
		if err != nil {
			_ = set.Close()
			return nil, fmt.Errorf("registry: source %q (%s) could not be built from %s: %w", s.ID, s.Kind, ConfigKey(s.ID), err)
		}
		set.ids = append(set.ids, s.ID)
		set.list = append(set.list, inst)
		set.byID[s.ID] = inst
		set.index[s.ID] = len(set.list) - 1
	}
	return set, nil
}

// Set is the built sources of one BFF.
type Set struct {
	appName, sourcesPath string
	ids                  []string
	list                 []Instance
	byID                 map[string]Instance
	index                map[string]int // position in list, by id
}

// Require checks that every id is built in the set; the error names the
// first missing source and the fix. BFFs call it at startup with the
// sources their resolvers use.
func (s *Set) Require(ids ...string) error {
	var errs []error
	for _, id := range ids {
		if _, ok := s.byID[id]; !ok {
			errs = append(errs, fmt.Errorf("%s needs source %q: its source list (%s) is stale, run make generate; and set %s",
				s.appName, id, s.sourcesPath, ConfigKey(id)))
		}
	}
	return errors.Join(errs...)
}

// IDs returns the ids of the built sources in registration order.
func (s *Set) IDs() []string { return append([]string(nil), s.ids...) }

// Instance returns the built instance of id.
func (s *Set) Instance(id string) (Instance, bool) {
	i, ok := s.byID[id]
	return i, ok
}

// WithRequestScope gives ctx a fresh request scope: each source's loaders
// are built on the scope's first use of the source and live as long as the
// scope. Middleware does this for HTTP requests; call it directly for work
// outside an HTTP request (tests, jobs).
func (s *Set) WithRequestScope(ctx context.Context) context.Context {
	ctx, _ = s.withRequestScope(ctx)
	return ctx
}

func (s *Set) withRequestScope(ctx context.Context) (context.Context, *requestScope) {
	rs := &requestScope{set: s, values: make([]lazyValue, len(s.list))}
	ctx = context.WithValue(ctx, requestScopeKey{}, rs)
	return upstream.WithGroup(ctx, &rs.calls), rs
}

// Middleware gives every request its own loaders of every source, so
// batching and caching never cross requests (or users), and waits for the
// calls the request's loads started in the background before it returns.
func (s *Set) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, rs := s.withRequestScope(r.Context())
		defer rs.calls.Wait()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// Close closes every instance implementing Closer, in reverse build order,
// and joins their errors.
func (s *Set) Close() error {
	if s == nil {
		return nil
	}
	var errs []error
	for i := len(s.list) - 1; i >= 0; i-- {
		if c, ok := s.list[i].(Closer); ok {
			if err := c.Close(); err != nil {
				errs = append(errs, fmt.Errorf("close source %q: %w", s.ids[i], err))
			}
		}
	}
	s.list, s.ids, s.byID, s.index = nil, nil, map[string]Instance{}, map[string]int{}
	return errors.Join(errs...)
}
