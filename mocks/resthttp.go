package mocks

import (
	"bufio"
	"errors"
	"net"
	"net/http"
	"runtime/debug"
	"sort"
	"strconv"
	"time"

	"github.com/tandemgw/tandem/mocks/internal/rest"
)

// restHandler mounts a REST service's routes on a ServeMux behind counting,
// recording, fault injection and panic recovery. It returns the handler and
// the sorted route keys (the ServeMux patterns).
func (c *Cluster) restHandler(svc string, routes []rest.Route) (http.Handler, []string) {
	mux := http.NewServeMux()
	keys := make([]string, 0, len(routes))
	for _, rt := range routes {
		mux.Handle(rt.Pattern, c.restRoute(svc, rt.Pattern, rt.Handler))
		keys = append(keys, rt.Pattern)
	}
	sort.Strings(keys)
	return c.recoverer(svc, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		c.counters.inc(svc, RouteUnmatched)
		c.recorder.add(recordHTTP(svc, RouteUnmatched, r))
		// Let the mux decide between 404 and 405 (and redirects), then
		// answer in the contract's JSON error form.
		h, _ := mux.Handler(r)
		cw := &captureWriter{header: http.Header{}}
		h.ServeHTTP(cw, r)
		if cw.status >= 300 && cw.status < 400 {
			w.Header().Set("Location", cw.header.Get("Location"))
			w.WriteHeader(cw.status)
			return
		}
		if allow := cw.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		if cw.status == http.StatusMethodNotAllowed {
			rest.WriteError(w, cw.status, rest.CodeBadRequest, "method not allowed")
			return
		}
		rest.NotFound(w, "no such endpoint")
	})), keys
}

// captureWriter records what the mux's own 404/405 handlers would answer.
type captureWriter struct {
	header http.Header
	status int
}

func (w *captureWriter) Header() http.Header { return w.header }
func (w *captureWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return len(b), nil
}
func (w *captureWriter) WriteHeader(status int) { w.status = status }

// recordHTTP captures the identity and trace context headers of a REST call.
func recordHTTP(svc, route string, r *http.Request) RecordedRequest {
	auth, hasAuth := r.Header["Authorization"]
	rec := RecordedRequest{
		Service:          svc,
		Route:            route,
		Target:           r.Method + " " + r.URL.RequestURI(),
		Subject:          r.Header.Get("X-Tandem-Subject"),
		Scopes:           r.Header.Get("X-Tandem-Scopes"),
		ClientID:         r.Header.Get("X-Tandem-Client-Id"),
		HasAuthorization: hasAuth,
		Traceparent:      r.Header.Get("Traceparent"),
		At:               time.Now().UTC(),
	}
	if ms, err := strconv.ParseInt(r.Header.Get(DeadlineHeader), 10, 64); err == nil && ms > 0 {
		rec.DeadlineMs = ms
	}
	if hasAuth && len(auth) > 0 {
		rec.Authorization = auth[0]
	}
	return rec
}

// DeadlineHeader is where the gateway says how many milliseconds it will
// wait for a REST answer (schema/README.md).
const DeadlineHeader = "X-Tandem-Deadline-Ms"

// restRoute counts and records every call of one route, then applies the
// route's fault, if any, before the service's handler.
func (c *Cluster) restRoute(svc, pattern string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.inFlight[svc].Add(1)
		defer c.inFlight[svc].Add(-1)
		c.counters.inc(svc, pattern)
		c.recorder.add(recordHTTP(svc, pattern, r))
		if a := c.faults.match(svc, pattern); a != nil && c.restFault(w, r, a) {
			return
		}
		h.ServeHTTP(w, r)
	})
}

// malformedJSON is what FaultMalformed answers on REST: the start of a valid
// document, cut off.
const malformedJSON = `{"items": [{"id": "prd_0000`

// restFault applies a fault to a REST call and reports whether it answered
// the call (false: the service should answer normally).
func (c *Cluster) restFault(w http.ResponseWriter, r *http.Request, a *activeFault) bool {
	done := r.Context().Done()
	if wait(c.faults.delay(a), done, c.closing) != nil {
		return true // the client is gone or the cluster is closing
	}
	switch a.Fault.Kind {
	case FaultLatency:
		return false
	case FaultError:
		rest.WriteError(w, a.Fault.Status, rest.CodeForStatus(a.Fault.Status), "injected fault")
		return true
	case FaultHang:
		return c.faults.hang(a, done, c.closing) != nil
	case FaultBarrier:
		return c.faults.await(a, done, c.closing) != nil
	case FaultMalformed:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(malformedJSON))
		return true
	case FaultReset:
		conn, _, err := http.NewResponseController(w).Hijack()
		if err != nil {
			// HTTP/2 or a writer that cannot hijack: abort the stream instead.
			panic(http.ErrAbortHandler)
		}
		if tc, ok := conn.(*net.TCPConn); ok {
			_ = tc.SetLinger(0)
		}
		_ = conn.Close()
		return true
	}
	return false
}

// recoverer turns a panic in a handler into 500 INTERNAL (when nothing was
// written yet) and a log line without request data.
func (c *Cluster) recoverer(svc string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &trackingWriter{ResponseWriter: w}
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler { //nolint:errorlint // sentinel compared as net/http does
				panic(p)
			}
			c.logger.Error("mock handler panicked", "service", svc, "panic", p, "stack", string(debug.Stack()))
			if !tw.wrote {
				rest.WriteError(tw, http.StatusInternalServerError, rest.CodeInternal, "internal error")
			}
		}()
		next.ServeHTTP(tw, r)
	})
}

// trackingWriter notes whether a response was started. It unwraps for
// http.ResponseController (hijacking) and hijacks directly as well.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (w *trackingWriter) WriteHeader(status int) {
	w.wrote = true
	w.ResponseWriter.WriteHeader(status)
}

func (w *trackingWriter) Write(b []byte) (int, error) {
	w.wrote = true
	return w.ResponseWriter.Write(b)
}

func (w *trackingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack lets the reset fault take the connection.
func (w *trackingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := w.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	w.wrote = true
	return h.Hijack()
}
