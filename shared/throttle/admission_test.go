package throttle

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
	"time"

	"github.com/tandemgw/tandem/shared/errcode"
)

// waitFor spins (yielding, not sleeping) until cond holds: the other
// goroutine has reached the queue.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 1_000_000 {
		if cond() {
			return
		}
		runtime.Gosched()
	}
	t.Fatal("condition never held")
}

func waitingIs(a *Admission, n int) func() bool {
	return func() bool { _, _, w := a.Stats(); return w == n }
}

// The limit shrinks while the CPU is saturated, from what ran, never
// below the floor; it grows while requests queue on a CPU with room,
// faster the more room; and it stays put otherwise.
func TestAdmissionAdapts(t *testing.T) {
	a := NewAdmission(AdmissionConfig{MinConcurrent: 2, MaxConcurrent: 40, Saturated: 0.97})
	limit := func() int { l, _, _ := a.Stats(); return l }
	if limit() != 2 {
		t.Fatalf("starts at %d, want the floor", limit())
	}
	set := func(l, peak int, queued bool) {
		a.mu.Lock()
		a.limit, a.peak, a.queued = l, peak, queued
		a.mu.Unlock()
	}
	steps := []struct {
		name        string
		limit, peak int
		queued      bool
		busy        float64
		want        int
	}{
		{"saturated: a tenth below what ran", 40, 30, true, 1, 27},
		{"saturated: at least one less", 5, 5, true, 0.98, 4},
		{"saturated: not below the floor", 2, 2, true, 1, 2},
		{"saturated but nothing ran", 10, 0, false, 1, 10},
		{"room and a queue: an eighth more", 16, 16, true, 0.9, 18},
		{"room and a queue: at least one more", 4, 4, true, 0.9, 5},
		{"half idle and a queue: double", 8, 8, true, 0.3, 16},
		{"not above the ceiling", 30, 30, true, 0.1, 40},
		{"room, no queue: unchanged", 12, 3, false, 0.5, 12},
	}
	for _, s := range steps {
		set(s.limit, s.peak, s.queued)
		a.adjust(s.busy)
		if got := limit(); got != s.want {
			t.Errorf("%s: limit %d, want %d", s.name, got, s.want)
		}
	}
}

// Requests past the limit wait, and go in first come first served as
// slots free up; one whose client leaves gives up its place.
func TestAdmissionQueuesInOrder(t *testing.T) {
	a := NewAdmission(AdmissionConfig{MinConcurrent: 1, MaxConcurrent: 1, MaxWait: time.Minute})
	release, err := a.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	order := make(chan int, 3)
	gone, leave := context.WithCancel(context.Background())
	left := make(chan error, 1)
	for i := range 3 {
		ctx := context.Background()
		if i == 1 {
			ctx = gone
		}
		go func() {
			rel, err := a.Acquire(ctx)
			if i == 1 {
				left <- err
				return
			}
			if err != nil {
				t.Error(err)
				return
			}
			order <- i
			rel()
		}()
		waitFor(t, waitingIs(a, i+1))
	}
	leave()
	if err := <-left; !errors.Is(err, context.Canceled) {
		t.Fatalf("a request whose client left: %v", err)
	}
	release()
	if first, second := <-order, <-order; first != 0 || second != 2 {
		t.Fatalf("admitted %d then %d, want 0 then 2", first, second)
	}
	waitFor(t, func() bool { _, r, w := a.Stats(); return r == 0 && w == 0 })
}

// A request that waits longer than MaxWait is refused with 503
// OVERLOADED and Retry-After; a WebSocket upgrade is never held.
func TestAdmissionMiddleware(t *testing.T) {
	a := NewAdmission(AdmissionConfig{MinConcurrent: 1, MaxConcurrent: 1, MaxWait: time.Millisecond})
	release, err := a.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	served := 0
	h := a.Middleware(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { served++ }))

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/graphql", nil))
	var body struct {
		Errors []struct {
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err, rec.Body.String())
	}
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" ||
		len(body.Errors) != 1 || body.Errors[0].Extensions["code"] != string(errcode.Overloaded) {
		t.Fatalf("got %d %v %s", rec.Code, rec.Header(), rec.Body.String())
	}
	if served != 0 || a.Overloaded() != 1 {
		t.Fatalf("served %d, overloaded %d", served, a.Overloaded())
	}

	ws := httptest.NewRequest(http.MethodGet, "/graphql", nil)
	ws.Header.Set("Upgrade", "websocket")
	h.ServeHTTP(httptest.NewRecorder(), ws)
	if served != 1 {
		t.Fatal("a subscription was held for admission")
	}
}

// The CPU reading tells Ps kept busy from Ps left idle.
func TestCPUUseTellsBusyFromIdle(t *testing.T) {
	u := newCPUUse()
	spin := func(d time.Duration) {
		done := make(chan struct{})
		for range runtime.GOMAXPROCS(0) {
			go func() {
				defer func() { done <- struct{}{} }()
				for end := time.Now().Add(d); time.Now().Before(end); {
				}
			}()
		}
		for range runtime.GOMAXPROCS(0) {
			<-done
		}
	}
	spin(50 * time.Millisecond)
	busy := u.next()
	<-time.After(50 * time.Millisecond) // what is measured: Ps with nothing to run
	idle := u.next()
	// Other processes may take CPU from the spinning Ps (a test run's
	// other packages do): the share is of what the process got.
	if busy < 0.1 || busy > 1 || idle >= busy/2 {
		t.Fatalf("busy share %.2f while every P spun, %.2f while none had work", busy, idle)
	}
}
