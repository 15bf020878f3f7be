package shape

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis ends a text that Summarize has cut.
const Ellipsis = "…"

// SummaryRunes is the length, in runes, of a product summary on the mobile
// surface (ellipsis included).
const SummaryRunes = 140

// ExcerptRunes is the length, in runes, of a review excerpt (ellipsis included).
const ExcerptRunes = 100

// Summarize returns s with its whitespace collapsed to single spaces and, when
// that is longer than limit runes, cut at the last word boundary that leaves
// room for the ellipsis, with trailing punctuation removed and Ellipsis
// appended. The result never exceeds limit runes and never splits a rune. A
// single word longer than the limit is cut inside the word. limit < 1 yields
// "".
func Summarize(s string, limit int) string {
	if limit < 1 {
		return ""
	}
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	keep := limit - utf8.RuneCountInString(Ellipsis)
	if keep < 1 {
		return string([]rune(Ellipsis)[:limit])
	}
	// Byte offset just past the first keep runes.
	end, n := 0, 0
	for i := range s {
		if n == keep {
			end = i
			break
		}
		n++
	}
	cut := s[:end]
	// s[end] is the rune after the kept prefix: when it is a space the prefix
	// ends on a word boundary already; otherwise back up to the last space.
	if r, _ := utf8.DecodeRuneInString(s[end:]); !unicode.IsSpace(r) {
		if i := strings.LastIndexByte(cut, ' '); i > 0 {
			cut = cut[:i]
		}
	}
	cut = strings.TrimRightFunc(cut, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsPunct(r)
	})
	if cut == "" {
		cut = s[:end]
	}
	return cut + Ellipsis
}
