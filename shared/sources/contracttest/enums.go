package contracttest

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// A GraphQL enum's model is a string type with IsValid (gqlgen writes
// it). Decoding an answer into it goes through UnmarshalJSON, which
// refuses any string IsValid refuses ("silver is not a valid
// LoyaltyTier"), and a gRPC answer is mapped onto it by the enum value's
// name (String()). Either way the backend's spelling is used as is, so
// the contract must spell every value exactly as the SDL does: a
// mismatch otherwise passes generation and fails only at run time.
type validEnum interface{ IsValid() bool }

var validEnumType = reflect.TypeFor[validEnum]()

// isEnum reports whether t is a GraphQL enum's generated model.
func isEnum(t reflect.Type) bool {
	return t.Kind() == reflect.String && t.Implements(validEnumType)
}

// valid reports whether v is a value of the enum model t.
func valid(t reflect.Type, v string) bool {
	x := reflect.New(t).Elem()
	x.SetString(v)
	return x.Interface().(validEnum).IsValid()
}

// SDLEnums holds the enum definitions of a directory of GraphQL schema
// files, by name; a name may be defined by several schemas (web and
// mobile each declare OrderStatus).
type SDLEnums map[string][][]string

// LoadSDLEnums reads every enum definition of the *.graphqls files under
// dir. Each file is parsed on its own, so schemas of different BFFs do
// not meet.
func LoadSDLEnums(dir string) (SDLEnums, error) {
	out := SDLEnums{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".graphqls") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		doc, err := parser.ParseSchema(&ast.Source{Name: path, Input: string(b)})
		if err != nil {
			return fmt.Errorf("parse %s: %w", path, err)
		}
		for _, def := range append(doc.Definitions, doc.Extensions...) {
			if def.Kind != ast.Enum {
				continue
			}
			var values []string
			for _, v := range def.EnumValues {
				values = append(values, v.Name)
			}
			out[def.Name] = append(out[def.Name], values)
		}
		return nil
	})
	return out, err
}

// values returns the SDL values of the enum model t: of the definitions
// named like t, the largest whose every value t accepts (the one t was
// generated from); nil when none is known.
func (e SDLEnums) values(t reflect.Type) []string {
	var best []string
	for _, def := range e[t.Name()] {
		if len(def) > len(best) && !slices.ContainsFunc(def, func(v string) bool { return !valid(t, v) }) {
			best = def
		}
	}
	return best
}

// enumMismatches compares the values a contract gives a field (contract,
// in its order; nil when it gives none) with the GraphQL enum t the field
// maps onto. field names the field ("Loyalty.tier"), src the contract
// ("the OpenAPI contract"), why what a misspelling does at run time.
func (c checker) enumMismatches(field string, t reflect.Type, contract []string, src, why string) []string {
	sdl := c.enums.values(t)
	if len(contract) == 0 {
		return []string{fmt.Sprintf("%s: GraphQL enum %s, but %s lists no enum values for it: list them, spelled as the SDL spells them (%s)",
			field, t.Name(), src, strings.Join(sdl, ", "))}
	}
	var spelled, unknown []string
	for _, v := range contract {
		if valid(t, v) {
			continue
		}
		if s := counterpart(v, sdl, t); s != "" {
			spelled = append(spelled, fmt.Sprintf("%q (SDL %s)", v, s))
		} else {
			unknown = append(unknown, fmt.Sprintf("%q", v))
		}
	}
	var out []string
	if len(spelled) > 0 {
		out = append(out, fmt.Sprintf("%s: GraphQL enum %s: %s spells %s; %s: spell them alike",
			field, t.Name(), src, strings.Join(spelled, ", "), why))
	}
	if len(unknown) > 0 {
		out = append(out, fmt.Sprintf("%s: GraphQL enum %s (%s) has no value %s of %s; %s",
			field, t.Name(), strings.Join(sdl, ", "), strings.Join(unknown, ", "), src, why))
	}
	for _, s := range sdl {
		if !slices.Contains(contract, s) && !slices.ContainsFunc(contract, func(v string) bool { return counterpart(v, []string{s}, t) != "" }) {
			out = append(out, fmt.Sprintf("%s: GraphQL enum %s has value %s, which %s does not list (%s)",
				field, t.Name(), s, src, strings.Join(contract, ", ")))
		}
	}
	return out
}

// counterpart is the SDL value that a contract value v not accepted by t
// was meant to be: the same letters in another case, or v without a proto
// enum's type prefix (TIER_BRONZE for BRONZE). When the SDL is not known,
// it tries v in upper case.
func counterpart(v string, sdl []string, t reflect.Type) string {
	if sdl == nil {
		if u := strings.ToUpper(v); valid(t, u) {
			return u
		}
		return ""
	}
	for _, s := range sdl {
		if strings.EqualFold(s, v) || strings.HasSuffix(strings.ToUpper(v), "_"+strings.ToUpper(s)) {
			return s
		}
	}
	return ""
}
