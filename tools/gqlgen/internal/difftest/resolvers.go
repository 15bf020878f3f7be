package difftest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/tools/gqlgen/internal/difftest/model"
	"github.com/tandemgw/tandem/tools/gqlgen/internal/difftest/rewritten"
	"github.com/tandemgw/tandem/tools/gqlgen/internal/difftest/stock"
)

// The resolvers answer from the fixed data below, so that both executors
// see the same values and failures. An item's name says how it fails:
// "nodetail" (its non-null detail is nil), "strictfail" (its non-null
// strict errs), "maybefail" (its nullable maybe errs), "ptrnil" (its
// detail's non-null ptrLabel is nil), "panic" (its strict panics); a part
// whose sku ends in -fail fails its non-null check.

func str(s string) *string   { return &s }
func num(f float64) *float64 { return &f }

var items = map[string]*model.Item{
	"i1": {ID: "i1", Name: "Kettle", Color: model.Red, Price: 2599, Count: 3, Ratio: 0.1, Active: true, Note: str("steel")},
	"i2": {ID: "i2", Name: "Lamp", Color: model.Green, Price: 1250, Count: 0, Ratio: 1e21, Active: false},
	"i3": {ID: "i3", Name: "Broken nodetail", Color: model.Blue, Price: 5, Count: -7, Ratio: 3, Active: true},
	"i4": {ID: "i4", Name: "Bad strictfail", Color: model.Red, Price: 100, Count: 1, Ratio: -2.5, Active: true, Note: str("")},
	"i5": {ID: "i5", Name: "Odd maybefail", Color: model.Green, Price: 0, Count: 2, Ratio: 0, Active: false},
	"i6": {ID: "i6", Name: "Ghost ptrnil", Color: model.Blue, Price: 99999, Count: 1 << 40, Ratio: 1.5e-9, Active: true},
	"i7": {ID: "i7", Name: "Crate", Color: model.Red, Price: 4200, Count: 12, Ratio: 12.25, Active: true, Note: str("fragile \"glass\"")},
	"i8": {ID: "i8", Name: "Bomb panic", Color: model.Green, Price: 1, Count: 1, Ratio: 1, Active: false},
}

var people = map[string]*model.Person{
	"p1": {ID: "p1", Name: "Ada"},
	"p2": {ID: "p2", Name: "Grace"},
	"p3": {ID: "p3", Name: "Nobody"},
}

type shelfData struct {
	shelf               *model.Shelf
	items, maybeItems   []string // "" is a nil item
	featured, maybeFeat string
	grid                [][]string // a nil row is a nil list
	owner               string
}

var shelves = []shelfData{
	{
		shelf: &model.Shelf{ID: "s1", Title: "Sound", Tags: []string{"a", "b"}, Motto: str("keep it down, ünïcödé")},
		items: []string{"i1", "i2"}, maybeItems: []string{"i1", ""}, featured: "i1",
		grid: [][]string{{"i1", "i2"}, nil, {"i2"}}, owner: "p1",
	},
	{
		shelf: &model.Shelf{ID: "s2", Title: "Nil detail", Tags: []string{}},
		items: []string{"i1", "i3", "i2"}, maybeItems: []string{"i3", "i2"}, featured: "i3", maybeFeat: "i3",
		grid: [][]string{{"i3"}, {"i1"}},
	},
	{
		shelf: &model.Shelf{ID: "s3", Title: "Failures", Tags: []string{"x"}, Motto: str("")},
		items: []string{"i4", "i5", "i6", "i7", "i8"}, maybeItems: []string{"i4", "i8"}, featured: "i4", maybeFeat: "i6",
		grid: [][]string{{"i1", ""}}, owner: "p2",
	},
}

func shelfByID(id string) *shelfData {
	for i := range shelves {
		if shelves[i].shelf.ID == id {
			return &shelves[i]
		}
	}
	return nil
}

func list(ids []string) []*model.Item {
	if ids == nil {
		return nil
	}
	out := make([]*model.Item, len(ids))
	for i, id := range ids {
		out[i] = items[id]
	}
	return out
}

type queryResolver struct{}

func (queryResolver) Shelf(_ context.Context, id string) (*model.Shelf, error) {
	if s := shelfByID(id); s != nil {
		return s.shelf, nil
	}
	return nil, fmt.Errorf("no shelf %s", id)
}

