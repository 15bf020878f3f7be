package market

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bojanz/currency"

	"github.com/tandemgw/tandem/shared/auth"
)

func TestFormatEveryMarket(t *testing.T) {
	cases := []struct {
		locale string
		minor  int64
		code   string
		want   string
	}{
		{"en-GB", 129900, "EUR", "€1,299.00"},
		{"en-GB", 29999, "GBP", "£299.99"},
		{"en-GB", -250, "GBP", "-£2.50"},
		{"en-GB", 1000, "JPY", "JP¥1,000"}, // CLDR: en-GB writes the yen with its region
		{"de-DE", 129950, "EUR", "1.299,50\u00a0€"},
		{"de-DE", 29999, "EUR", "299,99\u00a0€"},
		{"fr-FR", 129900, "EUR", "1\u202f299,00\u00a0€"},
		{"nl-NL", 5, "EUR", "€\u00a00,05"},
		{"nl-NL", 129900, "EUR", "€\u00a01.299,00"},
	}
	for _, c := range cases {
		m := Resolve(c.locale, "")
		if got := m.Format(c.minor, c.code); got != c.want {
			t.Errorf("%s: Format(%d, %s) = %q, want %q", c.locale, c.minor, c.code, got, c.want)
		}
	}
	if got := Default().Format(1234, "XXZ"); got != "1234 XXZ" {
		t.Errorf("unknown currency: %q", got)
	}
}

func TestResolve(t *testing.T) {
	cases := []struct{ account, header, locale, currency string }{
		{"en-GB", "de-DE", "en-GB", "GBP"},
		{"de-DE", "en-GB", "de-DE", "EUR"},
		{"nl-NL", "", "nl-NL", "EUR"},
		{"", "en-GB,en;q=0.9", "en-GB", "GBP"},
		{"", "en-US", "en-GB", "GBP"},
		{"", "de-DE", "de-DE", "EUR"},
		{"", "de-AT", "de-DE", "EUR"},
		{"", "fr-CH, fr;q=0.9, en;q=0.8", "fr-FR", "EUR"},
		{"", "nl-BE", "nl-NL", "EUR"},
		{"", "", "en-GB", "EUR"},
		{"", "ja-JP", "en-GB", "EUR"},
		{"", "%%%", "en-GB", "EUR"},
		{"xx-invalid-!", "fr-FR", "fr-FR", "EUR"},
	}
	for _, c := range cases {
		got := Resolve(c.account, c.header)
		if got.Locale.String() != c.locale || got.Currency != c.currency {
			t.Errorf("account %q, Accept-Language %q: %s %s, want %s %s", c.account, c.header, got.Locale, got.Currency, c.locale, c.currency)
		}
	}
	long := make([]byte, MaxAcceptLanguage+1)
	for i := range long {
		long[i] = 'a'
	}
	if m := Resolve("", "de-DE,"+string(long)); m.Locale.String() != "en-GB" {
		t.Errorf("an oversized header is ignored: got %s", m.Locale)
	}
}

func TestForIsDecidedOncePerRequest(t *testing.T) {
	var got Market
	h := New(Options{}).Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = For(r.Context())
		if again := For(r.Context()); again.Locale != got.Locale {
			t.Error("the market changed within a request")
		}
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Language", "de-AT")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got.Locale.String() != "de-DE" || got.Currency != "EUR" {
		t.Fatalf("market = %s %s, want de-DE EUR", got.Locale, got.Currency)
	}
	if m := For(context.Background()); m.Locale.String() != "en-GB" || m.Currency != "EUR" {
		t.Fatalf("outside a request: %s %s", m.Locale, m.Currency)
	}
}

func BenchmarkFormat(b *testing.B) {
	m := Resolve("de-DE", "")
	b.ReportAllocs()
	for b.Loop() {
		_ = m.Format(129950, "EUR")
	}
}

