package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/mocks"
)

// pageQueries is what the web product page fires at once, one query per
// component: the header's viewer, the cart badge, the category menu, the
// product, its reviews, related products and recommendations.
const pageQueries = 7

// The default in-flight cap admits a whole page at once, signed in or not:
// every product load is held at a barrier that opens only when all seven
// are in flight together, so a cap below seven leaves the admitted ones
// waiting until their deadline and the rest refused with 429.
func TestAPageOfQueriesFitsTheDefaultInFlightCap(t *testing.T) {
	for _, signedIn := range []bool{true, false} {
		name := map[bool]string{true: "signed in", false: "signed out"}[signedIn]
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, func(c *app.Config) {
				u := c.Upstreams["catalog"]
				u.Timeout, u.Retries = 10*time.Second, -1
				c.Upstreams["catalog"] = u
			})
			if app.Default().Throttle.Rate.Concurrency < pageQueries {
				t.Fatalf("default cap %d", app.Default().Throttle.Rate.Concurrency)
			}
			e.Mocks.Faults().Set("catalog", "GET /products/{id}", mocks.Fault{Kind: mocks.FaultBarrier, Group: "page", Size: pageQueries})
			token := ""
			if signedIn {
				token = e.Token("usr_000042")
			}
			type outcome struct {
				status int
				body   string
			}
			results := make(chan outcome, pageQueries)
			for i := range pageQueries {
				go func() {
					body, _ := json.Marshal(map[string]any{"query": `query($id: ID!) { product(id: $id) { name } }`,
						"variables": map[string]any{"id": "prd_00000" + string(rune('1'+i))}})
					req, _ := http.NewRequest(http.MethodPost, e.Server.URL+"/graphql", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					if token != "" {
						req.Header.Set("Authorization", "Bearer "+token)
					}
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						results <- outcome{body: err.Error()}
						return
					}
					b, _ := io.ReadAll(resp.Body)
					_ = resp.Body.Close()
					results <- outcome{resp.StatusCode, string(b)}
				}()
			}
			for range pageQueries {
				r := <-results
				if r.status != http.StatusOK || bytes.Contains([]byte(r.body), []byte(`"errors"`)) {
					t.Errorf("%d %s", r.status, r.body)
				}
			}
		})
	}
}
