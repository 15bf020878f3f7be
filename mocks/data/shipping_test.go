package data

import (
	"errors"
	"testing"
)

// Every product has a consistent quote for every destination, and the
// data set exercises every route, free delivery and bulky parcels.
func TestShippingQuotes(t *testing.T) {
	s := Load()
	carriers := map[string]int{}
	free, bulky, customs := 0, 0, 0
	for n := 1; n <= NumProducts; n++ {
		for _, country := range ShippingCountries() {
			q, err := s.ShippingQuote(n, country)
			if err != nil || !ShipsTo(country) {
				t.Fatalf("%d %s: %v", n, country, err)
			}
			again, _ := s.ShippingQuote(n, country)
			if q != again {
				t.Fatalf("%d %s: %+v, then %+v", n, country, q, again)
			}
			if q.SKU != SKU(n) || q.Country != country || q.Currency != destinations[country].currency {
				t.Fatalf("%d %s: %+v", n, country, q)
			}
			if q.MinDays < 1 || q.MinDays > q.MaxDays || q.AmountMinor < 0 || q.Carrier == "" {
				t.Fatalf("%d %s: %+v", n, country, q)
			}
			carriers[q.Carrier]++
			origin := warehouseCountry[s.Stock(n).Warehouse]
			crossesCustoms := country == "US" || !destinations[country].eu || !destinations[origin].eu
			if crossesCustoms && origin != country {
				customs++
				if q.AmountMinor == 0 {
					t.Fatalf("%d %s: free delivery through customs", n, country)
				}
				if q.MinDays < routeTerms[routeCustoms].minDays {
					t.Fatalf("%d %s: %d days through customs", n, country, q.MinDays)
				}
			}
			if q.AmountMinor == 0 {
				free++
			}
			if list, _, _ := priceEUR(n); list >= bulkyFromEUR {
				bulky++
				if q.AmountMinor == 0 {
					t.Fatalf("%d %s: bulky parcel delivered free", n, country)
				}
			}
			if q.AmountMinor > 0 && q.Currency != BaseCurrency && q.AmountMinor%100 != 99 {
				t.Fatalf("%d %s: converted fee %d does not end in .99", n, country, q.AmountMinor)
			}
		}
	}
	total := NumProducts * len(destinations)
	for _, c := range []string{"PostNL", "DHL", "Colissimo", "Royal Mail", "DPD", "GLS", "DHL Express", "UPS", "FedEx"} {
		if carriers[c] == 0 {
			t.Errorf("carrier %s never quoted", c)
		}
	}
	for name, got := range map[string]int{"free": free, "bulky": bulky, "customs": customs} {
		if got == 0 || got == total {
			t.Errorf("%s: %d of %d quotes", name, got, total)
		}
	}
}

func TestShippingQuoteUnknownCountry(t *testing.T) {
	for _, c := range []string{"", "de", "DEU", "JP", "D"} {
		if _, err := Load().ShippingQuote(1, c); !errors.Is(err, ErrUnknownCountry) || ShipsTo(c) {
			t.Errorf("%q: %v", c, err)
		}
	}
}
