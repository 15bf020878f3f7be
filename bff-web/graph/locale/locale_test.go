package locale

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"golang.org/x/text/language"
)

func TestFormatMoney(t *testing.T) {
	cases := []struct {
		tag    string
		minor  int64
		code   string
		expect string
	}{
		{"en-GB", 129900, "EUR", "€1,299.00"},
		{"de-DE", 129950, "EUR", "1.299,50\u00a0€"},
		{"fr-FR", 129900, "EUR", "1\u00a0299,00\u00a0€"},
		{"nl-NL", 5, "EUR", "€\u00a00,05"},
		{"en-GB", -250, "GBP", "-£2.50"},
		{"en-GB", 1000, "JPY", "¥1,000"},
	}
	for _, c := range cases {
		got := FormatMoney(language.MustParse(c.tag), c.minor, c.code)
		if got != c.expect {
			t.Errorf("FormatMoney(%s, %d, %s) = %q, want %q", c.tag, c.minor, c.code, got, c.expect)
		}
	}
}

func TestMatch(t *testing.T) {
	cases := map[string]string{
		"":                          "en-GB",
		"de":                        "de-DE",
		"fr-CH, fr;q=0.9, en;q=0.8": "fr-FR",
		"nl-BE":                     "nl-NL",
		"ja-JP":                     "en-GB",
		"%%%":                       "en-GB",
	}
	for header, want := range cases {
		if got := Match(header).String(); got != want {
			t.Errorf("Match(%q) = %s, want %s", header, got, want)
		}
	}
}

func TestMiddleware(t *testing.T) {
	var got language.Tag
	h := Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		got = FromContext(r.Context())
	}))
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Language", "de-AT")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got.String() != "de-DE" {
		t.Fatalf("locale = %s, want de-DE", got)
	}
	if FromContext(context.Background()).String() != "en-GB" {
		t.Fatal("default locale is not en-GB")
	}
}

// Resolve: the account locale wins, then a matching Accept-Language, then
// the default market (en-GB formatting, EUR prices); the currency always
// follows the locale that decided.
func TestResolve(t *testing.T) {
	cases := []struct {
		account, header  string
		locale, currency string
	}{
		{"en-GB", "de-DE", "en-GB", "GBP"},
		{"de-DE", "en-GB", "de-DE", "EUR"},
		{"nl-NL", "", "nl-NL", "EUR"},
		{"", "en-GB,en;q=0.9", "en-GB", "GBP"},
		{"", "en-US", "en-GB", "GBP"},
		{"", "de-DE", "de-DE", "EUR"},
		{"", "fr-FR", "fr-FR", "EUR"},
		{"", "nl-BE", "nl-NL", "EUR"},
		{"", "", "en-GB", "EUR"},
		{"", "ja-JP", "en-GB", "EUR"},
		{"", "%%%", "en-GB", "EUR"},
		{"xx-invalid-!", "fr-FR", "fr-FR", "EUR"},
	}
	for _, c := range cases {
		var got Market
		h := Middleware(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
			got = Resolve(r.Context(), c.account)
		}))
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if c.header != "" {
			r.Header.Set("Accept-Language", c.header)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got.Locale.String() != c.locale || got.Currency != c.currency {
			t.Errorf("account %q, Accept-Language %q: %s %s, want %s %s", c.account, c.header, got.Locale, got.Currency, c.locale, c.currency)
		}
	}
	// Outside Middleware (no header stored): the default market.
	if m := Resolve(context.Background(), ""); m.Locale.String() != "en-GB" || m.Currency != "EUR" {
		t.Errorf("no request locale: %s %s", m.Locale, m.Currency)
	}
	if m := Resolve(NewContext(context.Background(), language.MustParse("en-GB")), ""); m.Currency != "GBP" {
		t.Errorf("NewContext(en-GB): %s", m.Currency)
	}
}
