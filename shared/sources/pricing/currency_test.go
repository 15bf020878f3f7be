package pricing_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"
	"google.golang.org/grpc"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/gen/openapi/accountsapi"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/upstream"
)

// sentCurrencies records the currency of every BatchGetPrices request the
// client sends, so a test can tell which calls went out, not just how many.
type sentCurrencies struct {
	mu  sync.Mutex
	got []string
}

func (s *sentCurrencies) interceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if r, ok := req.(*pricingv1.BatchGetPricesRequest); ok {
			s.mu.Lock()
			s.got = append(s.got, r.GetCurrency())
			s.mu.Unlock()
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

func (s *sentCurrencies) sorted() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.got)
	slices.Sort(out)
	return out
}

type loaded struct {
	p   *pricing.Price
	err error
}

// loadAll starts one PriceIn per key at once and returns the results in key
// order. Each load is its own goroutine, as gqlgen runs sibling fields.
func loadAll(ctx context.Context, keys [][2]string) []loaded {
	out := make([]loaded, len(keys))
	var wg sync.WaitGroup
	for i, k := range keys {
		wg.Go(func() {
			p, err := pricing.For(ctx).PriceIn(ctx, k[0], k[1])
			out[i] = loaded{p, err}
		})
	}
	wg.Wait()
	return out
}

// One batch of loads in three currencies costs exactly three BatchGetPrices
// calls, each carrying its currency and every product of it, made at the
// same time; the amounts are what the pricing service answers for that
// currency, and a converted price differs from the list price.
func TestPriceInOneCallPerCurrencyConcurrently(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	// The three calls are held at a barrier that opens only once all three
	// are in flight: calls made one after another would each time out.
	c.Faults().Set(pricing.ID, batchRoute, mocks.Fault{Kind: mocks.FaultBarrier, Group: "currencies", Size: 3})
	var sent sentCurrencies
	// Capacity-triggered batches (hour-long wait): each currency's three
	// keys form one batch.
	ctx := request(t, upstream.Config{Address: c.Addr(pricing.ID), MaxBatch: 3, BatchWait: time.Hour, Timeout: 10 * time.Second, Retries: -1},
		upstream.WithUnaryInterceptors(sent.interceptor()))

	products := []int{1, 2, 3}
	currencies := []string{"", "GBP", "CHF"}
	var keys [][2]string
	for _, cur := range currencies {
		for _, n := range products {
			keys = append(keys, [2]string{data.ProductID(n), cur})
		}
	}
	got := loadAll(ctx, keys)

	d := data.Load()
	for i, k := range keys {
		require.NoError(t, got[i].err, "%v", k)
		n, _ := data.ParseProductID(k[0])
		want, err := d.Price(n, k[1])
		require.NoError(t, err)
		p := got[i].p
		assert.Equal(t, k[0], p.ProductID)
		assert.Equal(t, want.Currency, p.Currency, "%v", k)
		assert.Equal(t, want.AmountMinor, p.AmountMinor, "%v", k)
		assert.Equal(t, want.ListAmountMinor, p.ListAmountMinor, "%v", k)
		assert.Equal(t, want.DiscountPercent, p.DiscountPercent, "%v", k)
		if k[1] == "" {
			assert.Equal(t, pricing.ListCurrency, p.Currency, "no currency: the list currency")
		} else {
			list, _ := d.Price(n, "")
			assert.NotEqual(t, list.ListAmountMinor, p.ListAmountMinor, "%v is a conversion of the list price, not the list price", k)
		}
	}
	assert.EqualValues(t, 3, c.Counters().Get(pricing.ID, batchRoute), "one call per currency")
	assert.Equal(t, []string{"", "CHF", "GBP"}, sent.sorted())
}

