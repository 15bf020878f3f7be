package shape

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/language"
)

func TestSummarize(t *testing.T) {
	long := strings.Repeat("word ", 40) // 200 runes
	tests := []struct {
		name, in string
		limit    int
		want     string
	}{
		{"short stays", "A small lamp.", 140, "A small lamp."},
		{"whitespace collapsed", "  A\tsmall \n\n lamp.  ", 140, "A small lamp."},
		{"exactly limit", "abcde", 5, "abcde"},
		{"cut at word boundary", "the quick brown fox jumps", 12, "the quick…"},
		{"boundary right after prefix", "the quick brown", 10, "the quick…"},
		{"trailing punctuation dropped", "Hello, world and more", 8, "Hello…"},
		{"single long word cut inside", "Donaudampfschifffahrt", 6, "Donau…"},
		{"rune safe", "äöü ßßß ééé", 8, "äöü ßßß…"},
		{"multibyte long word", "日本語のテキストです", 4, "日本語…"},
		{"limit one", "hello world", 1, "…"},
		{"limit zero", "hello", 0, ""},
		{"140 default", long, SummaryRunes, strings.TrimSpace(strings.Repeat("word ", 28)) + "…"}, // 28 words are 139 runes,
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Summarize(tt.in, tt.limit)
			if got != tt.want {
				t.Fatalf("Summarize(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
			}
			if !utf8.ValidString(got) {
				t.Fatalf("invalid UTF-8: %q", got)
			}
			if n := utf8.RuneCountInString(got); n > tt.limit && tt.limit >= 0 {
				t.Fatalf("len %d > limit %d", n, tt.limit)
			}
		})
	}
}

func TestSummarizeNeverExceedsLimit(t *testing.T) {
	text := "Ein schöner, handgefertigter Tisch aus Eiche — 120×80 cm; passt in jede Küche! " +
		"Sehr stabil. Lieferung zerlegt, Aufbau in 10 Minuten."
	for limit := 1; limit <= utf8.RuneCountInString(text)+2; limit++ {
		got := Summarize(text, limit)
		if !utf8.ValidString(got) || utf8.RuneCountInString(got) > limit {
			t.Fatalf("limit %d: %q", limit, got)
		}
		if utf8.RuneCountInString(text) > limit && !strings.HasSuffix(got, Ellipsis) {
			t.Fatalf("limit %d: cut text without ellipsis: %q", limit, got)
		}
	}
}

func TestImageIndex(t *testing.T) {
	widths := []int{800, 200, 1600, 400}
	tests := []struct {
		want, idx int
	}{
		{1, 1}, {200, 1}, {201, 3}, {400, 3}, {401, 0}, {800, 0}, {1000, 2}, {1600, 2}, {4096, 2},
	}
	for _, tt := range tests {
		if got := ImageIndex(widths, tt.want); got != tt.idx {
			t.Errorf("ImageIndex(%v, %d) = %d, want %d", widths, tt.want, got, tt.idx)
		}
	}
	if got := ImageIndex(nil, 100); got != -1 {
		t.Errorf("empty: got %d", got)
	}
	if got := ImageIndex([]int{400, 400}, 300); got != 0 {
		t.Errorf("tie: got %d, want first", got)
	}
}

func TestFormatMoney(t *testing.T) {
	tests := []struct {
		locale string
		amount int64
		code   string
		want   string
	}{
		{"de-DE", 129900, "EUR", "€1.299,00"},
		{"en-GB", 129900, "EUR", "€1,299.00"},
		{"nl-NL", 129900, "EUR", "€1.299,00"},
		{"fr-FR", 129900, "EUR", "€1\u00a0299,00"},
		{"en-GB", 5, "GBP", "£0.05"},
		{"en-GB", -500, "EUR", "-€5.00"},
		{"de-DE", 1299, "JPY", "¥1.299"},
		{"en-GB", 0, "EUR", "€0.00"},
		{"en-GB", 123456789012, "EUR", "€1,234,567,890.12"},
	}
	for _, tt := range tests {
		got, err := FormatMoney(language.MustParse(tt.locale), tt.amount, tt.code)
		if err != nil {
			t.Fatalf("%v: %v", tt, err)
		}
		if got != tt.want {
			t.Errorf("FormatMoney(%s, %d, %s) = %q, want %q", tt.locale, tt.amount, tt.code, got, tt.want)
		}
	}
	if _, err := FormatMoney(language.BritishEnglish, 1, "XXZ"); err == nil {
		t.Fatal("unknown currency: want error")
	}
}

func TestMatchLocale(t *testing.T) {
	tests := []struct {
		account, accept, want string
	}{
		{"de-DE", "fr-FR", "de-DE"},
		{"", "fr-FR,fr;q=0.9", "fr-FR"},
		{"", "nl-BE;q=0.5, de;q=0.8", "de-DE"},
		{"", "", "en-GB"},
		{"", "ja-JP", "en-GB"},
		{"", "not a tag!!", "en-GB"},
		{"xx-invalid-", "nl-NL", "nl-NL"},
		{"ja-JP", "de-DE", "de-DE"},
		{"", "en-US", "en-GB"},
	}
	for _, tt := range tests {
		if got := MatchLocale(tt.account, tt.accept).String(); got != tt.want {
			t.Errorf("MatchLocale(%q, %q) = %s, want %s", tt.account, tt.accept, got, tt.want)
		}
	}
}

// ResolveLocale tells a locale the request named from the default standing
// in; the locale itself is MatchLocale's.
func TestResolveLocale(t *testing.T) {
	tests := []struct {
		account, accept, want string
		fromRequest           bool
	}{
		{"en-GB", "de-DE", "en-GB", true},
		{"", "en-GB", "en-GB", true},
		{"", "en-US", "en-GB", true},
		{"", "nl-BE", "nl-NL", true},
		{"", "", "en-GB", false},
		{"", "ja-JP", "en-GB", false},
		{"", "not a tag!!", "en-GB", false},
		{"ja-JP", "", "en-GB", false},
	}
	for _, tt := range tests {
		got, from := ResolveLocale(tt.account, tt.accept)
		if got.String() != tt.want || from != tt.fromRequest {
			t.Errorf("ResolveLocale(%q, %q) = %s %v, want %s %v", tt.account, tt.accept, got, from, tt.want, tt.fromRequest)
		}
		if m := MatchLocale(tt.account, tt.accept); m != got {
			t.Errorf("MatchLocale(%q, %q) = %s, ResolveLocale %s", tt.account, tt.accept, m, got)
		}
	}
}

func TestDisplayName(t *testing.T) {
	tests := map[string]string{
		"Anna Maria Schmidt": "Anna S.",
		"  Jan   de Vries ":  "Jan V.",
		"Éloïse Ørsted":      "Éloïse Ø.",
		"Cher":               "Cher",
		"":                   "",
		"   ":                "",
	}
	for in, want := range tests {
		if got := DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}
