package mocks

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
)

// FaultKind says what an injected fault does to a matching call.
type FaultKind string

// Fault kinds. Every kind first waits Latency (+ jitter), then:
const (
	// FaultLatency only delays the call; it is then answered normally.
	FaultLatency FaultKind = "latency"
	// FaultError answers an error: HTTP Status with the JSON error body
	// (REST) or gRPC Code (gRPC).
	FaultError FaultKind = "error"
	// FaultHang never answers: the call is held until the client's deadline
	// passes or it cancels (or the fault is cleared, or the cluster closes).
	FaultHang FaultKind = "hang"
	// FaultMalformed answers a body the client cannot decode. REST: 200 with
	// Content-Type application/json and truncated JSON. gRPC: an OK status
	// with a response message whose bytes are not valid protobuf, so the
	// client's decoding fails (grpc-go reports INTERNAL).
	FaultMalformed FaultKind = "malformed"
	// FaultReset drops the connection. REST: the connection is hijacked and
	// closed with SO_LINGER 0 (a TCP RST) before any response byte. gRPC:
	// the HTTP/2 transport the call arrived on is closed the same way, so
	// the call (and any other in flight on that connection) fails with
	// UNAVAILABLE and the client reconnects.
	FaultReset FaultKind = "reset"
	// FaultBarrier holds each matching call until Size calls of the same
	// Group have arrived (across routes and services), then answers all of
	// them normally. A call whose context ends first leaves the barrier.
	// Tests use it to prove calls are issued concurrently without timing.
	FaultBarrier FaultKind = "barrier"
)

// Fault is a fault injected into the calls of one route (or every route) of
// one service. Zero fields take the defaults named below.
type Fault struct {
	Kind FaultKind
	// Latency delays matching calls before the kind's effect; default 0.
	Latency time.Duration
	// Jitter adds a delay drawn uniformly from [0, Jitter) by a source with
	// a fixed seed; default 0.
	Jitter time.Duration
	// Every makes the fault fire only on every k-th matching call (the k-th,
	// 2k-th, ...), counted from when the fault was set; default 1 (every
	// call). Calls it does not fire on are answered normally.
	Every int
	// Times makes the fault fire on its first Times occasions only, then
	// answer normally ("fail once, then succeed"); default 0, no limit.
	Times int
	// Status is the HTTP status of FaultError on REST; default 503.
	Status int
	// Code is the gRPC code of FaultError on gRPC; default codes.Unavailable.
	Code codes.Code
	// Group names a FaultBarrier's group; default "<service> <route>". Faults
	// that share a group should use the same Size.
	Group string
	// Size is how many calls a FaultBarrier waits for; at least 2.
	Size int
}

// withDefaults fills the zero fields of f.
func (f Fault) withDefaults(service, route string) Fault {
	if f.Every == 0 {
		f.Every = 1
	}
	if f.Kind == FaultError {
		if f.Status == 0 {
			f.Status = 503
		}
		if f.Code == codes.OK {
			f.Code = codes.Unavailable
		}
	}
	if f.Kind == FaultBarrier && f.Group == "" {
		f.Group = strings.TrimSpace(service + " " + route)
	}
	return f
}

