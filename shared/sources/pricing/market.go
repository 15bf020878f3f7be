package pricing

import "golang.org/x/text/language"

// ListCurrency is the currency every product is listed in: what the pricing
// service answers when a request names no currency, and so what
// [Loaders.Price] and [Client.Price] return.
const ListCurrency = "EUR"

// CurrencyForLocale is the shop's market rule: the currency a shopper whose
// locale is tag pays in. The United Kingdom market (a locale with region GB,
// i.e. en-GB) pays in GBP; every other market (de-DE, fr-FR, nl-NL) pays in
// the list currency EUR, and so does a locale that belongs to no market
// (language.Und included), which makes EUR the default market's currency.
//
// It is the rule the orders service prices orders by, so a product price
// shown in CurrencyForLocale(the viewer's locale) is in the currency of that
// viewer's order totals. The BFFs decide a request's locale (account locale,
// else Accept-Language) and pass the result here; they keep no copy of this
// mapping.
func CurrencyForLocale(tag language.Tag) string {
	// Only a region the tag states (or that is certain from it) counts:
	// "en" alone is not a claim to shop in the United Kingdom.
	if region, conf := tag.Region(); conf >= language.High && region.String() == "GB" {
		return "GBP"
	}
	return ListCurrency
}
