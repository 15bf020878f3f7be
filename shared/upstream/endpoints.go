package upstream

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
)

// endpoint is one instance of an upstream: where to send (a REST base URL
// or a gRPC connection) and its outlier state.
type endpoint struct {
	name    string
	address string
	weight  int
	base    string           // REST: base URL without a trailing slash
	conn    *grpc.ClientConn // gRPC

	// guarded by endpointSet.mu
	current      int // smooth weighted round-robin credit
	consecutive  int // failed attempts in a row
	ejectedUntil time.Time

	tlsLog tlsLogState // rate-limits the TLS failure log line
}

// endpointSet picks the endpoint of each attempt: a pinned one when the
// request carries a pin for the service, otherwise by smooth weighted
// round-robin (nginx's: deterministic, and exact over every cycle) among
// the endpoints not ejected, preferring one the call has not tried yet.
// It ejects an endpoint whose attempts fail Outlier.ConsecutiveFailures
// times in a row for Outlier.EjectFor, but never more than
// Outlier.MaxEjectedPercent of them at once.
type endpointSet struct {
	service string
	cfg     Outlier
	now     func() time.Time
	obs     Observer
	eps     []*endpoint

	mu sync.Mutex
}

func newEndpointSet(service string, cfg Config, now func() time.Time, obs Observer) *endpointSet {
	s := &endpointSet{service: service, cfg: cfg.Outlier, now: now, obs: obs}
	for _, e := range cfg.endpoints() {
		s.eps = append(s.eps, &endpoint{name: e.Name, address: strings.TrimSpace(e.Address), weight: e.Weight})
	}
	return s
}

// maxEjected is how many endpoints may be ejected at once.
func (s *endpointSet) maxEjected() int { return len(s.eps) * s.cfg.MaxEjectedPercent / 100 }

// pick chooses the endpoint of the next attempt; tried are the endpoints
// this call already used. An unknown pinned endpoint is the caller's
// mistake: an InputError.
func (s *endpointSet) pick(ctx context.Context, tried []*endpoint) (*endpoint, error) {
	if name, ok := pinFromContext(ctx, s.service); ok {
		for _, e := range s.eps {
			if e.name == name {
				return e, nil
			}
		}
		return nil, &InputError{Field: "endpoint pin", Rule: "names no endpoint of " + s.service}
	}
	if len(s.eps) == 1 {
		return s.eps[0], nil
	}
	now := s.now()
	var returned []*endpoint
	s.mu.Lock()
	for _, e := range s.eps {
		if !e.ejectedUntil.IsZero() && !now.Before(e.ejectedUntil) {
			e.ejectedUntil, e.consecutive = time.Time{}, 0
			returned = append(returned, e)
		}
	}
	eligible := func(e *endpoint, fresh bool) bool {
		return e.weight > 0 && e.ejectedUntil.IsZero() && (!fresh || !slices.Contains(tried, e))
	}
	chosen := s.smoothWRR(func(e *endpoint) bool { return eligible(e, true) })
	if chosen == nil {
		chosen = s.smoothWRR(func(e *endpoint) bool { return eligible(e, false) })
	}
	if chosen == nil { // every weighted endpoint is ejected: better any than none
		chosen = s.smoothWRR(func(e *endpoint) bool { return e.weight > 0 })
	}
	s.mu.Unlock()
	for _, e := range returned {
		s.obs.EndpointReturned(s.service, e.name)
	}
	return chosen, nil
}

// smoothWRR runs one round of smooth weighted round-robin over the
// endpoints ok accepts. The caller holds mu.
func (s *endpointSet) smoothWRR(ok func(*endpoint) bool) *endpoint {
	var best *endpoint
	total := 0
	for _, e := range s.eps {
		if !ok(e) {
			continue
		}
		e.current += e.weight
		total += e.weight
		if best == nil || e.current > best.current {
			best = e
		}
	}
	if best != nil {
		best.current -= total
	}
	return best
}

// record updates e's outlier state with the outcome of an attempt that
// reached the network: healthy is false for failures that count against
// the upstream (5xx, timeouts, refused connections).
func (s *endpointSet) record(e *endpoint, healthy bool) {
	if len(s.eps) == 1 {
		return // nothing to steer to
	}
	s.mu.Lock()
	if healthy {
		e.consecutive = 0
		s.mu.Unlock()
		return
	}
	e.consecutive++
	var until time.Time
	if e.consecutive >= s.cfg.ConsecutiveFailures && e.ejectedUntil.IsZero() {
		ejected := 0
		for _, o := range s.eps {
			if !o.ejectedUntil.IsZero() {
				ejected++
			}
		}
		if ejected < s.maxEjected() {
			until = s.now().Add(s.cfg.EjectFor)
			e.ejectedUntil = until
		}
	}
	s.mu.Unlock()
	if !until.IsZero() {
		s.obs.EndpointEjected(s.service, e.name, until)
	}
}

// EndpointState is one endpoint as Snapshot shows it.
type EndpointState struct {
	Name    string
	Weight  int
	Ejected bool
}

// snapshot returns the endpoints and whether each is ejected now.
func (s *endpointSet) snapshot() []EndpointState {
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]EndpointState, len(s.eps))
	for i, e := range s.eps {
		out[i] = EndpointState{Name: e.name, Weight: e.weight, Ejected: !e.ejectedUntil.IsZero() && now.Before(e.ejectedUntil)}
	}
	return out
}

// Pins names, per source, the endpoint a request's calls must use: the
// canary-testing override that the gateway takes from a request header of
// trusted callers only.
type Pins map[string]string

type pinsKey struct{}

// WithPins returns ctx whose upstream calls go to the pinned endpoints.
// Only the edge should call it, and only for trusted callers.
func WithPins(ctx context.Context, p Pins) context.Context {
	if len(p) == 0 {
		return ctx
	}
	return context.WithValue(ctx, pinsKey{}, p)
}

func pinFromContext(ctx context.Context, service string) (string, bool) {
	p, _ := ctx.Value(pinsKey{}).(Pins)
	name, ok := p[service]
	return name, ok
}

var pinPart = regexp.MustCompile(`^([a-z][a-z0-9_]*)=([a-z0-9][a-z0-9_-]{0,31})$`)

// ParsePins reads a pin header: comma-separated source=endpoint pairs
// ("catalog=canary, pricing=canary"). At most 16 pairs.
func ParsePins(header string) (Pins, error) {
	p := Pins{}
	for part := range strings.SplitSeq(header, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		m := pinPart.FindStringSubmatch(part)
		if m == nil {
			return nil, errors.New("want comma-separated <source>=<endpoint> pairs")
		}
		p[m[1]] = m[2]
		if len(p) > 16 {
			return nil, errors.New("more than 16 pins")
		}
	}
	return p, nil
}
