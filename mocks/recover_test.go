package mocks

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// A panicking handler answers 500 INTERNAL JSON (REST) or INTERNAL (gRPC),
// and the server goes on.
func TestPanicsAreRecovered(t *testing.T) {
	c, err := Start(t.Context(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	boom := c.recoverer("catalog", http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	rec := httptest.NewRecorder()
	boom.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/products/prd_000001", nil))
	var body struct{ Error struct{ Code string } }
	if rec.Code != 500 || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Error.Code != "INTERNAL" {
		t.Fatalf("REST panic: %d %s", rec.Code, rec.Body)
	}

	ic := c.unaryInterceptor("pricing", newTrackingListener(nil))
	_, err = ic(context.Background(), nil, &grpc.UnaryServerInfo{FullMethod: "/x/Y"}, func(context.Context, any) (any, error) { panic("boom") })
	if status.Code(err) != codes.Internal {
		t.Fatalf("gRPC panic: %v", err)
	}
	if c.Counters().Get("pricing", "/x/Y") != 1 {
		t.Fatal("panicking call not counted")
	}
}