// Validate reports whether f can be set.
func (f Fault) Validate() error {
	switch f.Kind {
	case FaultLatency, FaultError, FaultHang, FaultMalformed, FaultReset, FaultBarrier:
	default:
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	if f.Latency < 0 || f.Jitter < 0 || f.Every < 0 || f.Times < 0 {
		return errors.New("latency, jitter, every and times must not be negative")
	}
	if f.Kind == FaultLatency && f.Latency == 0 && f.Jitter == 0 {
		return errors.New("a latency fault needs latency or jitter")
	}
	if f.Kind == FaultError {
		if f.Status != 0 && (f.Status < 400 || f.Status > 599) {
			return errors.New("status must be from 400 to 599")
		}
		if f.Code > codes.Unauthenticated {
			return errors.New("grpcCode is not a gRPC error code")
		}
	}
	if f.Kind == FaultBarrier && f.Size < 2 {
		return errors.New("a barrier needs size of at least 2")
	}
	return nil
}

// faultJSON is Fault on the admin API: durations as Go duration strings
// ("150ms") and gRPC codes by name ("UNAVAILABLE").
type faultJSON struct {
	Kind     FaultKind `json:"kind"`
	Latency  string    `json:"latency,omitempty"`
	Jitter   string    `json:"jitter,omitempty"`
	Every    int       `json:"every,omitempty"`
	Times    int       `json:"times,omitempty"`
	Status   int       `json:"status,omitempty"`
	GRPCCode string    `json:"grpcCode,omitempty"`
	Group    string    `json:"group,omitempty"`
	Size     int       `json:"size,omitempty"`
}

var codeNames = map[codes.Code]string{
	codes.OK: "OK", codes.Canceled: "CANCELLED", codes.Unknown: "UNKNOWN", codes.InvalidArgument: "INVALID_ARGUMENT",
	codes.DeadlineExceeded: "DEADLINE_EXCEEDED", codes.NotFound: "NOT_FOUND", codes.AlreadyExists: "ALREADY_EXISTS",
	codes.PermissionDenied: "PERMISSION_DENIED", codes.ResourceExhausted: "RESOURCE_EXHAUSTED",
	codes.FailedPrecondition: "FAILED_PRECONDITION", codes.Aborted: "ABORTED", codes.OutOfRange: "OUT_OF_RANGE",
	codes.Unimplemented: "UNIMPLEMENTED", codes.Internal: "INTERNAL", codes.Unavailable: "UNAVAILABLE",
	codes.DataLoss: "DATA_LOSS", codes.Unauthenticated: "UNAUTHENTICATED",
}

// MarshalJSON encodes f as the admin API shows it.
func (f Fault) MarshalJSON() ([]byte, error) {
	j := faultJSON{Kind: f.Kind, Every: f.Every, Times: f.Times, Status: f.Status, Group: f.Group, Size: f.Size}
	if f.Latency != 0 {
		j.Latency = f.Latency.String()
	}
	if f.Jitter != 0 {
		j.Jitter = f.Jitter.String()
	}
	if f.Code != codes.OK {
		j.GRPCCode = codeNames[f.Code]
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes f from the admin API's form.
func (f *Fault) UnmarshalJSON(b []byte) error {
	var j faultJSON
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return err
	}
	out := Fault{Kind: j.Kind, Every: j.Every, Times: j.Times, Status: j.Status, Group: j.Group, Size: j.Size}
	var err error
	if j.Latency != "" {
		if out.Latency, err = time.ParseDuration(j.Latency); err != nil {
			return fmt.Errorf("latency: %w", err)
		}
	}
	if j.Jitter != "" {
		if out.Jitter, err = time.ParseDuration(j.Jitter); err != nil {
			return fmt.Errorf("jitter: %w", err)
		}
	}
	if j.GRPCCode != "" {
		found := false
		for c, name := range codeNames {
			if strings.EqualFold(name, j.GRPCCode) {
				out.Code, found = c, true
			}
		}
		if !found {
			return fmt.Errorf("unknown grpcCode %q", j.GRPCCode)
		}
	}
	*f = out
	return nil
}

// FaultEntry is a fault as set on a service and route ("" = every route).
type FaultEntry struct {
	Service string `json:"service"`
	Route   string `json:"route"`
	Fault   Fault  `json:"fault"`
}

// activeFault is a set fault with its own call count and a channel closed
// when it is removed, which lets held calls (hang, barrier) go on.
type activeFault struct {
	FaultEntry
	calls   atomic.Int64
	fired   atomic.Int64
	removed chan struct{}
}

// fires counts a matching call and reports whether the fault applies to it.
func (a *activeFault) fires() bool {
	if a.calls.Add(1)%int64(a.Fault.Every) != 0 {
		return false
	}
	return a.Fault.Times == 0 || a.fired.Add(1) <= int64(a.Fault.Times)
}

type faultKey struct{ service, route string }

type barrier struct {
	arrived int
	release chan struct{}
}

// Faults holds the faults injected into one cluster. It is safe for
// concurrent use.
type Faults struct {
	services map[string][]string // service -> routes, to validate Set

	mu       sync.Mutex
	active   map[faultKey]*activeFault
	barriers map[string]*barrier
	rng      *rand.Rand // jitter; guarded by mu

	// onHold, when set (by tests, before any call), is called each time a
	// call starts being held by a hang or barrier fault.
	onHold func()
}

func (fs *Faults) held() {
	if fs.onHold != nil {
		fs.onHold()
	}
}

func newFaults(services map[string][]string) *Faults {
	return &Faults{
		services: services,
		active:   map[faultKey]*activeFault{},
		barriers: map[string]*barrier{},
		rng:      rand.New(rand.NewPCG(0x6a17, 0x7e2)),
	}
}

// check reports whether route ("" = every route) is a route of service.
func (fs *Faults) check(service, route string) error {
	routes, ok := fs.services[service]
	if !ok {
		return fmt.Errorf("unknown service %q", service)
	}
	if route != "" && !slices.Contains(routes, route) {
		return fmt.Errorf("service %q has no route %q", service, route)
	}
	return nil
}

// Set injects f into the calls of service's route (a ServeMux pattern such
// as "GET /products/{id}" or a gRPC full method); route "" means every route
// of the service. A route-specific fault wins over the service-wide one. Set
// replaces any fault on the same service and route, releasing calls the old
// one held. It panics when service or route is unknown or f is invalid
// (see [Fault.Validate]), like http.ServeMux.Handle on a bad pattern: the
// admin API validates before calling it.
func (fs *Faults) Set(service, route string, f Fault) {
	if err := fs.check(service, route); err != nil {
		panic("mocks: Faults.Set: " + err.Error())
	}
	if err := f.Validate(); err != nil {
		panic("mocks: Faults.Set: " + err.Error())
	}
	a := &activeFault{FaultEntry: FaultEntry{service, route, f.withDefaults(service, route)}, removed: make(chan struct{})}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if old, ok := fs.active[faultKey{service, route}]; ok {
		close(old.removed)
	}
	fs.active[faultKey{service, route}] = a
}

// Remove clears the fault on service and route ("" = the service-wide one).
func (fs *Faults) Remove(service, route string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if a, ok := fs.active[faultKey{service, route}]; ok {
		close(a.removed)
		delete(fs.active, faultKey{service, route})
	}
}

// ClearService clears every fault of service.
func (fs *Faults) ClearService(service string) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for k, a := range fs.active {
		if k.service == service {
			close(a.removed)
			delete(fs.active, k)
		}
	}
}

// Clear removes every fault; calls held by a hang or barrier go on normally.
func (fs *Faults) Clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	for k, a := range fs.active {
		close(a.removed)
		delete(fs.active, k)
	}
}

