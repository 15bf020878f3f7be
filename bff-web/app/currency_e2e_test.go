package app_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tandemgw/tandem/bff-web/app"
	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/data"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
	"github.com/tandemgw/tandem/shared/market"
)

const batchGetPrices = pricingv1.PricingService_BatchGetPrices_FullMethodName

type money struct {
	AmountMinor int64
	Currency    string
	Formatted   string
}

type priceData struct {
	Current, List   money
	DiscountPercent int
}

// discountedProduct is a product whose list and current price differ, so
// both amounts are checked against pricing.
func discountedProduct(t *testing.T) int {
	t.Helper()
	d := data.Load()
	for n := 1; n <= data.NumProducts; n++ {
		if p, err := d.Price(n, ""); err == nil && p.DiscountPercent > 0 {
			return n
		}
	}
	t.Fatal("no discounted product")
	return 0
}

// wantMoney is what Money should read for amount in currency, formatted in tag.
func wantMoney(tag string, amount int64, currency string) money {
	return money{AmountMinor: amount, Currency: currency, Formatted: market.Resolve(tag, "").Format(amount, currency)}
}

// checkPrice compares a Product.price with what the pricing mock answers
// for product n in currency, formatted in tag.
func checkPrice(t *testing.T, what string, got priceData, n int, currency, tag string) {
	t.Helper()
	p, err := data.Load().Price(n, currency)
	if err != nil {
		t.Fatal(err)
	}
	if got.Current != wantMoney(tag, p.AmountMinor, currency) || got.List != wantMoney(tag, p.ListAmountMinor, currency) || got.DiscountPercent != p.DiscountPercent {
		t.Errorf("%s: price %+v, want %s current %d list %d -%d%% formatted in %s", what, got, currency, p.AmountMinor, p.ListAmountMinor, p.DiscountPercent, tag)
	}
}

const priceQuery = `query($id: ID!) { product(id: $id) {
  price { current { amountMinor currency formatted } list { amountMinor currency formatted } discountPercent }
} }`

// An anonymous request is priced in the market of its Accept-Language: the
// same product is GBP for en-GB and EUR for de-DE, each what pricing
// answers in that currency (a conversion, not the list price relabelled),
// and formatted in that locale. A request naming no market gets the default
// market: EUR, formatted in en-GB.
func TestPriceCurrencyFollowsAcceptLanguage(t *testing.T) {
	e := newEnv(t, nil)
	n := discountedProduct(t)
	cases := []struct{ header, currency, tag string }{
		{"en-GB,en;q=0.9", "GBP", "en-GB"},
		{"de-DE", "EUR", "de-DE"},
		{"fr-CH, fr;q=0.9", "EUR", "fr-FR"},
		{"", "EUR", "en-GB"},
		{"ja-JP", "EUR", "en-GB"},
	}
	seen := map[string]int64{}
	for _, c := range cases {
		r := e.do(gql{query: priceQuery, vars: map[string]any{"id": data.ProductID(n)}, acceptLanguage: c.header})
		r.NoErrors(t)
		var got struct{ Product struct{ Price priceData } }
		r.Decode(t, &got)
		checkPrice(t, "Accept-Language "+c.header, got.Product.Price, n, c.currency, c.tag)
		seen[got.Product.Price.List.Currency] = got.Product.Price.List.AmountMinor
	}
	if seen["GBP"] == 0 || seen["GBP"] == seen["EUR"] {
		t.Errorf("GBP and EUR list amounts %v: the GBP price must be pricing's conversion", seen)
	}
}