func (queryResolver) MaybeShelf(_ context.Context, id string) (*model.Shelf, error) {
	if s := shelfByID(id); s != nil {
		return s.shelf, nil
	}
	return nil, nil
}

func (queryResolver) Shelves(context.Context) ([]*model.Shelf, error) {
	out := make([]*model.Shelf, len(shelves))
	for i := range shelves {
		out[i] = shelves[i].shelf
	}
	return out, nil
}

func (queryResolver) Node(_ context.Context, id string) (model.Node, error) {
	if s := shelfByID(id); s != nil {
		return s.shelf, nil
	}
	if it, ok := items[id]; ok {
		return it, nil
	}
	if p, ok := people[id]; ok {
		return p, nil
	}
	return nil, nil
}

func (queryResolver) Search(_ context.Context, term string) ([]model.SearchResult, error) {
	switch term {
	case "all":
		return []model.SearchResult{items["i1"], people["p1"], items["i3"], people["p2"]}, nil
	case "items":
		return []model.SearchResult{items["i2"], items["i7"]}, nil
	case "fail":
		return nil, &gqlerror.Error{Message: "search is down", Extensions: map[string]any{"code": "UNAVAILABLE", "retry": true}}
	}
	return []model.SearchResult{}, nil
}

func (queryResolver) Named(context.Context) ([]model.Named, error) {
	return []model.Named{items["i1"], people["p1"], items["i6"], people["p3"]}, nil
}

func (queryResolver) Scalars(context.Context) (*model.Scalars, error) {
	return &model.Scalars{
		S: "plain", I: -42, F: 6.02214076e23, B: true, ID: "id:1", Money: -1999, Color: model.Blue,
		Colors: []model.Color{model.Red, model.Blue}, PtrS: str("pointer"), PtrI: new(int), Big: 1<<53 + 1,
		Unicode: "ünïcödé \"quoted\" \\ \n\t <tag> & emoji 😀 \u2028 \x01",
		Inf:     math.Inf(1), NaN: math.NaN(),
	}, nil
}

func (queryResolver) Failing(context.Context) (*model.Item, error) {
	return nil, errors.New("failing fails")
}

func (queryResolver) Missing(context.Context) (*model.Item, error) { return nil, nil }

func (queryResolver) Nothing(context.Context) ([]*model.Item, error) {
	return []*model.Item{items["i1"], nil}, nil
}

func (queryResolver) Echo(_ context.Context, color model.Color, price model.Money, count *int) (string, error) {
	c := -1
	if count != nil {
		c = *count
	}
	return fmt.Sprintf("%s %d %d", color, price, c), nil
}

type shelfResolver struct{}

func (shelfResolver) Items(_ context.Context, s *model.Shelf) ([]*model.Item, error) {
	return list(shelfByID(s.ID).items), nil
}

func (shelfResolver) MaybeItems(_ context.Context, s *model.Shelf) ([]*model.Item, error) {
	return list(shelfByID(s.ID).maybeItems), nil
}

func (shelfResolver) Featured(_ context.Context, s *model.Shelf) (*model.Item, error) {
	return items[shelfByID(s.ID).featured], nil
}

func (shelfResolver) MaybeFeatured(_ context.Context, s *model.Shelf) (*model.Item, error) {
	return items[shelfByID(s.ID).maybeFeat], nil
}

func (shelfResolver) Grid(_ context.Context, s *model.Shelf) ([][]*model.Item, error) {
	rows := shelfByID(s.ID).grid
	out := make([][]*model.Item, len(rows))
	for i, r := range rows {
		out[i] = list(r)
	}
	return out, nil
}

func (shelfResolver) Owner(_ context.Context, s *model.Shelf) (*model.Person, error) {
	return people[shelfByID(s.ID).owner], nil
}

type itemResolver struct{}

func (itemResolver) Strict(_ context.Context, it *model.Item) (string, error) {
	switch {
	case strings.Contains(it.Name, "strictfail"):
		return "", fmt.Errorf("strict fails for %s", it.ID)
	case strings.Contains(it.Name, "panic"):
		panic("strict panics for " + it.ID)
	}
	return "strict " + it.ID, nil
}

