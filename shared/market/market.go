package market

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/bojanz/currency"
	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/text/language"

	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/pricing"
)

// Supported are the locales the shop is offered in; the first is the
// default.
var Supported = []language.Tag{
	language.MustParse("en-GB"),
	language.MustParse("de-DE"),
	language.MustParse("fr-FR"),
	language.MustParse("nl-NL"),
}

// MaxAcceptLanguage is the longest Accept-Language header that is parsed;
// a longer one is ignored and the default market applies.
const MaxAcceptLanguage = 256

var (
	matcher = language.NewMatcher(Supported)
	// formatters are built once: CLDR look-ups are not per-request work.
	formatters = func() []*currency.Formatter {
		out := make([]*currency.Formatter, len(Supported))
		for i, tag := range Supported {
			out[i] = currency.NewFormatter(currency.NewLocale(tag.String()))
		}
		return out
	}()
)

// Market is what one request is shown. The zero value formats in the
// default locale.
type Market struct {
	// Locale is the locale amounts are formatted in.
	Locale language.Tag
	// Currency is the ISO 4217 code product prices are loaded in.
	Currency string
	format   *currency.Formatter
}

// Default is the market of a request that names none of the shop's.
func Default() Market { return of(0, language.Und) }

// of returns the market of Supported[i]; currencyTag decides the currency
// (language.Und: the list currency).
func of(i int, currencyTag language.Tag) Market {
	return Market{Locale: Supported[i], Currency: pricing.CurrencyForLocale(currencyTag), format: formatters[i]}
}

// Format writes an amount in minor units of an ISO 4217 currency the way
// m's locale writes money. An unknown currency code is written as the
// amount in minor units followed by the code, never an error: a display
// string must not fail a response.
func (m Market) Format(amountMinor int64, code string) string {
	f := m.format
	if f == nil {
		f = formatters[0]
	}
	l, ok := layoutFor(f, code)
	if !ok {
		return strconv.FormatInt(amountMinor, 10) + " " + code
	}
	return l.format(amountMinor)
}

// Match returns the supported locale closest to an Accept-Language value,
// and whether the value named a supported locale at all.
func Match(acceptLanguage string) (Market, bool) {
	if acceptLanguage == "" || len(acceptLanguage) > MaxAcceptLanguage {
		return Default(), false
	}
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default(), false
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default(), false
	}
	return of(i, Supported[i]), true
}

// Resolve applies the market rule to an account locale ("" for anonymous
// requests or when the account could not be read) and an Accept-Language
// header value.
func Resolve(accountLocale, acceptLanguage string) Market {
	if accountLocale != "" {
		if t, err := language.Parse(accountLocale); err == nil {
			if _, i, conf := matcher.Match(t); conf != language.No {
				return of(i, Supported[i])
			}
		}
	}
	m, _ := Match(acceptLanguage)
	return m
}

type ctxKey struct{}

// request is one request's market, decided on first use.
type request struct {
	markets        *Markets
	acceptLanguage string
	once           sync.Once
	m              Market
}

// DefaultAccounts is how many viewers' locales Markets remembers when
// Options.Accounts is 0.
const DefaultAccounts = 10_000

// Options configure Markets.
type Options struct {
	// AccountTTL is how long a signed-in viewer's account locale is reused
	// before the account is read again; 0 reads it on every request.
	AccountTTL time.Duration
	// Accounts bounds how many viewers' locales are remembered (least
	// recently used first out); 0 means DefaultAccounts.
	Accounts int
}

// Markets decides requests' markets. It remembers each signed-in viewer's
// account locale for Options.AccountTTL, keyed by the verified issuer and
// subject of the token: the market would otherwise cost every signed-in
// request one more accounts call before its first price, for a setting a
// viewer changes rarely. A changed locale shows within AccountTTL, in each
// replica on its own; the orders service prices checkouts itself, so a
// stale market changes how prices are shown, never what is charged.
type Markets struct {
	ttl     time.Duration
	locales *lru.Cache[viewer, remembered] // nil when ttl is 0
	now     func() time.Time
	// read is the viewer's account locale, ok false when the account
	// could not be read (tests replace it).
	read func(ctx context.Context, subject string) (locale string, ok bool)
}

// viewer is whose locale is remembered: a subject is only unique within
// its issuer.
type viewer struct{ issuer, subject string }

type remembered struct {
	locale string
	until  time.Time
}

// New returns Markets for o.
func New(o Options) *Markets {
	m := &Markets{ttl: max(o.AccountTTL, 0), now: time.Now, read: readAccountLocale}
	if m.ttl > 0 {
		n := o.Accounts
		if n <= 0 {
			n = DefaultAccounts
		}
		m.locales, _ = lru.New[viewer, remembered](n) // errors only when n <= 0
	}
	return m
}

// Middleware keeps the request's Accept-Language for For, which decides the
// market at most once per request.
func (m *Markets) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq := &request{markets: m, acceptLanguage: r.Header.Get("Accept-Language")}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, rq)))
	})
}

// For returns the request's market. The signed-in viewer's account is read
// through the request's accounts loader, unless Markets remembers its
// locale. When accounts fails, the request falls back to its
// Accept-Language market instead of failing every price with it: the
// market is a preference, not data the client asked for (and the failure is
// not remembered). Outside Middleware, For answers the default market.
func For(ctx context.Context) Market {
	rq, ok := ctx.Value(ctxKey{}).(*request)
	if !ok {
		return Default()
	}
	rq.once.Do(func() { rq.m = Resolve(rq.accountLocale(ctx), rq.acceptLanguage) })
	return rq.m
}

// accountLocale is the signed-in viewer's account locale, or "".
func (rq *request) accountLocale(ctx context.Context) string {
	p, ok := auth.FromContext(ctx)
	if !ok || p == nil || p.Subject == "" {
		return ""
	}
	m := rq.markets
	if m == nil {
		locale, _ := readAccountLocale(ctx, p.Subject)
		return locale
	}
	who := viewer{issuer: p.Issuer, subject: p.Subject}
	if m.locales != nil {
		if r, found := m.locales.Get(who); found && m.now().Before(r.until) {
			return r.locale
		}
	}
	locale, ok := m.read(ctx, p.Subject)
	if ok && m.locales != nil {
		m.locales.Add(who, remembered{locale: locale, until: m.now().Add(m.ttl)})
	}
	return locale
}

// readAccountLocale reads the viewer's account through the request's
// accounts loader.
func readAccountLocale(ctx context.Context, subject string) (string, bool) {
	loaders, found := accounts.FromContext(ctx)
	if !found {
		return "", false
	}
	// One key, asked for while a level of prices waits on it: started at
	// once rather than after the loader's batch window, which would hold
	// every price of the request for nothing (1 ms per request, 10% of a
	// signed-in listing's throughput).
	loaders.PrefetchUsers(ctx, []string{subject})
	u, err := loaders.User(ctx, subject)
	if err != nil || u == nil {
		return "", false
	}
	return string(u.Locale), true
}
