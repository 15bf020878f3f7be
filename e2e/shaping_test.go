package e2e_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/shared/gateway/gatewaytest"
)

// maxMobileShare is the promise of the BFF split: for the same product,
// the phone receives at most 40% of the bytes the web page receives.
const maxMobileShare = 0.40

// TestMobileResponseIsAFractionOfWeb asks both BFFs for the same products
// (the page each client renders) and compares the response bodies' bytes.
// Products are spread over the whole catalogue so the figure does not rest
// on one lucky item; every one must hold, not just the average.
func TestMobileResponseIsAFractionOfWeb(t *testing.T) {
	webEnv, mobileEnv := startWeb(t, nil), startMobile(t, nil)
	webQuery, mobileQuery := query(t, "web_product_page.graphql"), query(t, "mobile_product_detail.graphql")

	var sumWeb, sumMobile int
	var lines []string
	for n := 1; n <= data.NumProducts; n += data.NumProducts / 25 {
		id := data.ProductID(n)
		w := webEnv.Do(gatewaytest.Request{Query: webQuery, Vars: map[string]any{"id": id}})
		w.NoErrors(t)
		m := mobileEnv.Do(gatewaytest.Request{Query: mobileQuery, Vars: map[string]any{"id": id}})
		m.NoErrors(t)
		if !strings.Contains(string(w.Data), `"`+id+`"`) || !strings.Contains(string(m.Data), `"`+id+`"`) {
			t.Fatalf("%s: a response is not about the product: web %.200s mobile %.200s", id, w.Raw, m.Raw)
		}
		share := float64(len(m.Raw)) / float64(len(w.Raw))
		lines = append(lines, fmt.Sprintf("%s\tweb %5d B\tmobile %5d B\t%4.1f%%", id, len(w.Raw), len(m.Raw), 100*share))
		if share > maxMobileShare {
			t.Errorf("%s: mobile response %d B is %.1f%% of web %d B, over %.0f%%", id, len(m.Raw), 100*share, len(w.Raw), 100*maxMobileShare)
		}
		sumWeb += len(w.Raw)
		sumMobile += len(m.Raw)
	}
	t.Logf("response bytes per product (web product page vs mobile product detail):\n%s\ntotal: web %d B, mobile %d B, mobile = %.1f%% of web",
		strings.Join(lines, "\n"), sumWeb, sumMobile, 100*float64(sumMobile)/float64(sumWeb))

}
