package mocks_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/tandemgw/tandem/mocks"
	inventoryv1 "github.com/tandemgw/tandem/shared/gen/inventory/v1"
	"github.com/tandemgw/tandem/shared/upstream/tlstest"
)

// TestFaultTimes: a fault with times fires that many times, then the
// service answers normally ("503, then success").
func TestFaultTimes(t *testing.T) {
	c := startCluster(t)
	c.Faults().Set("catalog", "", mocks.Fault{Kind: mocks.FaultError, Status: 503, Times: 2})
	var got []int
	for range 4 {
		st, _, err := rawGet(t.Context(), c.URL("catalog")+"/products/prd_000001")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, st)
	}
	if got[0] != 503 || got[1] != 503 || got[2] != 200 || got[3] != 200 {
		t.Fatalf("statuses %v, want 503 503 200 200", got)
	}
	// With every: fires on the 2nd and 4th call, but only once.
	c.Faults().Set("catalog", "", mocks.Fault{Kind: mocks.FaultError, Status: 503, Every: 2, Times: 1})
	got = got[:0]
	for range 4 {
		st, _, _ := rawGet(t.Context(), c.URL("catalog")+"/products/prd_000001")
		got = append(got, st)
	}
	if got[0] != 200 || got[1] != 503 || got[2] != 200 || got[3] != 200 {
		t.Fatalf("statuses %v, want 200 503 200 200", got)
	}
}

// TestInFlightAndDeadline: a held call is in flight until its caller gives
// up, and what the caller said it would wait is recorded.
func TestInFlightAndDeadline(t *testing.T) {
	c := startCluster(t)
	held := holds(c)
	c.Faults().Set("catalog", "", mocks.Fault{Kind: mocks.FaultHang})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() {
		defer close(done)
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, c.URL("catalog")+"/products/prd_000001", nil)
		req.Header.Set(mocks.DeadlineHeader, "1500")
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_ = resp.Body.Close()
		}
	}()
	<-held
	if n := c.InFlight("catalog"); n != 1 {
		t.Fatalf("in flight %d, want 1", n)
	}
	cancel()
	<-done
	deadline := time.Now().Add(5 * time.Second)
	for c.InFlight("catalog") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the held call did not end when its caller left")
		}
		time.Sleep(time.Millisecond)
	}
	reqs := c.Requests("catalog")
	if len(reqs) != 1 || reqs[0].DeadlineMs != 1500 {
		t.Fatalf("recorded %+v", reqs)
	}

	gctx, gcancel := context.WithTimeout(t.Context(), 800*time.Millisecond)
	defer gcancel()
	if _, err := inventoryClient(t, c).GetStock(gctx, &inventoryv1.GetStockRequest{Sku: "SKU-000001"}); err != nil {
		t.Fatal(err)
	}
	if r := c.Requests("inventory"); len(r) != 1 || r[0].DeadlineMs <= 0 || r[0].DeadlineMs > 800 {
		t.Fatalf("gRPC deadline recorded as %+v", r)
	}
}

// TestServedOverMutualTLS: with Options.TLS every service speaks TLS and
// refuses clients without a certificate of the client CA.
func TestServedOverMutualTLS(t *testing.T) {
	serverCA, clientCA := tlstest.NewCA(t, "mocks CA"), tlstest.NewCA(t, "gateway CA")
	c, err := mocks.Start(t.Context(), mocks.Options{TLS: tlstest.ServerConfig(t, serverCA, clientCA)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if !strings.HasPrefix(c.URL("catalog"), "https://") {
		t.Fatalf("URL %s", c.URL("catalog"))
	}
	client := func(certs ...tls.Certificate) *http.Client {
		return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: serverCA.Pool(), Certificates: certs, MinVersion: tls.VersionTLS12}}}
	}
	cert := clientCA.Issue(t, tlstest.Options{CommonName: "gateway", Client: true}).TLSCertificate(t)
	resp, err := client(cert).Get(c.URL("catalog") + "/products/prd_000001")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if resp, err := client().Get(c.URL("catalog") + "/products/prd_000001"); err == nil {
		_ = resp.Body.Close()
		t.Fatal("served a client without a certificate")
	}

	creds := credentials.NewTLS(&tls.Config{RootCAs: serverCA.Pool(), Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	conn, err := grpc.NewClient(c.Addr("inventory"), grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := inventoryv1.NewInventoryServiceClient(conn).GetStock(t.Context(), &inventoryv1.GetStockRequest{Sku: "SKU-000001"}); err != nil {
		t.Fatal(err)
	}
}
