package mocks_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemgw/tandem/mocks"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
)

const (
	productRoute = "GET /products/{id}"
	getPrice     = "/tandem.pricing.v1.PricingService/GetPrice"
)

// rawGet calls a REST mock without contract validation (faults answer
// outside the contract on purpose).
func rawGet(ctx context.Context, url string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, body, err
}

// holds returns a channel that receives once per call held by a hang or
// barrier fault of c.
func holds(c *mocks.Cluster) <-chan struct{} {
	ch := make(chan struct{}, 64)
	mocks.OnHold(c, func() { ch <- struct{}{} })
	return ch
}

func TestRESTFaults(t *testing.T) {
	c := startCluster(t)
	held := holds(c)
	url := c.URL("catalog") + "/products/prd_000042"
	ctx := t.Context()
	calls := int64(0)
	get := func(ctx context.Context) (int, []byte, error) {
		calls++
		return rawGet(ctx, url)
	}

	t.Run("latency", func(t *testing.T) {
		c.Faults().Set("catalog", productRoute, mocks.Fault{Kind: mocks.FaultLatency, Latency: 60 * time.Millisecond, Jitter: 5 * time.Millisecond})
		defer c.Faults().Clear()
		start := time.Now()
		st, _, err := get(ctx)
		if err != nil || st != 200 || time.Since(start) < 60*time.Millisecond {
			t.Fatalf("%d %v after %v", st, err, time.Since(start))
		}
	})
	t.Run("error every 2nd call", func(t *testing.T) {
		c.Faults().Set("catalog", "", mocks.Fault{Kind: mocks.FaultError, Status: 502, Every: 2})
		defer c.Faults().Clear()
		var got []int
		for range 4 {
			st, body, err := get(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, st)
			if st == 502 {
				var e struct{ Error struct{ Code string } }
				if json.Unmarshal(body, &e) != nil || e.Error.Code != "UNAVAILABLE" {
					t.Fatalf("error body %s", body)
				}
			}
		}
		if got[0] != 200 || got[1] != 502 || got[2] != 200 || got[3] != 502 {
			t.Fatalf("statuses %v", got)
		}
	})
	t.Run("hang until the deadline", func(t *testing.T) {
		c.Faults().Set("catalog", productRoute, mocks.Fault{Kind: mocks.FaultHang})
		defer c.Faults().Clear()
		dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if _, _, err := get(dctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("hang: %v", err)
		}
		<-held
	})
	t.Run("hang released by clearing", func(t *testing.T) {
		c.Faults().Set("catalog", productRoute, mocks.Fault{Kind: mocks.FaultHang})
		done := make(chan int, 1)
		go func() { st, _, _ := get(ctx); done <- st }()
		<-held
		select {
		case st := <-done:
			t.Fatalf("held call answered %d", st)
		default:
		}
		c.Faults().Clear()
		if st := <-done; st != 200 {
			t.Fatalf("released call: %d", st)
		}
	})
	t.Run("malformed", func(t *testing.T) {
		c.Faults().Set("catalog", productRoute, mocks.Fault{Kind: mocks.FaultMalformed})
		defer c.Faults().Clear()
		st, body, err := get(ctx)
		var v any
		if err != nil || st != 200 || json.Unmarshal(body, &v) == nil {
			t.Fatalf("malformed: %d %v %s", st, err, body)
		}
	})
	t.Run("reset", func(t *testing.T) {
		c.Faults().Set("catalog", productRoute, mocks.Fault{Kind: mocks.FaultReset})
		defer c.Faults().Clear()
		// A fresh connection: net/http retries an idempotent request once
		// when a reused connection breaks, which would be a second call.
		tr := &http.Transport{DisableKeepAlives: true}
		defer tr.CloseIdleConnections()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		calls++
		if resp, err := (&http.Client{Transport: tr}).Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("reset answered %d", resp.StatusCode)
		}
	})
	if got := c.Counters().Get("catalog", productRoute); got != calls {
		t.Fatalf("counted %d calls, made %d", got, calls)
	}
	if st, _, err := rawGet(ctx, url); err != nil || st != 200 {
		t.Fatalf("after clearing: %d %v", st, err)
	}
}

