// Package model is the Go model of the differential test's schema, bound
// by both of its executors (autobind), so that one set of resolvers
// serves both.
package model

import (
	"fmt"
	"io"
	"strconv"
)

// Node, Named and SearchResult are the schema's interfaces and union.
type (
	Node         interface{ IsNode() }
	Named        interface{ IsNamed() }
	SearchResult interface{ IsSearchResult() }
)

// Shelf's items, featured items, grid and owner are resolvers; its motto
// is a plain field under a directive.
type Shelf struct {
	ID    string
	Title string
	Tags  []string
	Motto *string
}

func (Shelf) IsNode() {}

// Item's strict, maybe, detail, maybeDetail, related and variants (and
// the fields of schema/directives.graphqls) are resolvers; the rest are plain fields, most of them plain leaves.
type Item struct {
	ID     string
	Name   string
	Color  Color
	Price  Money
	Count  int
	Ratio  float64
	Active bool
	Note   *string
}

func (Item) IsNode()         {}
func (Item) IsNamed()        {}
func (Item) IsSearchResult() {}

// Detail is read from its struct only; a nil PtrLabel is a non-null
// violation gqlgen reports at the field.
type Detail struct {
	Label    string
	PtrLabel *string
	Weight   *float64
	Parts    []*Part
	// Plain fields under directives: each would otherwise be read
	// straight from the struct.
	Shout       string
	Secret      *string
	Hidden      string
	Open        string
	ScopedParts []*Part
}

// Part's check and scope are resolvers.
type Part struct {
	Sku      string
	Quantity int
	Fragile  bool
}

// Person's friends and favorite are resolvers.
type Person struct {
	ID   string
	Name string
}

func (Person) IsNode()         {}
func (Person) IsNamed()        {}
func (Person) IsSearchResult() {}

// Scalars holds one value of each scalar the schema has.
type Scalars struct {
	S       string
	I       int
	F       float64
	B       bool
	ID      string
	Money   Money
	Color   Color
	Colors  []Color
	PtrS    *string
	PtrI    *int
	NilS    *string
	Big     int
	Unicode string
	Inf     float64
	NaN     float64
}

// Money is an amount in minor units, written as a decimal string.
type Money int64

func (m Money) MarshalGQL(w io.Writer) {
	sign := ""
	if m < 0 {
		sign, m = "-", -m
	}
	_, _ = io.WriteString(w, strconv.Quote(fmt.Sprintf("%s%d.%02d", sign, m/100, m%100)))
}

func (m *Money) UnmarshalGQL(v any) error {
	switch v := v.(type) {
	case int64:
		*m = Money(v)
	case int:
		*m = Money(v)
	default:
		return fmt.Errorf("money must be an integer of minor units, not %T", v)
	}
	return nil
}

// Color is the schema's enum.
type Color string

const (
	Red   Color = "RED"
	Green Color = "GREEN"
	Blue  Color = "BLUE"
)

func (c Color) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(c))) }

func (c *Color) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok || (s != string(Red) && s != string(Green) && s != string(Blue)) {
		return fmt.Errorf("%v is not a Color", v)
	}
	*c = Color(s)
	return nil
}

// Query is the root type, bound here so that gqlgen generates no model.
type Query struct{}
