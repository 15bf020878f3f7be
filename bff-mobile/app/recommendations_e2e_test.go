package app_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tandemgw/tandem/bff-mobile/app"
	"github.com/tandemgw/tandem/mocks"
)

const routeRecommendations = "GET /users/{userId}/recommendations"

// recommendedIDs asks the recommendations mock directly (test set-up, not
// the path under test) for a user's list.
func (e *env) recommendedIDs(user string, limit int) []string {
	e.T.Helper()
	u := e.Mocks.URL("recommendations") + "/users/" + user + "/recommendations?" + url.Values{"limit": {strconv.Itoa(limit)}}.Encode()
	resp, err := http.Get(u)
	if err != nil {
		e.T.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var list struct{ Items []struct{ ProductID string } }
	if resp.StatusCode != http.StatusOK {
		e.T.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		e.T.Fatal(err)
	}
	ids := make([]string, len(list.Items))
	for i, it := range list.Items {
		ids[i] = it.ProductID
	}
	return ids
}

// recommendedTweak turns off retries of recommendations, so fault tests
// fail on the first attempt. (The cards' sibling loads share one batch
// thanks to the harness's batch window, gatewaytest.BatchWait.)
func recommendedTweak(c *app.Config) {
	u := c.Upstreams["recommendations"]
	u.Retries = -1
	c.Upstreams["recommendations"] = u
}

type recommendedCard struct {
	ID           string
	Name         string
	ThumbnailURL *string
	Price        *string
}

// A signed-in viewer's home screen shows the service's recommendations for
// that viewer, in its order, as full product cards: one recommendations
// call (carrying the viewer's identity) and one catalog batch for all cards.
func TestHomeRecommended(t *testing.T) {
	e := newEnv(t, recommendedTweak)
	const user = "usr_000042"
	want := e.recommendedIDs(user, 6) // the default of first
	e.Mocks.Counters().Reset()
	e.Mocks.ResetRequests()

	r := e.do(req{query: `{ home { recommended { id name thumbnailUrl(width: 400) price } } }`, token: e.Token(user)})
	r.NoErrors(t)
	var d struct {
		Home struct{ Recommended []recommendedCard }
	}
	r.Decode(t, &d)
	var got []string
	for _, c := range d.Home.Recommended {
		got = append(got, c.ID)
		if c.Name == "" || c.ThumbnailURL == nil || !strings.Contains(*c.ThumbnailURL, "-400.jpg") || c.Price == nil || *c.Price == "" {
			t.Fatalf("card %s is incomplete: %s", c.ID, r.Raw)
		}
	}
	if len(want) != 6 || !slices.Equal(got, want) {
		t.Fatalf("recommended = %v, want the service's list %v", got, want)
	}

	c := e.Mocks.Counters()
	if n := c.Total("recommendations"); n != 1 || c.Get("recommendations", routeRecommendations) != 1 {
		t.Errorf("recommendations: %d calls, want 1: %v", n, c.Snapshot()["recommendations"])
	}
	if n := c.Total("catalog"); n != 1 {
		t.Errorf("catalog: %d calls, want one batch: %v", n, c.Snapshot()["catalog"])
	}
	for _, rq := range e.Mocks.Requests("catalog") {
		u, err := url.Parse(rq.Target)
		if err != nil {
			t.Fatal(err)
		}
		ids := strings.Split(u.Query().Get("ids"), ",")
		if rq.Route != "GET /products" || !slices.Equal(slices.Sorted(slices.Values(ids)), slices.Sorted(slices.Values(want))) {
			t.Errorf("catalog call %s, want one batch of %v", rq.Target, want)
		}
	}
	if n := c.Get("pricing", routePrices); n != 1 {
		t.Errorf("pricing: %d batch calls, want 1", n)
	}
	for _, rq := range e.Mocks.Requests("recommendations") {
		if rq.Subject != user {
			t.Errorf("recommendations call carried subject %q, want %q", rq.Subject, user)
		}
	}

	// first picks the length.
	r = e.do(req{query: `{ home { recommended(first: 2) { id } } }`, token: e.Token(user)})
	r.NoErrors(t)
	r.Decode(t, &d)
	if len(d.Home.Recommended) != 2 || d.Home.Recommended[0].ID != want[0] || d.Home.Recommended[1].ID != want[1] {
		t.Fatalf("recommended(first: 2): %s", r.Raw)
	}
}

// Anonymous home screens get an empty section without an error and without
// calling any backend for it: the service only recommends per user.
func TestHomeRecommendedAnonymous(t *testing.T) {
	e := newEnv(t, recommendedTweak)
	r := e.do(req{query: `{ home { locale recommended { id } } }`})
	r.NoErrors(t)
	var d struct {
		Home struct {
			Locale      string
			Recommended *[]recommendedCard
		}
	}
	r.Decode(t, &d)
	if d.Home.Locale == "" || d.Home.Recommended == nil || len(*d.Home.Recommended) != 0 {
		t.Fatalf("want an empty list: %s", r.Raw)
	}
	if calls := e.Calls("recommendations", "catalog"); calls["recommendations"] != 0 || calls["catalog"] != 0 {
		t.Fatalf("anonymous recommended called backends: %v", calls)
	}
}

// When recommendations fails, only home.recommended is null, with an
// error naming the code and the service; the other sections stand.
func TestHomeRecommendedPartialResults(t *testing.T) {
	e := newEnv(t, recommendedTweak)
	e.Mocks.Faults().Set("recommendations", routeRecommendations, mocks.Fault{Kind: mocks.FaultError, Status: 503})
	r := e.do(req{query: `{ home { locale viewer { name } recommended { id name } } }`, token: e.Token("usr_000042")})
	if len(r.Errors) != 1 {
		t.Fatalf("want exactly one error: %s", r.Raw)
	}
	if ext := r.ErrorAt(t, "home.recommended").Extensions; ext["code"] != "UPSTREAM_UNAVAILABLE" || ext["service"] != "recommendations" {
		t.Fatalf("extensions %v: %s", ext, r.Raw)
	}
	var d struct {
		Home struct {
			Locale      string
			Viewer      *struct{ Name string }
			Recommended *[]recommendedCard
		}
	}
	r.Decode(t, &d)
	if d.Home.Locale == "" || d.Home.Viewer == nil || d.Home.Viewer.Name == "" || d.Home.Recommended != nil {
		t.Fatalf("only recommended may be null: %s", r.Raw)
	}
	e.assertNoInternals(r)
}

// first outside 1..20 is the client's mistake and never reaches the service.
func TestHomeRecommendedBadFirst(t *testing.T) {
	e := newEnv(t, nil)
	for _, first := range []int{0, 21} {
		r := e.do(req{query: `query($first: Int) { home { recommended(first: $first) { id } } }`,
			vars: map[string]any{"first": first}, token: e.Token("usr_000042")})
		r.WantCode(t, "home.recommended", "BAD_USER_INPUT")
	}
	if n := e.Calls("recommendations")["recommendations"]; n != 0 {
		t.Fatalf("recommendations called %d times for invalid input", n)
	}
}

// The recommendations address is configured like every other source's, by
// the shared environment variable and by flag (the flag wins); without
// either the configuration has no entry and the registry uses the
// source's DefaultAddress (shared/gateway's tests cover that fallback).
func TestRecommendationsAddressConfig(t *testing.T) {
	cfg, err := app.Load(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := cfg.Upstreams["recommendations"]; ok {
		t.Fatalf("unexpected default entry %+v", u)
	}
	environ := []string{"TANDEM_UPSTREAMS_RECOMMENDATIONS_ADDRESS=http://10.0.0.7:9105"}
	if cfg, err = app.Load(nil, environ); err != nil {
		t.Fatal(err)
	}
	if got := cfg.Upstreams["recommendations"].Address; got != "http://10.0.0.7:9105" {
		t.Fatalf("address from the environment %q", got)
	}
	if cfg, err = app.Load([]string{"-upstream", "recommendations.address=http://10.0.0.8:9105"}, environ); err != nil {
		t.Fatal(err)
	}
	if got := cfg.Upstreams["recommendations"].Address; got != "http://10.0.0.8:9105" {
		t.Fatalf("address from the flag %q (the flag wins)", got)
	}
}
