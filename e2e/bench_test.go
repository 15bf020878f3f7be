package e2e_test

import (
	"testing"

	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
)

// The benchmarks send real HTTP requests over loopback to a BFF built as
// main builds it (auth, throttling, loaders, the production batch window),
// which calls the in-process mock backends over loopback too. A figure is
// therefore the whole round trip of one client request — gateway, six
// backend calls and the mocks' own work — on the same cores, not the
// gateway alone.

// BenchmarkProductPage is the product page of each client, one request at
// a time: the latency of a request when the machine is otherwise idle.
func BenchmarkProductPage(b *testing.B) {
	for _, c := range clients(b) {
		b.Run(c.name, func(b *testing.B) {
			c.env.T = b
			b.ReportAllocs()
			var bytes int
			n := 0
			for b.Loop() {
				r := c.env.Do(gatewaytest.Request{Query: c.query, Vars: map[string]any{"id": data.ProductID(1 + n%data.NumProducts)}})
				if r.Status != 200 || len(r.Errors) != 0 {
					b.Fatalf("status %d: %.300s", r.Status, r.Raw)
				}
				bytes += len(r.Raw)
				n++
			}
			b.ReportMetric(float64(bytes)/float64(n), "resp-bytes/op")
		})
	}
}

// BenchmarkProductPageParallel is the same with concurrent clients: ns/op is
// the inverse of throughput (requests per second = 1e9 / ns/op).
func BenchmarkProductPageParallel(b *testing.B) {
	for _, c := range clients(b) {
		b.Run(c.name, func(b *testing.B) {
			c.env.T = b
			b.ReportAllocs()
			b.SetParallelism(8)
			b.RunParallel(func(pb *testing.PB) {
				n := 0
				for pb.Next() {
					r := c.env.Do(gatewaytest.Request{Query: c.query, Vars: map[string]any{"id": data.ProductID(1 + n%data.NumProducts)}})
					if r.Status != 200 || len(r.Errors) != 0 {
						b.Errorf("status %d: %.300s", r.Status, r.Raw)
						return
					}
					n += 7
				}
			})
		})
	}
}

type client struct {
	name  string
	env   *gatewaytest.Env
	query string
}

func clients(b *testing.B) []client {
	return []client{
		{"web", startWeb(b, production), query(b, "web_product_page.graphql")},
		{"mobile", startMobile(b, production), query(b, "mobile_product_detail.graphql")},
	}
}
