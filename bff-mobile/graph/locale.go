package graph

import (
	"context"
	"net/http"

	"golang.org/x/text/language"

	"github.com/tandemgw/tandem/bff-mobile/internal/shape"
	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/sources/accounts"
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

// requestLocale is the locale every formatted value of this request uses:
// the signed-in viewer's account locale, else the best match for
// Accept-Language, else en-GB (shape.MatchLocale).
//
// The account is read through the request's accounts loader, so however many
// prices a response formats, the user is fetched at most once. When accounts
// fails, formatting falls back to Accept-Language instead of failing every
// price with it: the locale is a preference, not data the client asked for.
func requestLocale(ctx context.Context) language.Tag {
	var account string
	if p, ok := auth.FromContext(ctx); ok && p != nil && p.Subject != "" {
		if u, err := accounts.For(ctx).User(ctx, p.Subject); err == nil && u != nil {
			account = u.Locale
		}
	}
	return shape.MatchLocale(account, AcceptLanguage(ctx))
}
