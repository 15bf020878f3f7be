package shape

import (
	"strings"
	"testing"
	"unicode/utf8"
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

// ResolveLocale tells a locale the request named from the default standing
// in; the locale itself is MatchLocale's.

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