// List returns the set faults ordered by service and route.
func (fs *Faults) List() []FaultEntry {
	fs.mu.Lock()
	out := make([]FaultEntry, 0, len(fs.active))
	for _, a := range fs.active {
		out = append(out, a.FaultEntry)
	}
	fs.mu.Unlock()
	slices.SortFunc(out, func(a, b FaultEntry) int {
		if c := strings.Compare(a.Service, b.Service); c != 0 {
			return c
		}
		return strings.Compare(a.Route, b.Route)
	})
	return out
}

// match returns the fault that applies to this call of service's route, or
// nil. It counts the call against the fault's Every.
func (fs *Faults) match(service, route string) *activeFault {
	fs.mu.Lock()
	a, ok := fs.active[faultKey{service, route}]
	if !ok {
		a, ok = fs.active[faultKey{service, ""}]
	}
	fs.mu.Unlock()
	if !ok || !a.fires() {
		return nil
	}
	return a
}

// delay is the fault's latency plus jitter.
func (fs *Faults) delay(a *activeFault) time.Duration {
	d := a.Fault.Latency
	if a.Fault.Jitter > 0 {
		fs.mu.Lock()
		d += time.Duration(fs.rng.Int64N(int64(a.Fault.Jitter)))
		fs.mu.Unlock()
	}
	return d
}

// errHeld is returned when a held call ends because its context ended or
// the cluster closed.
var errHeld = errors.New("call ended while held")

// wait sleeps d, ending early with errHeld when done or closing ends.
func wait(d time.Duration, done, closing <-chan struct{}) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-done:
		return errHeld
	case <-closing:
		return errHeld
	}
}

// hang holds the call until done or closing ends (errHeld) or the fault is
// removed (nil: answer normally).
func (fs *Faults) hang(a *activeFault, done, closing <-chan struct{}) error {
	fs.held()
	select {
	case <-a.removed:
		return nil
	case <-done:
		return errHeld
	case <-closing:
		return errHeld
	}
}

// await holds the call at the fault's barrier until Size calls of its group
// have arrived (nil), or until done or closing ends (errHeld). Removing the
// fault lets the call go on (nil).
func (fs *Faults) await(a *activeFault, done, closing <-chan struct{}) error {
	group, size := a.Fault.Group, a.Fault.Size
	fs.mu.Lock()
	b := fs.barriers[group]
	if b == nil {
		b = &barrier{release: make(chan struct{})}
		fs.barriers[group] = b
	}
	b.arrived++
	if b.arrived >= size {
		close(b.release)
		delete(fs.barriers, group)
		fs.mu.Unlock()
		return nil
	}
	fs.mu.Unlock()
	fs.held()

	var err error
	select {
	case <-b.release:
		return nil
	case <-a.removed:
	case <-done:
		err = errHeld
	case <-closing:
		err = errHeld
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	select {
	case <-b.release: // released while leaving: the call was counted
		return nil
	default:
	}
	b.arrived--
	return err
}
