package mocks

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"

	"github.com/tandemgw/tandem/mocks/internal/rest"
)

// adminRoutes are the admin API's own routes (schema/openapi/mocks-admin.yaml);
// HandleAdmin may add more.
var adminRoutes = []string{
	"GET /healthz",
	"GET /services",
	"GET /counters",
	"GET /counters/{service}",
	"DELETE /counters",
	"GET /faults",
	"POST /faults",
	"DELETE /faults",
	"GET /requests/{service}",
	"DELETE /requests",
}

func (c *Cluster) mountAdmin() {
	handlers := map[string]http.HandlerFunc{
		"GET /healthz":            c.adminHealth,
		"GET /services":           c.adminServices,
		"GET /counters":           c.adminCounters,
		"GET /counters/{service}": c.adminServiceCounters,
		"DELETE /counters":        c.adminResetCounters,
		"GET /faults":             c.adminFaults,
		"POST /faults":            c.adminSetFault,
		"DELETE /faults":          c.adminClearFaults,
		"GET /requests/{service}": c.adminRequests,
		"DELETE /requests":        c.adminResetRequests,
	}
	for _, p := range adminRoutes {
		c.adminMux.Handle(p, c.recoverer("admin", handlers[p]))
	}
}

func (c *Cluster) knownService(w http.ResponseWriter, name string) bool {
	if _, ok := c.routes[name]; !ok {
		rest.NotFound(w, "no service %q", name)
		return false
	}
	return true
}

func (c *Cluster) adminHealth(w http.ResponseWriter, _ *http.Request) {
	rest.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// ServiceStatus is one service as the admin API lists it.
type ServiceStatus struct {
	Name     string   `json:"name"`
	Protocol string   `json:"protocol"`
	Addr     string   `json:"addr"`
	URL      string   `json:"url,omitempty"`
	Routes   []string `json:"routes"`
}

func (c *Cluster) adminServices(w http.ResponseWriter, _ *http.Request) {
	items := make([]ServiceStatus, 0, len(c.specs))
	for _, s := range c.specs {
		items = append(items, ServiceStatus{Name: s.Name, Protocol: s.Kind.String(), Addr: c.addrs[s.Name], URL: c.URL(s.Name), Routes: c.Routes(s.Name)})
	}
	rest.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (c *Cluster) adminCounters(w http.ResponseWriter, _ *http.Request) {
	rest.WriteJSON(w, http.StatusOK, map[string]any{"services": c.counters.Snapshot()})
}

func (c *Cluster) adminServiceCounters(w http.ResponseWriter, r *http.Request) {
	svc := r.PathValue("service")
	if !c.knownService(w, svc) {
		return
	}
	routes := c.counters.Snapshot()[svc]
	if routes == nil {
		routes = map[string]int64{}
	}
	rest.WriteJSON(w, http.StatusOK, map[string]any{"service": svc, "total": c.counters.Total(svc), "routes": routes})
}

func (c *Cluster) adminResetCounters(w http.ResponseWriter, _ *http.Request) {
	c.counters.Reset()
	w.WriteHeader(http.StatusNoContent)
}

func (c *Cluster) adminFaults(w http.ResponseWriter, _ *http.Request) {
	rest.WriteJSON(w, http.StatusOK, map[string]any{"items": c.faults.List()})
}

func (c *Cluster) adminSetFault(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 16<<10))
	if err != nil {
		rest.BadRequest(w, "body is too large or unreadable")
		return
	}
	var e struct {
		Service string `json:"service"`
		Route   string `json:"route"`
		Fault   *Fault `json:"fault"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		rest.BadRequest(w, "body is not a fault entry: %v", err)
		return
	}
	if e.Fault == nil {
		rest.BadRequest(w, "fault is required")
		return
	}
	if !c.knownService(w, e.Service) {
		return
	}
	if err := c.faults.check(e.Service, e.Route); err != nil {
		rest.NotFound(w, "%v", err)
		return
	}
	if err := e.Fault.Validate(); err != nil {
		rest.BadRequest(w, "%v", err)
		return
	}
	c.faults.Set(e.Service, e.Route, *e.Fault)
	for _, fe := range c.faults.List() {
		if fe.Service == e.Service && fe.Route == e.Route {
			rest.WriteJSON(w, http.StatusOK, fe)
			return
		}
	}
	// Cleared concurrently by another admin call.
	rest.WriteError(w, http.StatusConflict, rest.CodeConflict, "the fault was cleared concurrently")
}

// adminClearFaults clears every fault, a service's faults (?service=) or one
// route's fault (?service=&route=; route "" is the service-wide fault).
func (c *Cluster) adminClearFaults(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case !q.Has("service"):
		if q.Has("route") {
			rest.BadRequest(w, "route needs service")
			return
		}
		c.faults.Clear()
	case !q.Has("route"):
		if !c.knownService(w, q.Get("service")) {
			return
		}
		c.faults.ClearService(q.Get("service"))
	default:
		if !c.knownService(w, q.Get("service")) {
			return
		}
		c.faults.Remove(q.Get("service"), q.Get("route"))
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c *Cluster) adminRequests(w http.ResponseWriter, r *http.Request) {
	svc := r.PathValue("service")
	if !c.knownService(w, svc) {
		return
	}
	items := c.Requests(svc)
	if raw := r.URL.Query().Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > requestLog {
			rest.BadRequest(w, "limit must be an integer from 1 to %d", requestLog)
			return
		}
		if len(items) > n {
			items = items[len(items)-n:]
		}
	}
	rest.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (c *Cluster) adminResetRequests(w http.ResponseWriter, _ *http.Request) {
	c.ResetRequests()
	w.WriteHeader(http.StatusNoContent)
}