func (itemResolver) Maybe(_ context.Context, it *model.Item) (*string, error) {
	if strings.Contains(it.Name, "maybefail") {
		return nil, fmt.Errorf("maybe fails for %s", it.ID)
	}
	if it.Note == nil {
		return nil, nil
	}
	return str("maybe " + it.ID), nil
}

func (itemResolver) Detail(_ context.Context, it *model.Item) (*model.Detail, error) {
	if strings.Contains(it.Name, "nodetail") {
		return nil, nil
	}
	return detail(it), nil
}

func (itemResolver) MaybeDetail(_ context.Context, it *model.Item) (*model.Detail, error) {
	if it.Note == nil {
		return nil, nil
	}
	return detail(it), nil
}

func detail(it *model.Item) *model.Detail {
	d := &model.Detail{Label: "detail " + it.ID, PtrLabel: str("ptr " + it.ID)}
	if strings.Contains(it.Name, "ptrnil") {
		d.PtrLabel = nil
	}
	if it.Count > 0 {
		d.Weight = num(float64(it.Count) / 4)
	}
	d.Parts = []*model.Part{{Sku: it.ID + "-a", Quantity: 1, Fragile: true}, {Sku: it.ID + "-b", Quantity: it.Count}}
	if it.ID == "i7" {
		d.Parts = append(d.Parts, &model.Part{Sku: "i7-fail", Quantity: 2})
	}
	d.Shout, d.Hidden, d.Open, d.ScopedParts = "shout "+it.Name, "hidden "+it.ID, "open "+it.ID, d.Parts
	if it.Note != nil {
		d.Secret = str("secret " + it.ID)
	}
	return d
}

func (itemResolver) Related(_ context.Context, it *model.Item) ([]*model.Item, error) {
	switch it.ID {
	case "i1":
		return list([]string{"i2", "i3"}), nil
	case "i2":
		return list([]string{"i1"}), nil
	case "i7":
		return list([]string{"i4", "i1"}), nil
	}
	return []*model.Item{}, nil
}

func (itemResolver) Variants(_ context.Context, it *model.Item) ([]*model.Item, error) {
	if it.ID == "i5" {
		return nil, fmt.Errorf("variants fail for %s", it.ID)
	}
	return list([]string{"i2", "", "i3"}), nil
}

type partResolver struct{}

func (partResolver) Check(_ context.Context, p *model.Part) (bool, error) {
	if strings.HasSuffix(p.Sku, "-fail") {
		return false, fmt.Errorf("check fails for %s", p.Sku)
	}
	return p.Quantity > 0, nil
}

type personResolver struct{}

func (personResolver) Friends(_ context.Context, p *model.Person) ([]*model.Person, error) {
	switch p.ID {
	case "p1":
		return []*model.Person{people["p2"]}, nil
	case "p2":
		return []*model.Person{people["p1"], people["p3"]}, nil
	}
	return nil, nil // a nil for a non-null list
}

func (personResolver) Favorite(_ context.Context, p *model.Person) (*model.Item, error) {
	switch p.ID {
	case "p1":
		return items["i1"], nil
	case "p2":
		return items["i3"], nil
	}
	return nil, nil
}

// StockResolvers and RewrittenResolvers are the same resolvers, as each
// executor's ResolverRoot names them.
type (
	StockResolvers     struct{}
	RewrittenResolvers struct{}
)

func (StockResolvers) Query() stock.QueryResolver           { return queryResolver{} }
func (StockResolvers) Shelf() stock.ShelfResolver           { return shelfResolver{} }
func (StockResolvers) Item() stock.ItemResolver             { return itemResolver{} }
func (StockResolvers) Part() stock.PartResolver             { return partResolver{} }
func (StockResolvers) Person() stock.PersonResolver         { return personResolver{} }
func (RewrittenResolvers) Query() rewritten.QueryResolver   { return queryResolver{} }
func (RewrittenResolvers) Shelf() rewritten.ShelfResolver   { return shelfResolver{} }
func (RewrittenResolvers) Item() rewritten.ItemResolver     { return itemResolver{} }
func (RewrittenResolvers) Part() rewritten.PartResolver     { return partResolver{} }
func (RewrittenResolvers) Person() rewritten.PersonResolver { return personResolver{} }
