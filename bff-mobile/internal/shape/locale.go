package shape

import "golang.org/x/text/language"

// DefaultLocale is the locale of a response when neither the account nor the
// Accept-Language header names a supported one.
var DefaultLocale = language.BritishEnglish

// Locales are the locales the shop serves (the account locales); any other
// request locale is matched to the closest of these.
var Locales = []language.Tag{
	language.BritishEnglish,
	language.MustParse("de-DE"),
	language.MustParse("fr-FR"),
	language.MustParse("nl-NL"),
}

var matcher = language.NewMatcher(Locales)

// MatchLocale picks the response locale: the account locale when it matches
// a supported locale, else the best supported match for the Accept-Language
// header, else DefaultLocale. Either argument may be empty; malformed values
// are ignored.
func MatchLocale(account, acceptLanguage string) language.Tag {
	tag, _ := ResolveLocale(account, acceptLanguage)
	return tag
}

// ResolveLocale is MatchLocale that also says whether the locale is one the
// request named (fromRequest: the account's or the header's) or only
// DefaultLocale standing in because neither named a supported one. The
// graph package needs the difference: a named locale decides the market
// (and so the currency), the stand-in does not.
func ResolveLocale(account, acceptLanguage string) (tag language.Tag, fromRequest bool) {
	if account != "" {
		if t, err := language.Parse(account); err == nil {
			if m, ok := match(t); ok {
				return m, true
			}
		}
	}
	if acceptLanguage != "" {
		if tags, _, err := language.ParseAcceptLanguage(acceptLanguage); err == nil && len(tags) > 0 {
			if m, ok := match(tags...); ok {
				return m, true
			}
		}
	}
	return DefaultLocale, false
}

func match(tags ...language.Tag) (language.Tag, bool) {
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return language.Tag{}, false
	}
	return Locales[i], true
}