func TestGRPCFaults(t *testing.T) {
	c := startCluster(t)
	held := holds(c)
	pc := pricingClient(t, c)
	ctx := t.Context()
	calls := int64(0)
	call := func(ctx context.Context, opts ...grpc.CallOption) error {
		calls++
		_, err := pc.GetPrice(ctx, &pricingv1.GetPriceRequest{ProductId: "prd_000042"}, opts...)
		return err
	}

	t.Run("latency", func(t *testing.T) {
		c.Faults().Set("pricing", getPrice, mocks.Fault{Kind: mocks.FaultLatency, Latency: 60 * time.Millisecond})
		defer c.Faults().Clear()
		start := time.Now()
		if err := call(ctx); err != nil || time.Since(start) < 60*time.Millisecond {
			t.Fatalf("%v after %v", err, time.Since(start))
		}
	})
	t.Run("error every 3rd call", func(t *testing.T) {
		c.Faults().Set("pricing", "", mocks.Fault{Kind: mocks.FaultError, Code: codes.ResourceExhausted, Every: 3})
		defer c.Faults().Clear()
		var got []codes.Code
		for range 6 {
			got = append(got, status.Code(call(ctx)))
		}
		want := []codes.Code{codes.OK, codes.OK, codes.ResourceExhausted, codes.OK, codes.OK, codes.ResourceExhausted}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("codes %v, want %v", got, want)
			}
		}
	})
	t.Run("hang until the deadline", func(t *testing.T) {
		c.Faults().Set("pricing", getPrice, mocks.Fault{Kind: mocks.FaultHang})
		defer c.Faults().Clear()
		dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if err := call(dctx); status.Code(err) != codes.DeadlineExceeded {
			t.Fatalf("hang: %v", err)
		}
		<-held
	})
	t.Run("malformed", func(t *testing.T) {
		c.Faults().Set("pricing", getPrice, mocks.Fault{Kind: mocks.FaultMalformed})
		defer c.Faults().Clear()
		if err := call(ctx); status.Code(err) != codes.Internal {
			t.Fatalf("malformed: %v", err)
		}
	})
	t.Run("reset", func(t *testing.T) {
		c.Faults().Set("pricing", getPrice, mocks.Fault{Kind: mocks.FaultReset})
		if err := call(ctx); status.Code(err) != codes.Unavailable {
			t.Fatalf("reset: %v", err)
		}
		c.Faults().Clear()
		// The client reconnects.
		if err := call(ctx, grpc.WaitForReady(true)); err != nil {
			t.Fatalf("after reset: %v", err)
		}
	})
	if got := c.Counters().Get("pricing", getPrice); got != calls {
		t.Fatalf("counted %d calls, made %d", got, calls)
	}
}

// A barrier holds calls until its group is complete, across services and
// protocols: the third call releases the two held ones.
func TestBarrierProvesConcurrency(t *testing.T) {
	c := startCluster(t)
	held := holds(c)
	ctx := t.Context()
	f := mocks.Fault{Kind: mocks.FaultBarrier, Group: "fan-out", Size: 3}
	c.Faults().Set("catalog", productRoute, f)
	c.Faults().Set("reviews", "GET /products/{productId}/summary", f)
	c.Faults().Set("pricing", getPrice, f)

	done := make(chan string, 3)
	go func() {
		st, _, err := rawGet(ctx, c.URL("catalog")+"/products/prd_000001")
		done <- "catalog " + http.StatusText(st) + errString(err)
	}()
	go func() {
		st, _, err := rawGet(ctx, c.URL("reviews")+"/products/prd_000001/summary")
		done <- "reviews " + http.StatusText(st) + errString(err)
	}()
	<-held
	<-held
	select {
	case r := <-done:
		t.Fatalf("%s answered before the barrier was complete", r)
	default:
	}
	pc := pricingClient(t, c)
	if _, err := pc.GetPrice(ctx, &pricingv1.GetPriceRequest{ProductId: "prd_000001"}); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if r := <-done; r != "catalog OK" && r != "reviews OK" {
			t.Fatalf("released call: %s", r)
		}
	}

	// A call whose deadline passes leaves the barrier: the next group
	// still needs three fresh arrivals.
	dctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := pc.GetPrice(dctx, &pricingv1.GetPriceRequest{ProductId: "prd_000001"}); status.Code(err) != codes.DeadlineExceeded {
		t.Fatalf("timed-out barrier call: %v", err)
	}
	<-held
	c.Faults().Set("catalog", productRoute, mocks.Fault{Kind: mocks.FaultBarrier, Group: "pair", Size: 2})
	go func() {
		st, _, err := rawGet(ctx, c.URL("catalog")+"/products/prd_000002")
		done <- "catalog " + http.StatusText(st) + errString(err)
	}()
	<-held // held, not released by a stale arrival
	if st, _, err := rawGet(ctx, c.URL("catalog")+"/products/prd_000003"); err != nil || st != 200 {
		t.Fatalf("second of pair: %d %v", st, err)
	}
	if r := <-done; r != "catalog OK" {
		t.Fatalf("first of pair: %s", r)
	}
}

func errString(err error) string {
	if err != nil {
		return " " + err.Error()
	}
	return ""
}

func TestFaultValidation(t *testing.T) {
	for _, f := range []mocks.Fault{
		{},
		{Kind: "explode"},
		{Kind: mocks.FaultLatency},
		{Kind: mocks.FaultError, Status: 200},
		{Kind: mocks.FaultError, Code: codes.Code(99)},
		{Kind: mocks.FaultBarrier, Size: 1},
		{Kind: mocks.FaultHang, Every: -1},
	} {
		if f.Validate() == nil {
			t.Errorf("%+v accepted", f)
		}
	}
	c := startCluster(t)
	for _, tc := range []struct{ service, route string }{{"nope", ""}, {"catalog", "GET /nope"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Set(%q, %q) did not panic", tc.service, tc.route)
				}
			}()
			c.Faults().Set(tc.service, tc.route, mocks.Fault{Kind: mocks.FaultHang})
		}()
	}
}
