package locale

import (
	"context"
	"net/http"
	"strings"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"

	"github.com/tandemgw/tandem/shared/sources/pricing"
)

// Supported are the locales the shop is offered in; the first is the default.
var Supported = []language.Tag{
	language.MustParse("en-GB"),
	language.MustParse("de-DE"),
	language.MustParse("fr-FR"),
	language.MustParse("nl-NL"),
}

var matcher = language.NewMatcher(Supported)

type ctxKey struct{}

// header is what Middleware stores: the Accept-Language match and whether
// the header named a supported locale at all.
type header struct {
	tag     language.Tag
	matched bool
}

// NewContext returns ctx carrying tag as the request's Accept-Language
// locale, as if the header had named it.
func NewContext(ctx context.Context, tag language.Tag) context.Context {
	return context.WithValue(ctx, ctxKey{}, header{tag: tag, matched: true})
}

// FromContext returns the request's Accept-Language locale in ctx, or the
// default (en-GB). It ignores the viewer's account: what a response is
// formatted in is Resolve's answer.
func FromContext(ctx context.Context) language.Tag {
	if h, ok := ctx.Value(ctxKey{}).(header); ok {
		return h.tag
	}
	return Supported[0]
}

// Match returns the supported locale closest to an Accept-Language value;
// an empty or unparsable header gives the default.
func Match(acceptLanguage string) language.Tag {
	tag, _ := match(acceptLanguage)
	return tag
}

// match is Match that also reports whether the header named a supported
// locale (false when the default stands in).
func match(acceptLanguage string) (language.Tag, bool) {
	if acceptLanguage == "" {
		return Supported[0], false
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Supported[0], false
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Supported[0], false
	}
	return Supported[i], true
}

// Middleware stores the request's Accept-Language locale in its context.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tag, ok := match(r.Header.Get("Accept-Language"))
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, header{tag: tag, matched: ok})))
	})
}

// Market is what one request is shown: the locale money is formatted in and
// the currency product prices are in. Both come out of one Resolve, so a
// response never formats for one market and prices for another.
type Market struct {
	Locale   language.Tag
	Currency string // ISO 4217
}

// Resolve is bff-web's rule for the market of a request, in order:
//
//  1. the signed-in viewer's account locale (accountLocale), when it is one
//     of Supported;
//  2. else the request's Accept-Language (stored by Middleware), when it
//     matches one of Supported (nl-BE counts as nl-NL, en-US as en-GB);
//  3. else the default market: formatted in Supported[0] (en-GB) and priced
//     in the list currency, EUR. A request that names no market of the
//     shop is more likely from a visitor outside the United Kingdom than
//     inside it, and EUR is what three of the four markets and the pricing
//     service itself default to.
//
// The currency of steps 1 and 2 is pricing.CurrencyForLocale of the locale
// chosen (en-GB -> GBP; de-DE, fr-FR, nl-NL -> EUR): the market rule the
// orders service prices orders by, kept in one place for both BFFs. So a
// signed-in viewer sees product prices in the currency of their order
// totals, whatever their browser sends. accountLocale is "" for an
// anonymous request or when the account could not be read.
func Resolve(ctx context.Context, accountLocale string) Market {
	if accountLocale != "" {
		if t, err := language.Parse(accountLocale); err == nil {
			if _, i, conf := matcher.Match(t); conf != language.No {
				return marketOf(Supported[i])
			}
		}
	}
	if h, ok := ctx.Value(ctxKey{}).(header); ok && h.matched {
		return marketOf(h.tag)
	}
	return Market{Locale: Supported[0], Currency: pricing.CurrencyForLocale(language.Und)}
}

func marketOf(tag language.Tag) Market {
	return Market{Locale: tag, Currency: pricing.CurrencyForLocale(tag)}
}

// FormatMoney formats an amount in minor units of an ISO 4217 currency for
// tag, e.g. "€1,299.00" (en-GB), "1.299,00 €" (de-DE, fr-FR), "€ 1.299,00"
// (nl-NL). Digits and separators come from CLDR via golang.org/x/text; the
// symbol position follows the CLDR currency pattern of the supported
// languages. An unknown currency code is shown as the code itself.
func FormatMoney(tag language.Tag, amountMinor int64, code string) string {
	cur, err := currency.ParseISO(code)
	if err != nil {
		p := message.NewPrinter(tag)
		return p.Sprintf("%v", number.Decimal(amountMinor)) + " " + strings.ToUpper(code)
	}
	scale, _ := currency.Standard.Rounding(cur)
	div := 1.0
	for range scale {
		div *= 10
	}
	p := message.NewPrinter(tag)
	neg := amountMinor < 0
	if neg {
		amountMinor = -amountMinor
	}
	digits := p.Sprintf("%v", number.Decimal(float64(amountMinor)/div, number.Scale(scale)))
	symbol := p.Sprint(currency.NarrowSymbol(cur))
	var out string
	base, _ := tag.Base()
	switch base.String() {
	case "de", "fr":
		// Non-breaking space between amount and symbol, as CLDR does.
		out = digits + "\u00a0" + symbol
	case "nl":
		out = symbol + "\u00a0" + digits
	default:
		out = symbol + digits
	}
	if neg {
		out = "-" + out
	}
	return out
}
