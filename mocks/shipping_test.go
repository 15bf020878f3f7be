package mocks_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/data"
	shippingv1 "github.com/tandemgw/tandem/shared/gen/shipping/v1"
)

var (
	getQuote       = shippingv1.ShippingService_GetQuote_FullMethodName
	batchGetQuotes = shippingv1.ShippingService_BatchGetQuotes_FullMethodName
)

// The batch form answers known SKUs in request order, duplicates once, and
// lists the unknown ones; each quote is the single form's, in the
// destination's currency, and the seeded data set's.
func TestShippingBatchAndSingleAgree(t *testing.T) {
	c := startCluster(t)
	sc := shippingClient(t, c)
	ctx := t.Context()
	skus := []string{"SKU-000042", "SKU-999999", "SKU-000001", "SKU-000042", "SKU-005000", "SKU-000000"}
	want := []string{"SKU-000042", "SKU-000001", "SKU-005000"}
	currency := map[string]string{"DE": "EUR", "NL": "EUR", "FR": "EUR", "GB": "GBP", "CH": "CHF", "US": "USD"}
	singles, batches := int64(0), int64(0)
	for country, cur := range currency {
		b, err := sc.BatchGetQuotes(ctx, &shippingv1.BatchGetQuotesRequest{Skus: skus, Country: country})
		batches++
		if err != nil {
			t.Fatal(err)
		}
		if len(b.GetQuotes()) != len(want) || len(b.GetMissingSkus()) != 2 ||
			b.GetMissingSkus()[0] != "SKU-999999" || b.GetMissingSkus()[1] != "SKU-000000" {
			t.Fatalf("%s batch: %v", country, b)
		}
		for i, sku := range want {
			one, err := sc.GetQuote(ctx, &shippingv1.GetQuoteRequest{Sku: sku, Country: country})
			singles++
			if err != nil {
				t.Fatal(err)
			}
			q := one.GetQuote()
			if !proto.Equal(q, b.GetQuotes()[i]) {
				t.Fatalf("%s %s: single %v, batch %v", sku, country, q, b.GetQuotes()[i])
			}
			n, _ := data.ParseSKU(sku)
			seeded, err := data.Load().ShippingQuote(n, country)
			if err != nil {
				t.Fatal(err)
			}
			if q.GetSku() != sku || q.GetCountry() != country || q.GetCurrency() != cur || q.GetCarrier() != seeded.Carrier ||
				q.GetAmountMinor() != seeded.AmountMinor || int(q.GetMinDays()) != seeded.MinDays || int(q.GetMaxDays()) != seeded.MaxDays {
				t.Fatalf("%s %s: %v, seeded %+v", sku, country, q, seeded)
			}
			if q.GetMinDays() < 1 || q.GetMinDays() > q.GetMaxDays() || q.GetAmountMinor() < 0 {
				t.Fatalf("%s %s: inconsistent quote %v", sku, country, q)
			}
		}
	}

	// Over a full batch, deliveries within the EU are faster than to the
	// US, some are free, and delivery to the US never is.
	all := make([]string, shippingMaxBatch)
	for i := range all {
		all[i] = data.SKU(i + 1)
	}
	eu, err := sc.BatchGetQuotes(ctx, &shippingv1.BatchGetQuotesRequest{Skus: all, Country: "DE"})
	if err != nil {
		t.Fatal(err)
	}
	us, err := sc.BatchGetQuotes(ctx, &shippingv1.BatchGetQuotesRequest{Skus: all, Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	batches += 2
	if len(eu.GetQuotes()) != len(all) || len(us.GetQuotes()) != len(all) {
		t.Fatalf("full batch: %d and %d quotes", len(eu.GetQuotes()), len(us.GetQuotes()))
	}
	freeEU := 0
	for i := range all {
		d, u := eu.GetQuotes()[i], us.GetQuotes()[i]
		if d.GetMaxDays() >= u.GetMaxDays() {
			t.Fatalf("%s: DE %v is not faster than US %v", all[i], d, u)
		}
		if u.GetAmountMinor() == 0 {
			t.Fatalf("%s: free delivery to the US", all[i])
		}
		if d.GetAmountMinor() == 0 {
			freeEU++
		}
	}
	if freeEU == 0 || freeEU == len(all) {
		t.Fatalf("%d of %d free within the EU", freeEU, len(all))
	}

	// Every call is counted under its own method.
	if got := c.Counters().Get("shipping", getQuote); got != singles {
		t.Fatalf("GetQuote counted %d, made %d", got, singles)
	}
	if got := c.Counters().Get("shipping", batchGetQuotes); got != batches {
		t.Fatalf("BatchGetQuotes counted %d, made %d", got, batches)
	}
}

// shippingMaxBatch is the contract's limit of SKUs per BatchGetQuotes.
const shippingMaxBatch = 500

func TestShippingBadInput(t *testing.T) {
	c := startCluster(t)
	sc := shippingClient(t, c)
	ctx := t.Context()
	tooMany := make([]string, shippingMaxBatch+1)
	for i := range tooMany {
		tooMany[i] = data.SKU(1) // duplicates count: the message itself is too big
	}
	single := func(sku, country string) func() error {
		return func() error {
			_, err := sc.GetQuote(ctx, &shippingv1.GetQuoteRequest{Sku: sku, Country: country})
			return err
		}
	}
	batch := func(skus []string, country string) func() error {
		return func() error {
			_, err := sc.BatchGetQuotes(ctx, &shippingv1.BatchGetQuotesRequest{Skus: skus, Country: country})
			return err
		}
	}
	for _, tc := range []struct {
		name string
		call func() error
		want codes.Code
	}{
		{"malformed sku", single("sku-1", "DE"), codes.InvalidArgument},
		{"empty sku", single("", "DE"), codes.InvalidArgument},
		{"empty country", single("SKU-000001", ""), codes.InvalidArgument},
		{"lower-case country", single("SKU-000001", "de"), codes.InvalidArgument},
		{"unsupported country", single("SKU-000001", "JP"), codes.InvalidArgument},
		{"unknown sku", single("SKU-999999", "DE"), codes.NotFound},
		{"unknown sku, bad country", single("SKU-999999", "XX"), codes.InvalidArgument},
		{"empty batch", batch(nil, "DE"), codes.InvalidArgument},
		{"too many skus", batch(tooMany, "DE"), codes.InvalidArgument},
		{"malformed in batch", batch([]string{"SKU-000001", "x"}, "DE"), codes.InvalidArgument},
		{"batch without country", batch([]string{"SKU-000001"}, ""), codes.InvalidArgument},
		{"batch unsupported country", batch([]string{"SKU-999999"}, "Germany"), codes.InvalidArgument},
		{"full batch", batch(tooMany[1:], "DE"), codes.OK},
	} {
		if got := status.Code(tc.call()); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	b, err := sc.BatchGetQuotes(ctx, &shippingv1.BatchGetQuotesRequest{Skus: []string{"SKU-999999", "SKU-999998"}, Country: "GB"})
	if err != nil || len(b.GetQuotes()) != 0 || len(b.GetMissingSkus()) != 2 {
		t.Fatalf("only unknown skus: %v %v", b, err)
	}
	// Refused calls are counted like the others.
	if n := c.Counters().Get("shipping", getQuote); n != 7 {
		t.Fatalf("GetQuote counted %d, want 7", n)
	}
	if n := c.Counters().Get("shipping", batchGetQuotes); n != 7 {
		t.Fatalf("BatchGetQuotes counted %d, want 7", n)
	}
	err = dial(t, c.Addr("shipping")).Invoke(ctx, "/tandem.shipping.v1.ShippingService/Nope", &shippingv1.GetQuoteRequest{}, &shippingv1.GetQuoteResponse{})
	if status.Code(err) != codes.Unimplemented || c.Counters().Get("shipping", mocks.RouteUnmatched) != 1 {
		t.Fatalf("unknown method: %v, counted %d", err, c.Counters().Get("shipping", mocks.RouteUnmatched))
	}
}

// Faults set through the admin API apply to the shipping service per
// method like to every gRPC mock: latency, errors on every k-th call, hangs,
// malformed answers and connection resets; counters see every call.
func TestShippingFaults(t *testing.T) {
	c := startCluster(t)
	held := holds(c)
	cl := newClient(t, c)
	sc := shippingClient(t, c)
	ctx := t.Context()
	calls := int64(0)
	call := func(ctx context.Context, opts ...grpc.CallOption) error {
		calls++
		_, err := sc.BatchGetQuotes(ctx, &shippingv1.BatchGetQuotesRequest{Skus: []string{"SKU-000042"}, Country: "FR"}, opts...)
		return err
	}
	setFault := func(t *testing.T, route string, fault map[string]any) {
		t.Helper()
		r := cl.do("mocks-admin", http.MethodPost, "/faults", nil, map[string]any{"service": "shipping", "route": route, "fault": fault})
		if r.Status != http.StatusOK {
			t.Fatalf("set fault: %d %s", r.Status, r.Body)
		}
		t.Cleanup(func() {
			if r := cl.do("mocks-admin", http.MethodDelete, "/faults?service=shipping", nil, nil); r.Status != http.StatusNoContent {
				t.Errorf("clear faults: %d", r.Status)
			}
		})
	}

	t.Run("latency", func(t *testing.T) {
		setFault(t, batchGetQuotes, map[string]any{"kind": "latency", "latency": "60ms"})
		start := time.Now()
		if err := call(ctx); err != nil || time.Since(start) < 60*time.Millisecond {
			t.Fatalf("%v after %v", err, time.Since(start))
		}
	})
	t.Run("error every 2nd call", func(t *testing.T) {
		setFault(t, "", map[string]any{"kind": "error", "grpcCode": "UNAVAILABLE", "every": 2})
		var got []codes.Code
		for range 4 {
			got = append(got, status.Code(call(ctx)))
		}
		want := []codes.Code{codes.OK, codes.Unavailable, codes.OK, codes.Unavailable}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("codes %v, want %v", got, want)
			}
		}
	})
	t.Run("error once, then success", func(t *testing.T) {
		setFault(t, batchGetQuotes, map[string]any{"kind": "error", "grpcCode": "RESOURCE_EXHAUSTED", "times": 1})
		if err := call(ctx); status.Code(err) != codes.ResourceExhausted {
			t.Fatalf("first call: %v", err)
		}
		if err := call(ctx); err != nil {
			t.Fatalf("second call: %v", err)
		}
	})
	t.Run("a route's fault leaves the other route alone", func(t *testing.T) {
		setFault(t, getQuote, map[string]any{"kind": "error", "grpcCode": "INTERNAL"})
		if err := call(ctx); err != nil {
			t.Fatalf("batch: %v", err)
		}
		if _, err := sc.GetQuote(ctx, &shippingv1.GetQuoteRequest{Sku: "SKU-000042", Country: "FR"}); status.Code(err) != codes.Internal {
			t.Fatalf("single: %v", err)
		}
	})
	t.Run("hang until the deadline", func(t *testing.T) {
		setFault(t, batchGetQuotes, map[string]any{"kind": "hang"})
		dctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		if err := call(dctx); status.Code(err) != codes.DeadlineExceeded {
			t.Fatalf("hang: %v", err)
		}
		<-held
	})
	t.Run("malformed", func(t *testing.T) {
		setFault(t, batchGetQuotes, map[string]any{"kind": "malformed"})
		if err := call(ctx); status.Code(err) != codes.Internal {
			t.Fatalf("malformed: %v", err)
		}
	})
	t.Run("reset", func(t *testing.T) {
		setFault(t, batchGetQuotes, map[string]any{"kind": "reset"})
		if err := call(ctx); status.Code(err) != codes.Unavailable {
			t.Fatalf("reset: %v", err)
		}
	})
	// The faults are gone and the client reconnects.
	if err := call(ctx, grpc.WaitForReady(true)); err != nil {
		t.Fatalf("after the faults: %v", err)
	}

	var counted struct {
		Total  int64
		Routes map[string]int64
	}
	cl.get("mocks-admin", "/counters/shipping").decode(t, &counted)
	if counted.Routes[batchGetQuotes] != calls || counted.Routes[getQuote] != 1 || counted.Total != calls+1 {
		t.Fatalf("counters %+v, made %d batch calls and 1 single", counted, calls)
	}
}
