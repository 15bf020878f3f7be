package graph

import (
	"context"
	"net/http"

	"golang.org/x/text/language"

	"github.com/tandemgw/tandem/bff-mobile/internal/shape"
	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/pricing"
)

type acceptLanguageKey struct{}

// MaxAcceptLanguage is the longest Accept-Language header that is parsed;
// a longer one is ignored (the default locale applies).
const MaxAcceptLanguage = 256

// WithAcceptLanguage returns ctx carrying the request's Accept-Language
// header value.
func WithAcceptLanguage(ctx context.Context, v string) context.Context {
	return context.WithValue(ctx, acceptLanguageKey{}, v)
}

// AcceptLanguage returns the Accept-Language value stored in ctx, or "".
func AcceptLanguage(ctx context.Context) string {
	v, _ := ctx.Value(acceptLanguageKey{}).(string)
	return v
}

// AcceptLanguageMiddleware keeps the request's Accept-Language header in the
// request context, where the locale of formatted prices is decided.
func AcceptLanguageMiddleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := r.Header.Get("Accept-Language")
		if len(v) > MaxAcceptLanguage {
			v = ""
		}
		next.ServeHTTP(w, r.WithContext(WithAcceptLanguage(r.Context(), v)))
	})
}

// market is what one request is shown: the locale every formatted value
// uses and the currency product prices are loaded in. requestMarket decides
// both together, so formatting and currency always agree.
type market struct {
	locale   language.Tag
	currency string // ISO 4217
}

// requestMarket is bff-mobile's rule for the market of a request, in order:
//
//  1. the signed-in viewer's account locale, when it is a supported one;
//  2. else the best supported match for Accept-Language (nl-BE counts as
//     nl-NL, en-US as en-GB);
//  3. else the default market: formatted in en-GB (shape.DefaultLocale),
//     priced in the list currency EUR. A request that names none of the
//     shop's markets is likelier from outside the United Kingdom than
//     inside it, and EUR is what three of the four markets and the pricing
//     service itself default to.
//
// The currency of steps 1 and 2 is pricing.CurrencyForLocale of the locale
// chosen (en-GB -> GBP; de-DE, fr-FR, nl-NL -> EUR), the market rule the
// orders service prices orders by and bff-web applies too. So a signed-in
// viewer's product prices are in the currency of their order totals.
//
// The account is read through the request's accounts loader, so however many
// prices a response formats, the user is fetched at most once. When accounts
// fails, the request falls back to its Accept-Language market instead of
// failing every price with it: the market is a preference, not data the
// client asked for, and the failed load is cached for the request, so every
// field falls back alike.
func requestMarket(ctx context.Context) market {
	var account string
	if p, ok := auth.FromContext(ctx); ok && p != nil && p.Subject != "" {
		if u, err := accounts.For(ctx).User(ctx, p.Subject); err == nil && u != nil {
			account = u.Locale
		}
	}
	tag, named := shape.ResolveLocale(account, AcceptLanguage(ctx))
	marketLocale := language.Und // no market named: the default market
	if named {
		marketLocale = tag
	}
	return market{locale: tag, currency: pricing.CurrencyForLocale(marketLocale)}
}

// requestLocale is the locale every formatted value of this request uses:
// requestMarket's.
func requestLocale(ctx context.Context) language.Tag {
	return requestMarket(ctx).locale
}