// The fast layout must write exactly what the CLDR formatter writes.
func TestLayoutAgreesWithTheCLDRFormatter(t *testing.T) {
	amounts := []int64{0, 1, 5, 10, 99, 100, 999, 1000, 12345, 99999, 100000, 1234567, 123456789012, -1, -5, -100, -123456}
	for i := int64(1); i < 2_000_000_000; i = i*7 + 3 {
		amounts = append(amounts, i, -i)
	}
	for li, f := range formatters {
		for _, code := range []string{"EUR", "GBP", "JPY", "USD", "CHF", "KWD"} {
			l, ok := layoutFor(f, code)
			if !ok {
				t.Fatalf("%s %s: no layout", Supported[li], code)
			}
			for _, a := range amounts {
				amount, err := currency.NewAmountFromInt64(a, code)
				if err != nil {
					t.Fatal(err)
				}
				if want, got := f.Format(amount), l.format(a); got != want {
					t.Fatalf("%s %s %d: layout %q, formatter %q", Supported[li], code, a, got, want)
				}
			}
		}
	}
}

// TestViewerLocaleIsRemembered: a signed-in viewer's account is read once
// per AccountTTL, per issuer and subject; a failed read is not remembered,
// and AccountTTL 0 reads the account on every request.
func TestViewerLocaleIsRemembered(t *testing.T) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	locales := map[string]string{"usr_1": "de-DE", "usr_2": "fr-FR"}
	var reads []string
	failing := false
	newMarkets := func(ttl time.Duration) *Markets {
		m := New(Options{AccountTTL: ttl})
		m.now = func() time.Time { return now }
		m.read = func(_ context.Context, subject string) (string, bool) {
			reads = append(reads, subject)
			if failing {
				return "", false
			}
			return locales[subject], true
		}
		return m
	}
	marketOf := func(m *Markets, p *auth.Principal) string {
		var got Market
		h := m.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = For(r.Context()) }))
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Accept-Language", "nl-NL")
		if p != nil {
			r = r.WithContext(auth.NewContext(r.Context(), p))
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		return got.Locale.String()
	}
	viewer := &auth.Principal{Issuer: "https://idp.example", Subject: "usr_1"}
	other := &auth.Principal{Issuer: "https://idp.example", Subject: "usr_2"}
	sameSubjectElsewhere := &auth.Principal{Issuer: "https://other.example", Subject: "usr_1"}

	m := newMarkets(time.Minute)
	steps := []struct {
		name      string
		p         *auth.Principal
		advance   time.Duration
		fail      bool
		want      string
		wantReads int
	}{
		{"first request reads the account", viewer, 0, false, "de-DE", 1},
		{"within the TTL it is remembered", viewer, 59 * time.Second, false, "de-DE", 1},
		{"another subject is read", other, 0, false, "fr-FR", 2},
		{"the same subject of another issuer is read", sameSubjectElsewhere, 0, false, "de-DE", 3},
		{"anonymous requests read nothing", nil, 0, false, "nl-NL", 3},
		{"after the TTL it is read again", viewer, time.Second, false, "de-DE", 4},
		{"a change shows once the TTL has passed", viewer, time.Minute, false, "en-GB", 5},
		{"a failed read falls back to Accept-Language", other, 2 * time.Minute, true, "nl-NL", 6},
		{"and is not remembered", other, 0, false, "fr-FR", 7},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		failing = s.fail
		if s.name == "a change shows once the TTL has passed" {
			locales["usr_1"] = "en-GB"
		}
		if got := marketOf(m, s.p); got != s.want {
			t.Errorf("%s: market %s, want %s", s.name, got, s.want)
		}
		if len(reads) != s.wantReads {
			t.Errorf("%s: %d account reads, want %d (%v)", s.name, len(reads), s.wantReads, reads)
		}
	}

	reads = nil
	every := newMarkets(0)
	for range 3 {
		if got := marketOf(every, other); got != "fr-FR" {
			t.Errorf("AccountTTL 0: market %s, want fr-FR", got)
		}
	}
	if len(reads) != 3 {
		t.Errorf("AccountTTL 0: %d account reads for 3 requests, want 3", len(reads))
	}
}
