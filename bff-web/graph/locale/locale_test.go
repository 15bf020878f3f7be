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
