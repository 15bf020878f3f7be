package data

import (
	"errors"
	"slices"

	"github.com/tandemgw/tandem/shared/gen/openapi/accountsapi"
)

// BaseCurrency is every product's list currency.
const BaseCurrency = "EUR"

// ErrUnknownCurrency is returned by [Set.Price] for a currency the shop does
// not sell in.
var ErrUnknownCurrency = errors.New("unsupported currency")

// exchange rates against EUR in basis points (1/10000).
var rates = map[string]int64{"EUR": 10000, "GBP": 8600, "USD": 10900, "CHF": 9500}

// Currencies lists the currencies [Set.Price] accepts, sorted.
func Currencies() []string {
	out := make([]string, 0, len(rates))
	for c := range rates {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// CurrencyForLocale is the currency a user of the locale pays in: GBP for
// en-GB, EUR otherwise. Seeded orders and placed orders use it.
func CurrencyForLocale(locale accountsapi.UserLocale) string {
	if locale == accountsapi.UserLocaleEnGB {
		return "GBP"
	}
	return "EUR"
}

// mix is SplitMix64: a fast, well-distributed hash used to derive
// per-entity values that do not depend on generation order.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// list prices in EUR cents; products pick one by hash.
var priceLadder = []int64{
	499, 799, 999, 1299, 1499, 1999, 2499, 2999, 3499, 3999, 4999, 5999, 6999, 7999,
	8999, 9999, 12999, 14999, 19999, 24999, 29999, 39999, 49999, 69999, 89999, 129999,
}

var discountLabels = []string{"Winter sale", "Spring deal", "Member price", "Clearance", "Bundle saver"}

// priceEUR returns the list price in EUR cents and the discount of product n.
func priceEUR(n int) (list int64, pct int, label string) {
	h := mix(uint64(n)*0x1000193 + 0x50a1)
	list = priceLadder[h%uint64(len(priceLadder))]
	if (h>>16)%7 == 0 { // about one product in seven is discounted
		pct = []int{10, 15, 20, 25, 30, 40, 50}[(h>>24)%7]
		label = discountLabels[(h>>32)%uint64(len(discountLabels))]
	}
	return list, pct, label
}

// amount is Price(n, currency).AmountMinor without the allocations; currency
// must be supported.
func (s *Set) amount(n int, currency string) int64 {
	list, pct := convert(n, rates[currency])
	if pct > 0 {
		return (list*int64(100-pct) + 50) / 100
	}
	return list
}

// convert returns the list price of product n at rate and its discount.
func convert(n int, rate int64) (list int64, pct int) {
	list, pct, _ = priceEUR(n)
	return fromEUR(list, rate), pct
}

// fromEUR converts an amount in EUR cents at rate: rounded up to whole
// units and ending in .99, as the shop displays prices in other currencies.
// An amount in EUR (or of zero) is returned as it is.
func fromEUR(minor, rate int64) int64 {
	if rate == rates[BaseCurrency] || minor == 0 {
		return minor
	}
	units := (minor*rate + 10000*100 - 1) / (10000 * 100)
	return units*100 - 1
}

// Price returns the current price of product n (1-based) in currency
// ("" means [BaseCurrency]). It is a pure function of n and currency: prices
// in other currencies are the EUR price converted and rounded to end in .99.
func (s *Set) Price(n int, currency string) (Price, error) {
	if currency == "" {
		currency = BaseCurrency
	}
	rate, ok := rates[currency]
	if !ok {
		return Price{}, ErrUnknownCurrency
	}
	_, _, label := priceEUR(n)
	list, pct := convert(n, rate)
	amount := list
	if pct > 0 {
		amount = (list*int64(100-pct) + 50) / 100
	}
	return Price{
		ProductID:       ProductID(n),
		Currency:        currency,
		AmountMinor:     amount,
		ListAmountMinor: list,
		DiscountPercent: pct,
		DiscountLabel:   label,
	}, nil
}

var warehouses = []string{"AMS-1", "AMS-2", "FRA-1", "LHR-1", "CDG-1"}

// Stock returns the stock of product n (1-based). About one product in
// eleven is out of stock; a few more have only a handful left.
func (s *Set) Stock(n int) Stock {
	h := mix(uint64(n)*0x3c6ef372 + 0x570c)
	avail := 0
	switch {
	case h%11 == 0:
		avail = 0
	case (h>>8)%9 == 0:
		avail = 1 + int((h>>16)%5)
	default:
		avail = 5 + int((h>>16)%495)
	}
	minDays := 1 + int((h>>40)%3)
	maxDays := minDays + 1 + int((h>>44)%4)
	if avail == 0 {
		minDays += 7
		maxDays += 14
	}
	return Stock{
		SKU:             SKU(n),
		Available:       avail,
		Warehouse:       warehouses[(h>>32)%uint64(len(warehouses))],
		DeliveryMinDays: minDays,
		DeliveryMaxDays: maxDays,
	}
}
