package market

import (
	"strconv"
	"strings"
	"sync"

	"github.com/bojanz/currency"
)

// layout is how one locale writes one currency, learnt once from the CLDR
// formatter by formatting a probe amount: the text around the digits, the
// separators, and the number of decimals. Formatting through it costs one
// allocation instead of the formatter's two dozen, and a test holds it
// equal to the formatter's own answer.
type layout struct {
	digits               int // decimals of the currency
	decimal, group       string
	posPrefix, posSuffix string
	negPrefix, negSuffix string
}

type layoutKey struct {
	f    *currency.Formatter
	code string
}

var layouts sync.Map // layoutKey -> *layout, or nil for an unknown code

// layoutFor returns the layout of code in f's locale.
func layoutFor(f *currency.Formatter, code string) (*layout, bool) {
	k := layoutKey{f, code}
	if v, ok := layouts.Load(k); ok {
		l := v.(*layout)
		return l, l != nil
	}
	l := learn(f, code)
	layouts.Store(k, l)
	return l, l != nil
}

// learn formats ±1234567 followed by the decimals 1, 2, … and reads the
// layout off the answer. Every locale the shop supports groups by three.
func learn(f *currency.Formatter, code string) *layout {
	digits, ok := currency.GetDigits(code)
	if !ok || !currency.IsValid(code) {
		return nil
	}
	probe := "1234567"
	if digits > 0 {
		probe += "." + "123456789"[:digits]
	}
	l := &layout{digits: int(digits)}
	for _, neg := range []bool{false, true} {
		n := probe
		if neg {
			n = "-" + n
		}
		amount, err := currency.NewAmount(n, code)
		if err != nil {
			return nil
		}
		out := f.Format(amount)
		first := strings.IndexByte(out, '1')
		lastDigit := "7"
		if digits > 0 {
			lastDigit = "123456789"[digits-1 : digits]
		}
		last := strings.LastIndex(out, lastDigit)
		if first < 0 || last < first {
			return nil
		}
		prefix, body, suffix := out[:first], out[first:last+1], out[last+1:]
		// body is 1<g>234<g>567[<d>12…]
		i2 := strings.Index(body, "234")
		i5 := strings.Index(body, "567")
		if i2 < 0 || i5 < 0 {
			return nil
		}
		l.group = body[1:i2]
		if digits > 0 {
			l.decimal = body[i5+3 : len(body)-int(digits)]
		}
		if neg {
			l.negPrefix, l.negSuffix = prefix, suffix
		} else {
			l.posPrefix, l.posSuffix = prefix, suffix
		}
	}
	return l
}

// format writes amountMinor (in minor units) in the layout.
func (l *layout) format(amountMinor int64) string {
	prefix, suffix := l.posPrefix, l.posSuffix
	u := uint64(amountMinor)
	if amountMinor < 0 {
		prefix, suffix = l.negPrefix, l.negSuffix
		u = uint64(-amountMinor)
	}
	var buf [24]byte
	ds := strconv.AppendUint(buf[:0], u, 10)
	// Pad so there is at least one major digit: 5 minor units are 0.05.
	for len(ds) <= l.digits {
		ds = append([]byte{'0'}, ds...)
	}
	major, minor := ds[:len(ds)-l.digits], ds[len(ds)-l.digits:]
	var b strings.Builder
	b.Grow(len(prefix) + len(suffix) + len(ds) + len(ds)/3*len(l.group) + len(l.decimal))
	b.WriteString(prefix)
	for i, c := range major {
		if i > 0 && (len(major)-i)%3 == 0 {
			b.WriteString(l.group)
		}
		b.WriteByte(c)
	}
	if l.digits > 0 {
		b.WriteString(l.decimal)
		b.Write(minor)
	}
	b.WriteString(suffix)
	return b.String()
}