// The same product in two currencies is two prices; the same product in the
// same currency twice is one, and a second request for it is served from
// the request's cache.
func TestPriceInCachesPerProductAndCurrency(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	// Each currency's one key fills its batch (the repeated one is
	// deduplicated).
	cfg := upstream.Config{Address: c.Addr(pricing.ID), MaxBatch: 1, BatchWait: time.Hour}
	cl, err := pricing.NewClient(cfg)
	require.NoError(t, err)
	defer cl.Close()

	ctx := request(t, cfg)
	l := pricing.For(ctx)
	id := data.ProductID(7)
	got := loadAll(ctx, [][2]string{{id, "GBP"}, {id, "GBP"}, {id, "EUR"}, {id, ""}})
	for _, g := range got {
		require.NoError(t, g.err)
	}
	assert.Equal(t, "GBP", got[0].p.Currency)
	assert.Same(t, got[0].p, got[1].p)
	assert.Equal(t, "EUR", got[2].p.Currency)
	assert.Equal(t, got[2].p.AmountMinor, got[3].p.AmountMinor, "EUR is the list currency")
	// Three distinct keys: "GBP", "EUR" and "" are three currencies as far
	// as the request goes (the service decides what "" means).
	assert.EqualValues(t, 3, c.Counters().Get(pricing.ID, batchRoute))

	c.Counters().Reset()
	p, err := l.PriceIn(ctx, id, "GBP")
	require.NoError(t, err)
	assert.Same(t, got[0].p, p)
	assert.Zero(t, c.Counters().Total(pricing.ID), "cached within the request")

	single, err := cl.PriceIn(context.Background(), id, "GBP")
	require.NoError(t, err)
	assert.Equal(t, got[0].p, single, "GetPrice and BatchGetPrices agree")
}

// A currency the service does not sell in fails with the service's
// INVALID_ARGUMENT as BAD_REQUEST, for its own loads only: the other
// currency of the same batch is answered. A code that is not ISO 4217 is
// refused before any call; an unknown product is NOT_FOUND in any currency.
func TestPriceInCurrencyErrors(t *testing.T) {
	c, err := mocks.Start(context.Background(), mocks.Options{})
	require.NoError(t, err)
	defer c.Close()
	cl, err := pricing.NewClient(upstream.Config{Address: c.Addr(pricing.ID), MaxBatch: 3, BatchWait: time.Hour, Retries: -1})
	require.NoError(t, err)
	defer cl.Close()

	ctx := request(t, upstream.Config{Address: c.Addr(pricing.ID), MaxBatch: 3, BatchWait: time.Hour, Retries: -1})
	// Each currency's products in one call made at once.
	_, jpy := pricing.PricesByProduct.LoadMany(ctx, []string{"prd_000001"}, "JPY")
	gbp, gbpErrs := pricing.PricesByProduct.LoadMany(ctx, []string{"prd_000002", "prd_999999"}, "GBP")
	assert.Equal(t, errcode.BadRequest, upstream.CodeOf(jpy[0]))
	var ue *upstream.Error
	require.ErrorAs(t, jpy[0], &ue)
	assert.Equal(t, pricing.ID, ue.Service)
	assert.NotContains(t, ue.Error(), "supported", "the backend's message stays internal")
	require.NoError(t, gbpErrs[0])
	assert.Equal(t, "GBP", gbp[0].Currency)
	assert.True(t, upstream.IsNotFound(gbpErrs[1]))
	assert.EqualValues(t, 2, c.Counters().Get(pricing.ID, batchRoute))

	_, err = cl.PriceIn(context.Background(), "prd_000001", "JPY")
	assert.Equal(t, errcode.BadRequest, upstream.CodeOf(err))

	c.Counters().Reset()
	for _, bad := range []string{"gbp", "POUND", "G1P"} {
		_, err := pricing.For(ctx).PriceIn(ctx, "prd_000001", bad)
		assert.Equal(t, errcode.BadRequest, upstream.CodeOf(err), bad)
		_, err = cl.PriceIn(context.Background(), "prd_000001", bad)
		assert.Equal(t, errcode.BadRequest, upstream.CodeOf(err), bad)
	}
	assert.Zero(t, c.Counters().Total(pricing.ID), "malformed codes cost no call")
}

// CurrencyForLocale is the orders service's rule: it agrees with the data
// the mocks price orders by for every account locale, and a locale outside
// the markets gets the list currency.
func TestCurrencyForLocale(t *testing.T) {
	cases := map[string]string{
		"en-GB": "GBP", "de-DE": "EUR", "fr-FR": "EUR", "nl-NL": "EUR",
		"und": "EUR", "en": "EUR", "en-US": "EUR", "ja-JP": "EUR", "cy-GB": "GBP",
	}
	for in, want := range cases {
		assert.Equal(t, want, pricing.CurrencyForLocale(language.MustParse(in)), in)
	}
	assert.Equal(t, "EUR", pricing.CurrencyForLocale(language.Und))

	d := data.Load()
	seen := map[accountsapi.UserLocale]bool{}
	for _, u := range d.Users {
		if seen[u.Locale] {
			continue
		}
		seen[u.Locale] = true
		assert.Equal(t, data.CurrencyForLocale(u.Locale), pricing.CurrencyForLocale(language.MustParse(string(u.Locale))), u.Locale)
	}
	assert.Len(t, seen, 4, "the seeded users span the four markets")
}
