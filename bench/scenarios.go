package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tandemgw/tandem/bench/ceiling"
)

// fanOutFirst is the page size of the fan-out query.
const fanOutFirst = 50

// productID is the product the product pages show (the README's example).
const productID = "prd_000042"

// viewerOrders is how many orders the viewer of the order history has.
const viewerOrders = 50

// scenario is one GraphQL operation sent to a BFF.
type scenario struct {
	key, title string
	bff        string
	query      string
	vars       map[string]any
	// signedIn: the operation needs the viewer (every variant sends the
	// viewer's token).
	signedIn bool
}

// Scenario keys, for Options.Scenarios.
const (
	ScenarioFanOut        = "fanout"
	ScenarioWebProduct    = "web-product"
	ScenarioMobileProduct = "mobile-product"
	ScenarioViewerOrders  = "viewer-orders"
)

// ScenarioKeys lists every scenario, in the order they run.
var ScenarioKeys = []string{ScenarioFanOut, ScenarioWebProduct, ScenarioMobileProduct, ScenarioViewerOrders}

// scenarios returns the scenarios named by keys (all when empty); the
// product pages are the e2e suite's documents, read from root.
func scenarios(root string, keys []string) ([]scenario, error) {
	read := func(name string) (string, error) {
		b, err := os.ReadFile(filepath.Join(root, "e2e", "testdata", name))
		return string(b), err
	}
	web, err := read("web_product_page.graphql")
	if err != nil {
		return nil, err
	}
	mobile, err := read("mobile_product_detail.graphql")
	if err != nil {
		return nil, err
	}
	all := []scenario{
		{key: ScenarioFanOut, title: fmt.Sprintf("fan-out: products(first: %d) with ratings, prices, stock", fanOutFirst),
			bff: sysBFFWeb, query: ceiling.Query(fanOutFirst)},
		{key: ScenarioWebProduct, title: "web product page (" + productID + ")",
			bff: sysBFFWeb, query: web, vars: map[string]any{"id": productID}},
		{key: ScenarioMobileProduct, title: "mobile product detail (" + productID + ")",
			bff: sysBFFMobile, query: mobile, vars: map[string]any{"id": productID}},
		{key: ScenarioViewerOrders, title: fmt.Sprintf("viewer's %d orders with lines, products, prices, stock", viewerOrders),
			bff: sysBFFWeb, query: ceiling.OrderHistoryQuery, vars: map[string]any{"first": viewerOrders}, signedIn: true},
	}
	if len(keys) == 0 {
		return all, nil
	}
	var out []scenario
	for _, k := range keys {
		i := slices.IndexFunc(all, func(s scenario) bool { return s.key == k })
		if i < 0 {
			return nil, fmt.Errorf("unknown scenario %q (known: %s)", k, strings.Join(ScenarioKeys, ", "))
		}
		out = append(out, all[i])
	}
	return out, nil
}

// rateRule says at which fixed rate a group's latency is measured.
type rateRule int

const (
	rateNone        rateRule = iota
	rateHalfOwn              // half the group's own saturation throughput
	rateHalfCeiling          // half the ceiling's, measured just before in the same round
)

// group is one system, configured one way, under one scenario: one
// process, measured at saturation and, per its rateRule, at a fixed rate.
type group struct {
	scenario scenario
	system   string
	variant  variant
	rate     rateRule
	// profile: this group is profiled when Options.ProfileDir is set.
	profile bool
}

func (g group) key() string { return g.scenario.key + "/" + g.system + "/" + g.variant.key }

// signedIn reports whether the group's requests carry the viewer's token.
func (g group) signedIn() bool { return g.scenario.signedIn || g.variant.signedIn }

// plan lists the groups of a run: the ceiling and bff-web in every
// variant on the fan-out query, the order history's ceiling and bff-web
// signed in, each product page on its BFF's defaults.
func plan(scs []scenario) []group {
	var gs []group
	for _, s := range scs {
		switch s.key {
		case ScenarioFanOut:
			gs = append(gs,
				group{scenario: s, system: sysCeiling, variant: variantCeiling, rate: rateHalfOwn},
				group{scenario: s, system: s.bff, variant: variantDefaults, rate: rateHalfCeiling, profile: true},
				group{scenario: s, system: s.bff, variant: variantSignedIn, profile: true},
				group{scenario: s, system: s.bff, variant: variantOff, profile: true},
				group{scenario: s, system: s.bff, variant: variantTracing},
			)
		case ScenarioViewerOrders:
			gs = append(gs,
				group{scenario: s, system: sysCeiling, variant: variantCeiling},
				group{scenario: s, system: s.bff, variant: variantSignedIn, rate: rateHalfOwn, profile: true},
			)
		default:
			v := variantDefaults
			if s.signedIn {
				v = variantSignedIn
			}
			gs = append(gs, group{scenario: s, system: s.bff, variant: v, rate: rateHalfOwn, profile: true})
		}
	}
	return gs
}