// A signed-in en-GB customer sees product prices in the currency of their
// order totals (GBP), even from a browser that asks for German: the
// account's market wins over Accept-Language, and formatting follows it. A
// seeded order line's unit price is what pricing answered then, so the
// line's product must cost exactly that now. The same holds the other way
// round for a de-DE customer with an English browser.
func TestSignedInPriceMatchesOrderCurrency(t *testing.T) {
	e := newEnv(t, nil)
	const q = `{ viewer { orders(first: 3) { nodes {
  total { currency formatted }
  lines { unitPrice { amountMinor currency } product { id price { current { amountMinor currency formatted } } } }
} } } }`
	for _, c := range []struct{ account, header, currency string }{
		{"en-GB", "de-DE,de;q=0.9", "GBP"},
		{"de-DE", "en-GB", "EUR"},
	} {
		user := userOfLocale(t, c.account)
		r := e.do(gql{query: q, token: e.Token(user.ID), acceptLanguage: c.header})
		r.NoErrors(t)
		var got struct {
			Viewer struct {
				Orders struct {
					Nodes []struct {
						Total struct{ Currency, Formatted string }
						Lines []struct {
							UnitPrice struct {
								AmountMinor int64
								Currency    string
							}
							Product struct {
								ID    string
								Price struct{ Current money }
							}
						}
					}
				}
			}
		}
		r.Decode(t, &got)
		nodes := got.Viewer.Orders.Nodes
		if len(nodes) == 0 {
			t.Fatalf("%s: no orders: %s", user.ID, r.Raw)
		}
		for _, o := range nodes {
			if o.Total.Currency != c.currency {
				t.Fatalf("%s (%s): order total in %s, want %s", user.ID, c.account, o.Total.Currency, c.currency)
			}
			for _, l := range o.Lines {
				cur := l.Product.Price.Current
				if cur.Currency != o.Total.Currency {
					t.Errorf("%s: product %s priced in %s, order total in %s", user.ID, l.Product.ID, cur.Currency, o.Total.Currency)
				}
				if want := wantMoney(c.account, l.UnitPrice.AmountMinor, l.UnitPrice.Currency); cur != want {
					t.Errorf("%s: product %s price %+v, want the order line's unit price %+v", user.ID, l.Product.ID, cur, want)
				}
			}
		}
	}
}

// userOfLocale is a seeded user of the locale with at least one order.
func userOfLocale(t *testing.T, loc string) *data.User {
	t.Helper()
	d := data.Load()
	for i := range d.Users {
		if string(d.Users[i].Locale) == loc && len(d.OrdersByUser[i]) > 0 {
			return &d.Users[i]
		}
	}
	t.Fatalf("no %s user with orders", loc)
	return nil
}

// A request has one currency, so a page of N products costs exactly one
// BatchGetPrices call whatever the market, and every price on it is in that
// market's currency and amount.
func TestProductPageOneBatchInTheRequestCurrency(t *testing.T) {
	e := newEnv(t, nil)
	const pageSize = 40
	const q = `query($first: Int!) { products(first: $first) { nodes { id price { current { amountMinor currency formatted } list { amountMinor currency formatted } discountPercent } } } }`
	gb := userOfLocale(t, "en-GB")
	for _, c := range []struct {
		name, header, token, currency, tag string
	}{
		{"anonymous en-GB", "en-GB", "", "GBP", "en-GB"},
		{"anonymous de-DE", "de-DE", "", "EUR", "de-DE"},
		{"signed-in en-GB with a Dutch browser", "nl-NL", e.Token(gb.ID), "GBP", "en-GB"},
	} {
		e.Mocks.Counters().Reset()
		r := e.do(gql{query: q, vars: map[string]any{"first": pageSize}, token: c.token, acceptLanguage: c.header})
		r.NoErrors(t)
		var got struct {
			Products struct {
				Nodes []struct {
					ID    string
					Price priceData
				}
			}
		}
		r.Decode(t, &got)
		if len(got.Products.Nodes) != pageSize {
			t.Fatalf("%s: %d products, want %d", c.name, len(got.Products.Nodes), pageSize)
		}
		for _, p := range got.Products.Nodes {
			n, ok := data.ParseProductID(p.ID)
			if !ok {
				t.Fatalf("product id %q", p.ID)
			}
			checkPrice(t, c.name+" "+p.ID, p.Price, n, c.currency, c.tag)
		}
		if calls := e.Mocks.Counters().Get("pricing", batchGetPrices); calls != 1 {
			t.Errorf("%s: %d BatchGetPrices calls for %d products, want 1", c.name, calls, pageSize)
		}
		if total := e.Mocks.Counters().Total("pricing"); total != 1 {
			t.Errorf("%s: %d pricing calls in total, want 1", c.name, total)
		}
	}
}

