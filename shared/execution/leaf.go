package execution

import (
	"io"
	"math"
	"strconv"

	"github.com/99designs/gqlgen/graphql"
)

// Leaf values are the values of plain leaves (see ResolveLeaf) read
// through a pointer into the model: converting a pointer to a
// graphql.Marshaler allocates nothing, where gqlgen's way allocates a
// field context, closures, a boxed value and a marshaller closure for each
// field of each object. Each writes exactly what gqlgen's marshaller of its
// Go type writes (graphql.MarshalString, MarshalBoolean, MarshalInt,
// MarshalInt32, MarshalInt64, MarshalFloatContext), which the tests hold
// it to.
//
// The value is read when the response is written, after every field has
// resolved; a BFF's models are not changed once a resolver has returned
// them, so that reads what gqlgen would have read.
type (
	// String is a String or ID field's value.
	String string
	// Boolean is a Boolean field's value.
	Boolean bool
	// Int is an Int field bound to int.
	Int int
	// Int32 is an Int field bound to int32.
	Int32 int32
	// Int64 is an Int field bound to int64.
	Int64 int64
	// Float is a Float field bound to float64 whose value is Finite:
	// gqlgen reports a NaN or an infinity as an error at the field's
	// path, so the executor reads only a finite value this way.
	Float float64
)

var (
	_ graphql.Marshaler = (*String)(nil)
	_ graphql.Marshaler = (*Boolean)(nil)
	_ graphql.Marshaler = (*Int)(nil)
	_ graphql.Marshaler = (*Int32)(nil)
	_ graphql.Marshaler = (*Int64)(nil)
	_ graphql.Marshaler = (*Float)(nil)
)

func (s *String) MarshalGQL(w io.Writer) { writeQuotedString(w, string(*s)) }

func (b *Boolean) MarshalGQL(w io.Writer) {
	if *b {
		_, _ = io.WriteString(w, "true")
	} else {
		_, _ = io.WriteString(w, "false")
	}
}

func (i *Int) MarshalGQL(w io.Writer)   { writeInt(w, int64(*i)) }
func (i *Int32) MarshalGQL(w io.Writer) { writeInt(w, int64(*i)) }
func (i *Int64) MarshalGQL(w io.Writer) { writeInt(w, int64(*i)) }

// Finite reports whether f is neither NaN nor an infinity: a Float that
// gqlgen marshals without an error.
func Finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// MarshalGQL writes f as gqlgen does, fmt's %g: the shortest
// representation, in strconv's 'g' format.
func (f *Float) MarshalGQL(w io.Writer) {
	if bw, ok := w.(byteWriter); ok {
		_, _ = bw.Write(strconv.AppendFloat(bw.AvailableBuffer(), float64(*f), 'g', -1, 64))
		return
	}
	_, _ = io.WriteString(w, strconv.FormatFloat(float64(*f), 'g', -1, 64))
}

// byteWriter is what gqlgen's response buffers are; writing digits into
// its spare capacity avoids strconv's string.
type byteWriter interface {
	io.Writer
	AvailableBuffer() []byte
}

func writeInt(w io.Writer, v int64) {
	if bw, ok := w.(byteWriter); ok {
		_, _ = bw.Write(strconv.AppendInt(bw.AvailableBuffer(), v, 10))
		return
	}
	_, _ = io.WriteString(w, strconv.FormatInt(v, 10))
}

const hexDigits = "0123456789ABCDEF"

// writeQuotedString writes s as graphql.MarshalString does: quoted, with
// control characters, the backslash and the quote escaped, and nothing
// else (HTML characters and invalid UTF-8 pass through as gqlgen leaves
// them).
func writeQuotedString(w io.Writer, s string) {
	start := 0
	_, _ = io.WriteString(w, `"`)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		_, _ = io.WriteString(w, s[start:i])
		switch c {
		case '\t':
			_, _ = io.WriteString(w, `\t`)
		case '\r':
			_, _ = io.WriteString(w, `\r`)
		case '\n':
			_, _ = io.WriteString(w, `\n`)
		case '\\':
			_, _ = io.WriteString(w, `\\`)
		case '"':
			_, _ = io.WriteString(w, `\"`)
		default:
			_, _ = io.WriteString(w, `\u00`)
			_, _ = io.WriteString(w, hexDigits[c>>4:c>>4+1])
			_, _ = io.WriteString(w, hexDigits[c&0xf:c&0xf+1])
		}
		start = i + 1
	}
	_, _ = io.WriteString(w, s[start:])
	_, _ = io.WriteString(w, `"`)
}
