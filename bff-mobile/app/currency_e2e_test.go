package app_test

import (
	"strings"
	"testing"

	"github.com/tandemgw/tandem/shared/market"

	"github.com/tandemgw/tandem/mocks/data"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
)

const batchGetPrices = pricingv1.PricingService_BatchGetPrices_FullMethodName

// wantPrice is product n's price as pricing answers it in currency,
// formatted in tag.
func wantPrice(t *testing.T, n int, currency, tag string) string {
	t.Helper()
	p, err := data.Load().Price(n, currency)
	if err != nil {
		t.Fatal(err)
	}
	return mustFormat(t, tag, p.AmountMinor, p.Currency)
}

func mustFormat(t *testing.T, tag string, amount int64, currency string) string {
	t.Helper()
	return market.Resolve(tag, "").Format(amount, currency)
}

// An anonymous request is priced in the market of its Accept-Language: the
// same product is "£…" for en-GB and "€…" for de-DE, each pricing's answer
// in that currency, formatted in the locale home.locale reports. A request
// naming no market gets the default market: EUR, formatted in en-GB.
func TestFormattedPriceCurrencyFollowsAcceptLanguage(t *testing.T) {
	e := newEnv(t, nil)
	n := detailProduct(t)
	const q = `query($id: ID!) { home { locale } product(id: $id) { price } }`
	seen := map[string]string{}
	for _, c := range []struct{ header, currency, tag string }{
		{"en-GB,en;q=0.9", "GBP", "en-GB"},
		{"de-DE", "EUR", "de-DE"},
		{"nl-BE", "EUR", "nl-NL"},
		{"", "EUR", "en-GB"},
		{"ja-JP", "EUR", "en-GB"},
	} {
		r := e.do(req{query: q, vars: map[string]any{"id": data.ProductID(n)}, acceptLanguage: c.header})
		r.NoErrors(t)
		var got struct {
			Home    struct{ Locale string }
			Product struct{ Price string }
		}
		r.Decode(t, &got)
		if want := wantPrice(t, n, c.currency, c.tag); got.Product.Price != want || got.Home.Locale != c.tag {
			t.Errorf("Accept-Language %q: %s %q, want %s %q (%s)", c.header, got.Home.Locale, got.Product.Price, c.tag, want, c.currency)
		}
		seen[c.currency+" "+c.tag] = got.Product.Price
	}
	gbp, _ := data.Load().Price(n, "GBP")
	eur, _ := data.Load().Price(n, "EUR")
	if gbp.AmountMinor == eur.AmountMinor {
		t.Fatalf("product %d costs the same in GBP and EUR: the test cannot tell a conversion from a relabelled list price", n)
	}
	if seen["GBP en-GB"] == seen["EUR en-GB"] {
		t.Errorf("en-GB prices in GBP and EUR look alike: %v", seen)
	}
}

