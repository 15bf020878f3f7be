package data

import (
	"errors"
	"slices"
)

// ErrUnknownCountry is returned by [Set.ShippingQuote] for a country the
// shop does not deliver to.
var ErrUnknownCountry = errors.New("unsupported country")

// destination is a country the shop delivers to: the currency it pays in
// and whether it is in the EU single market (no customs from the EU
// warehouses).
type destination struct {
	currency string
	eu       bool
}

// destinations are the countries the shop delivers to, by ISO 3166-1
// alpha-2 code; every currency is one [Set.Price] knows.
var destinations = map[string]destination{
	"AT": {"EUR", true}, "BE": {"EUR", true}, "DE": {"EUR", true}, "ES": {"EUR", true},
	"FI": {"EUR", true}, "FR": {"EUR", true}, "IE": {"EUR", true}, "IT": {"EUR", true},
	"LU": {"EUR", true}, "NL": {"EUR", true}, "PT": {"EUR", true},
	"GB": {"GBP", false}, "CH": {"CHF", false}, "US": {"USD", false},
}

// ShippingCountries lists the countries [Set.ShippingQuote] accepts, sorted.
func ShippingCountries() []string {
	out := make([]string, 0, len(destinations))
	for c := range destinations {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// ShipsTo reports whether the shop delivers to country (ISO 3166-1
// alpha-2, upper case).
func ShipsTo(country string) bool {
	_, ok := destinations[country]
	return ok
}

// warehouseCountry is where each warehouse of [Set.Stock] dispatches from.
var warehouseCountry = map[string]string{"AMS-1": "NL", "AMS-2": "NL", "FRA-1": "DE", "LHR-1": "GB", "CDG-1": "FR"}

// domesticCarrier delivers within each warehouse country.
var domesticCarrier = map[string]string{"NL": "PostNL", "DE": "DHL", "FR": "Colissimo", "GB": "Royal Mail"}

// route is how far a parcel travels, which sets carrier, fee and days.
type route int

const (
	routeDomestic     route = iota // same country as the warehouse
	routeSingleMarket              // another EU country, no customs
	routeCustoms                   // into or out of the EU within Europe (GB, CH)
	routeOverseas                  // the United States
)

// routeTerms are the carriers a route is served by (one is picked per
// product and country), its fee in EUR cents and its business days.
var routeTerms = [...]struct {
	carriers         []string
	feeEUR           int64
	minDays, maxDays int
}{
	routeDomestic:     {nil, 395, 1, 2},
	routeSingleMarket: {[]string{"DPD", "GLS", "DHL"}, 695, 2, 4},
	routeCustoms:      {[]string{"DHL Express", "UPS"}, 1295, 3, 6},
	routeOverseas:     {[]string{"UPS", "FedEx"}, 2495, 5, 9},
}

const (
	// freeFromEUR is the price (after discount, EUR cents) from which
	// delivery without customs is free, unless the product is bulky.
	freeFromEUR = 5000
	// bulkyFromEUR is the list price (EUR cents) from which a product
	// travels as a bulky parcel: a surcharge and two more days.
	bulkyFromEUR = 19999
	// bulkySurchargeEUR is added to the fee of a bulky parcel, twice for
	// customs and overseas routes.
	bulkySurchargeEUR = 1000
)

// ShippingQuote returns the quote for delivering one unit of product n
// (1-based) to country (ISO 3166-1 alpha-2, upper case), or
// [ErrUnknownCountry]. It is a pure function of n and country: the parcel
// leaves from the product's warehouse ([Set.Stock]), the fee is in the
// country's currency (converted from EUR like prices), and delivery within
// the EU is faster and cheaper than through customs.
func (s *Set) ShippingQuote(n int, country string) (ShippingQuote, error) {
	dest, ok := destinations[country]
	if !ok {
		return ShippingQuote{}, ErrUnknownCountry
	}
	origin := warehouseCountry[s.Stock(n).Warehouse]
	var r route
	switch {
	case origin == country:
		r = routeDomestic
	case country == "US":
		r = routeOverseas
	case dest.eu && destinations[origin].eu:
		r = routeSingleMarket
	default:
		r = routeCustoms
	}
	terms := routeTerms[r]
	h := mix(uint64(n)*0x2545f491 + uint64(country[0])<<8 + uint64(country[1]))
	carrier := domesticCarrier[origin]
	if r != routeDomestic {
		carrier = terms.carriers[h%uint64(len(terms.carriers))]
	}
	list, _, _ := priceEUR(n)
	fee := terms.feeEUR
	minDays, maxDays := terms.minDays, terms.maxDays+int((h>>8)%2)
	switch {
	case list >= bulkyFromEUR:
		surcharge := int64(bulkySurchargeEUR)
		if r >= routeCustoms {
			surcharge *= 2
		}
		fee += surcharge
		minDays, maxDays = minDays+2, maxDays+2
	case r <= routeSingleMarket && s.amount(n, BaseCurrency) >= freeFromEUR:
		fee = 0
	}
	return ShippingQuote{
		SKU:         SKU(n),
		Country:     country,
		Carrier:     carrier,
		AmountMinor: fromEUR(fee, rates[dest.currency]),
		Currency:    dest.currency,
		MinDays:     minDays,
		MaxDays:     maxDays,
	}, nil
}