// With accounts down, a signed-in request cannot know the account's market:
// prices and their formatting fall back to the Accept-Language market
// together (never GBP formatted as German, or the other way round), and no
// price fails because of accounts.
func TestPriceFallsBackToAcceptLanguageWhenAccountsFails(t *testing.T) {
	e := newEnv(t, func(c *app.Config) {
		u := c.Upstreams["accounts"]
		u.Retries = -1
		c.Upstreams["accounts"] = u
	})
	e.Mocks.Faults().Set("accounts", "", mocks.Fault{Kind: mocks.FaultError, Status: 503})
	n := discountedProduct(t)
	gb := userOfLocale(t, "en-GB")
	r := e.do(gql{query: priceQuery, vars: map[string]any{"id": data.ProductID(n)}, token: e.Token(gb.ID), acceptLanguage: "de-DE"})
	r.NoErrors(t)
	var got struct{ Product struct{ Price priceData } }
	r.Decode(t, &got)
	checkPrice(t, "accounts down", got.Product.Price, n, "EUR", "de-DE")
}

// The viewer's account decides the market every price waits for: it is
// read as soon as it is asked for, not after the accounts loader's batch
// window, which here is 10 s, past the request's 3 s budget. Were the read
// held by the window, it would fail with the budget, and the prices would
// fall back to the browser's market (EUR for de-DE) instead of the
// account's (GBP).
func TestViewerMarketIsReadWithoutTheBatchWindow(t *testing.T) {
	e := newEnv(t, func(c *app.Config) {
		u := c.Upstreams["accounts"]
		u.BatchWait = 10 * time.Second
		c.Upstreams["accounts"] = u
	})
	user := userOfLocale(t, "en-GB")
	r := e.do(gql{query: `{ products(first: 3) { nodes { price { current { currency } } } } }`, token: e.Token(user.ID), acceptLanguage: "de-DE"})
	r.NoErrors(t)
	var got struct {
		Products struct {
			Nodes []struct {
				Price struct{ Current struct{ Currency string } }
			}
		}
	}
	r.Decode(t, &got)
	if len(got.Products.Nodes) != 3 {
		t.Fatalf("%s", r.Raw)
	}
	for _, n := range got.Products.Nodes {
		if n.Price.Current.Currency != "GBP" {
			t.Errorf("priced in %s, want the account's GBP: %s", n.Price.Current.Currency, r.Raw)
		}
	}
}

// TestViewerMarketIsRemembered: with the default market.accountTTL a
// signed-in viewer's second request is priced in its account's market
// without reading the account again; with 0, every request reads it.
func TestViewerMarketIsRemembered(t *testing.T) {
	user := userOfLocale(t, "en-GB")
	for _, c := range []struct {
		name      string
		ttl       *time.Duration
		wantReads int64
	}{
		{"default", nil, 1},
		{"accountTTL 0", new(time.Duration), 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, func(cfg *app.Config) {
				if c.ttl != nil {
					cfg.Market.AccountTTL = *c.ttl
				}
			})
			e.Mocks.Counters().Reset()
			for range 3 {
				r := e.do(gql{query: `{ products(first: 2) { nodes { price { current { currency } } } } }`, token: e.Token(user.ID), acceptLanguage: "de-DE"})
				r.NoErrors(t)
				if !strings.Contains(string(r.Raw), `"currency":"GBP"`) || strings.Contains(string(r.Raw), `"EUR"`) {
					t.Fatalf("not priced in the account's GBP: %s", r.Raw)
				}
			}
			if n := e.Mocks.Counters().Total("accounts"); n != c.wantReads {
				t.Errorf("accounts: %d calls for 3 requests, want %d: %v", n, c.wantReads, e.Mocks.Counters().Snapshot()["accounts"])
			}
		})
	}
}
