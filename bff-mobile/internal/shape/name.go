package shape

import (
	"strings"
	"unicode/utf8"
)

// DisplayName shortens a full name for public display next to a review: the
// first word and the initial of the last word ("Anna Maria Schmidt" becomes
// "Anna S."), so a public card never shows a reviewer's full surname. A
// one-word name is returned as is; an empty name stays empty.
func DisplayName(full string) string {
	words := strings.Fields(full)
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	last := words[len(words)-1]
	r, _ := utf8.DecodeRuneInString(last)
	return words[0] + " " + string(r) + "."
}
