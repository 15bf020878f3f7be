package mocks

import (
	"sync"
	"sync/atomic"
)

// RouteUnmatched is the route key under which calls that match no route of
// a service are counted and recorded (REST 404/405, unknown gRPC methods).
const RouteUnmatched = "UNMATCHED"

// Counters counts the calls each service received, per route: every call,
// including those answered by an injected fault. It is safe for concurrent
// use.
type Counters struct {
	mu sync.RWMutex
	m  map[string]map[string]*atomic.Int64
}

// newCounters starts every known route at zero, so snapshots list them.
func newCounters(services map[string][]string) *Counters {
	c := &Counters{m: make(map[string]map[string]*atomic.Int64, len(services))}
	for svc, routes := range services {
		c.m[svc] = make(map[string]*atomic.Int64, len(routes))
		for _, r := range routes {
			c.m[svc][r] = new(atomic.Int64)
		}
	}
	return c
}

func (c *Counters) inc(service, route string) {
	c.mu.RLock()
	n := c.m[service][route]
	c.mu.RUnlock()
	if n == nil {
		c.mu.Lock()
		if c.m[service] == nil {
			c.m[service] = map[string]*atomic.Int64{}
		}
		if n = c.m[service][route]; n == nil {
			n = new(atomic.Int64)
			c.m[service][route] = n
		}
		c.mu.Unlock()
	}
	n.Add(1)
}

// Get returns the calls of service's route (a ServeMux pattern, a gRPC full
// method or RouteUnmatched).
func (c *Counters) Get(service, route string) int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if n := c.m[service][route]; n != nil {
		return n.Load()
	}
	return 0
}

// Total returns the calls of every route of service.
func (c *Counters) Total(service string) int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	var t int64
	for _, n := range c.m[service] {
		t += n.Load()
	}
	return t
}

// Snapshot returns service -> route -> calls, listing every known route.
func (c *Counters) Snapshot() map[string]map[string]int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	out := make(map[string]map[string]int64, len(c.m))
	for svc, routes := range c.m {
		out[svc] = make(map[string]int64, len(routes))
		for r, n := range routes {
			out[svc][r] = n.Load()
		}
	}
	return out
}

// Reset sets every counter to zero.
func (c *Counters) Reset() {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, routes := range c.m {
		for _, n := range routes {
			n.Store(0)
		}
	}
}
