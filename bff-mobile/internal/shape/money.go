package shape

import (
	"fmt"
	"math"

	"golang.org/x/text/currency"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/number"
)

// FormatMoney formats an amount in a currency's minor unit for display in a
// locale: the currency symbol as the locale writes it, directly followed by
// the amount with the locale's grouping and decimal separators and the
// currency's standard number of decimals, e.g. 129900 EUR is "€1.299,00" in
// de-DE, "€1,299.00" in en-GB and "-€5.00" for -500 EUR in en-GB.
//
// The symbol always leads and is never spaced: golang.org/x/text has no CLDR
// currency patterns, so one compact layout for every locale is more
// predictable on a small screen than x/text's "€ 1.299,00". An unknown
// currency code is an error.
func FormatMoney(tag language.Tag, amountMinor int64, code string) (string, error) {
	unit, err := currency.ParseISO(code)
	if err != nil {
		return "", fmt.Errorf("shape: unknown currency %q", code)
	}
	scale, _ := currency.Standard.Rounding(unit)
	p := message.NewPrinter(tag)
	sign := ""
	abs := amountMinor
	if amountMinor < 0 {
		sign = "-"
		abs = -amountMinor
	}
	major := float64(abs) / math.Pow10(scale)
	return sign + p.Sprint(currency.Symbol(unit)) +
		p.Sprint(number.Decimal(major, number.MinFractionDigits(scale), number.MaxFractionDigits(scale))), nil
}