// A signed-in en-GB customer sees product prices in the currency of their
// order totals (GBP), even from a browser that asks for German: the
// product of their latest order's first line costs exactly that line's
// unit price (a seeded line is what pricing answered in the order
// currency), and their order totals and the price share locale and
// currency. Likewise EUR for a de-DE customer with an English browser.
func TestSignedInPriceMatchesOrderCurrency(t *testing.T) {
	e := newEnv(t, nil)
	d := data.Load()
	const q = `query($id: ID!) { home { locale recentOrders(first: 3) { id total } } product(id: $id) { price } }`
	for _, c := range []struct{ account, header, currency string }{
		{"en-GB", "de-DE,de;q=0.9", "GBP"},
		{"de-DE", "en-GB", "EUR"},
	} {
		u, user := userWithOrders(t, 1, c.account)
		latest := d.Order(d.OrdersByUser[u-1][0])
		line := latest.Lines[0]
		if line.UnitPrice.Currency != c.currency || latest.Total.Currency != c.currency {
			t.Fatalf("%s order %s is in %s/%s, want %s", c.account, latest.ID, line.UnitPrice.Currency, latest.Total.Currency, c.currency)
		}
		r := e.do(req{query: q, vars: map[string]any{"id": line.ProductID}, token: e.Token(user.ID), acceptLanguage: c.header})
		r.NoErrors(t)
		var got struct {
			Home struct {
				Locale       string
				RecentOrders []struct{ ID, Total string }
			}
			Product struct{ Price string }
		}
		r.Decode(t, &got)
		if got.Home.Locale != c.account {
			t.Errorf("%s: locale %q, want the account's", user.ID, got.Home.Locale)
		}
		if want := mustFormat(t, c.account, line.UnitPrice.AmountMinor, line.UnitPrice.Currency); got.Product.Price != want {
			t.Errorf("%s: product %s price %q, want the order line's unit price %q", user.ID, line.ProductID, got.Product.Price, want)
		}
		if len(got.Home.RecentOrders) == 0 || got.Home.RecentOrders[0].ID != latest.ID {
			t.Fatalf("%s: recent orders %s", user.ID, r.Raw)
		}
		if want := mustFormat(t, c.account, latest.Total.AmountMinor, latest.Total.Currency); got.Home.RecentOrders[0].Total != want {
			t.Errorf("%s: order total %q, want %q", user.ID, got.Home.RecentOrders[0].Total, want)
		}
	}
}

// A request has one currency, so a search page of N cards costs exactly one
// BatchGetPrices call whatever the market, and every card's price is in
// that market's currency and amount.
func TestSearchPageOneBatchInTheRequestCurrency(t *testing.T) {
	e := newEnv(t, nil)
	d := data.Load()
	const pageSize = 20 // the surface's largest page
	q := ""
	for n := 1; n <= data.NumProducts && q == ""; n++ {
		brand := strings.ToLower(d.Product(n).Brand)
		matches := 0
		for m := 1; m <= data.NumProducts; m++ {
			if d.MatchesQuery(m, brand) {
				matches++
			}
		}
		if matches >= pageSize {
			q = brand
		}
	}
	if q == "" {
		t.Fatal("no brand with a full page of products")
	}
	_, gb := userWithOrders(t, 1, "en-GB")
	const search = `query($q: String!, $first: Int!) { search(query: $q, first: $first) { nodes { id price } } }`
	for _, c := range []struct{ name, header, token, currency, tag string }{
		{"anonymous en-GB", "en-GB", "", "GBP", "en-GB"},
		{"anonymous de-DE", "de-DE", "", "EUR", "de-DE"},
		{"signed-in en-GB with a Dutch phone", "nl-NL", e.Token(gb.ID), "GBP", "en-GB"},
	} {
		e.Mocks.Counters().Reset()
		r := e.do(req{query: search, vars: map[string]any{"q": q, "first": pageSize}, token: c.token, acceptLanguage: c.header})
		r.NoErrors(t)
		var got struct {
			Search struct {
				Nodes []struct {
					ID    string
					Price *string
				}
			}
		}
		r.Decode(t, &got)
		if len(got.Search.Nodes) != pageSize {
			t.Fatalf("%s: %d cards, want %d", c.name, len(got.Search.Nodes), pageSize)
		}
		for _, card := range got.Search.Nodes {
			n, ok := data.ParseProductID(card.ID)
			if !ok {
				t.Fatalf("card id %q", card.ID)
			}
			if want := wantPrice(t, n, c.currency, c.tag); card.Price == nil || *card.Price != want {
				t.Errorf("%s: %s price %v, want %q", c.name, card.ID, card.Price, want)
			}
		}
		if calls := e.Mocks.Counters().Get("pricing", batchGetPrices); calls != 1 {
			t.Errorf("%s: %d BatchGetPrices calls for %d cards, want 1", c.name, calls, pageSize)
		}
		if total := e.Mocks.Counters().Total("pricing"); total != 1 {
			t.Errorf("%s: %d pricing calls in total, want 1", c.name, total)
		}
	}
}
