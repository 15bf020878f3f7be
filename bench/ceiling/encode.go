package ceiling

import (
	"strconv"
	"unicode/utf8"
)

// appendString appends s as a JSON string, byte for byte as bff-web
// writes it: gqlgen quotes the value (\t, \r, \n, \\ and \" short, other
// control characters as \u00XX in upper-case hex), and encoding/json,
// compacting the data into the response envelope, escapes <, > and & and
// the line and paragraph separators U+2028 and U+2029 (lower-case hex).
func appendString(b []byte, s string) []byte {
	const upper, lower = "0123456789ABCDEF", "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == '\u2028' || r == '\u2029' {
				b = append(b, s[start:i]...)
				b = append(b, `\u202`...)
				b = append(b, lower[r&0xF])
				start = i + size
			}
			i += size
			continue
		}
		var esc string
		switch c {
		case '"':
			esc = `\"`
		case '\\':
			esc = `\\`
		case '\t':
			esc = `\t`
		case '\r':
			esc = `\r`
		case '\n':
			esc = `\n`
		case '<', '>', '&':
			esc = `\u00` + string(lower[c>>4]) + string(lower[c&0xF])
		default:
			if c >= 0x20 {
				i++
				continue
			}
			esc = `\u00` + string(upper[c>>4]) + string(upper[c&0xF])
		}
		b = append(b, s[start:i]...)
		b = append(b, esc...)
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendFloat appends f as gqlgen writes a Float: fmt's %g, which is
// strconv's shortest 'g' form.
func appendFloat(b []byte, f float64) []byte {
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}
