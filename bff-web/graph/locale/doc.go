// Package locale picks the display locale of a web request from its
// Accept-Language header and formats money in it. It is for presentation
// only (Money.formatted); it does not translate text and never calls a
// backend.
package locale
