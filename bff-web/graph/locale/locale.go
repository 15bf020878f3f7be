package locale

import (
	"context"
	"net/http"
	"strings"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
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

// NewContext returns ctx carrying tag as the display locale.
func NewContext(ctx context.Context, tag language.Tag) context.Context {
	return context.WithValue(ctx, ctxKey{}, tag)
}

// FromContext returns the display locale in ctx, or the default (en-GB).
func FromContext(ctx context.Context) language.Tag {
	if tag, ok := ctx.Value(ctxKey{}).(language.Tag); ok {
		return tag
	}
	return Supported[0]
}

// Match returns the supported locale closest to an Accept-Language value;
// an empty or unparsable header gives the default.
func Match(acceptLanguage string) language.Tag {
	if acceptLanguage == "" {
		return Supported[0]
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Supported[0]
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Supported[0]
	}
	return Supported[i]
}

// Middleware stores the request's display locale (from Accept-Language) in
// its context.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tag := Match(r.Header.Get("Accept-Language"))
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), tag)))
	})
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
