package gatewaytest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/shared/gateway"
)

// CheckGracefulDrain proves a BFF's shutdown end to end, on a real
// listener with the mocks and an identity provider of its own, outside dev
// mode and without a drain delay (the server's own tests prove, step by
// step, that /readyz fails during the delay). OneProduct is held in flight
// at the catalog (a hang fault; the mocks report when it is held) when the
// BFF's context is cancelled, as SIGTERM does. Then:
//
//   - the BFF drains, and its listener closes: a new connection is refused, while the request
//     in flight goes on;
//   - once the catalog answers, that request gets its full answer and the
//     BFF's Serve returns without error;
//   - every goroutine the BFF started is gone, those of its upstream
//     connections included (the mocks' side of each connection ends only
//     when the BFF closes it): goleak finds nothing the test did not have
//     before the BFF was built.
func CheckGracefulDrain(t *testing.T, o Options) {
	t.Helper()
	held := make(chan struct{}, 16)
	c, err := mocks.Start(context.Background(), mocks.Options{OnHold: func() { held <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	p := StartIdP(t)
	before := goleak.IgnoreCurrent()

	cfg := Config(o.Spec, c, p)
	cfg.Shutdown.DrainDelay, cfg.Shutdown.GracePeriod = 0, time.Minute
	if o.Tweak != nil {
		o.Tweak(&cfg)
	}
	a, err := o.New(context.Background(), cfg, Registry(t, o.Spec.Name, o.Register),
		append([]gateway.Option{gateway.WithLogger(slog.New(slog.DiscardHandler))}, o.AppOptions...)...)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		_ = a.Close()
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	t.Cleanup(func() { // on an early failure: stop everything
		cancel()
		c.Faults().Clear()
	})
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}

	c.Faults().Set("catalog", "", mocks.Fault{Kind: mocks.FaultHang})
	inFlight := make(chan any, 1)
	go func() {
		body, _ := json.Marshal(map[string]string{"query": OneProduct})
		resp, err := client.Post(url+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			inFlight <- err
			return
		}
		defer func() { _ = resp.Body.Close() }()
		raw, err := io.ReadAll(resp.Body)
		if err != nil {
			inFlight <- err
			return
		}
		inFlight <- Response{Raw: raw, Status: resp.StatusCode}
	}()
	select { // the request is in flight, waiting on the catalog
	case <-held:
	case r := <-inFlight:
		t.Fatalf("the request ended before it reached the catalog: %v", r)
	}

	cancel() // SIGTERM
	<-a.Draining()
	<-a.ListenerClosed()
	if conn, err := net.Dial("tcp", ln.Addr().String()); err == nil {
		_ = conn.Close()
		t.Fatal("the BFF accepted a new connection after its listener closed")
	}
	select {
	case r := <-inFlight:
		t.Fatalf("the request in flight ended while the catalog still held it: %v", r)
	case err := <-served:
		t.Fatalf("Serve returned with a request in flight: %v", err)
	default:
	}

	c.Faults().Remove("catalog", "") // the catalog answers
	r, ok := (<-inFlight).(Response)
	if !ok {
		t.Fatal("the request in flight failed during the shutdown")
	}
	if err := json.Unmarshal(r.Raw, &r); err != nil {
		t.Fatalf("status %d, body not JSON: %s", r.Status, r.Raw)
	}
	r.NoErrors(t)
	if !bytes.Contains(r.Data, []byte(`"name"`)) {
		t.Fatalf("incomplete answer: %s", r.Raw)
	}
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	if err := goleak.Find(before); err != nil {
		t.Fatalf("the BFF left goroutines behind after it stopped: %v", err)
	}
}
