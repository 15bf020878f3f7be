package graph

import (
	"fmt"
	"strings"

	"github.com/tandemgw/tandem/bff-web/graph/model"
	"github.com/tandemgw/tandem/shared/market"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/inventory"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/sources/reviews"
	"github.com/tandemgw/tandem/shared/upstream"
)

// contractError reports a backend answer the schema cannot represent (an
// enum value it does not know). The client sees only code and service.
func contractError(service, format string, args ...any) error {
	return &upstream.Error{Service: service, Code: upstream.CodeInternal, Err: fmt.Errorf(format, args...)}
}

func pageInfo(endCursor string, hasNext bool) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: hasNext}
	if endCursor != "" {
		pi.EndCursor = &endCursor
	}
	return pi
}

func toUser(u *accounts.User) (*model.User, error) {
	if u == nil {
		return nil, nil
	}
	tier := model.CustomerTier(strings.ToUpper(string(u.Tier)))
	if !tier.IsValid() {
		return nil, contractError(accounts.ID, "unknown tier %q", u.Tier)
	}
	return &model.User{
		ID:               u.ID,
		Email:            u.Email,
		Name:             u.Name,
		Tier:             tier,
		Locale:           string(u.Locale),
		CreatedAt:        u.CreatedAt,
		DefaultAddressID: u.DefaultAddressID,
	}, nil
}

func toAddress(a *accounts.Address) *model.Address {
	if a == nil {
		return nil
	}
	return &model.Address{
		ID:         a.ID,
		Label:      a.Label,
		Line1:      a.Line1,
		Line2:      a.Line2,
		City:       a.City,
		PostalCode: a.PostalCode,
		Country:    a.Country,
	}
}

func toProduct(p *catalog.Product) *model.Product {
	if p == nil {
		return nil
	}
	images := make([]*model.Image, len(p.Images))
	for i, img := range p.Images {
		images[i] = &model.Image{URL: img.URL, Width: int(img.Width), Height: img.Height, Alt: img.Alt}
	}
	tags := p.Tags
	if tags == nil {
		tags = []string{}
	}
	return &model.Product{
		ID:          p.ID,
		SKU:         p.SKU,
		Name:        p.Name,
		Brand:       p.Brand,
		Description: p.Description,
		Images:      images,
		Tags:        tags,
		CreatedAt:   p.CreatedAt,
		CategoryID:  p.CategoryID,
	}
}

func toCategory(c *catalog.Category) *model.Category {
	if c == nil {
		return nil
	}
	return &model.Category{ID: c.ID, Name: c.Name, ParentID: c.ParentID}
}

func toPrice(p *pricing.Price, mk market.Market) *model.Price {
	if p == nil {
		return nil
	}
	list := p.ListAmountMinor
	if list < p.AmountMinor {
		list = p.AmountMinor
	}
	out := &model.Price{
		Current:         &model.Money{AmountMinor: p.AmountMinor, Currency: p.Currency, Market: mk},
		List:            &model.Money{AmountMinor: list, Currency: p.Currency, Market: mk},
		DiscountPercent: p.DiscountPercent,
		OnSale:          p.DiscountPercent > 0 || list > p.AmountMinor,
	}
	if p.DiscountLabel != "" {
		label := p.DiscountLabel
		out.DiscountLabel = &label
	}
	return out
}

func toStock(s *inventory.Stock) *model.Stock {
	if s == nil {
		return nil
	}
	return &model.Stock{
		Available: s.Available,
		InStock:   s.Available > 0,
		Warehouse: s.Warehouse,
		DeliveryEstimate: &model.DeliveryEstimate{
			MinDays: s.DeliveryMinDays,
			MaxDays: s.DeliveryMaxDays,
		},
	}
}

func toRatingSummary(s *reviews.RatingSummary) *model.RatingSummary {
	if s == nil {
		return nil
	}
	hist := make([]*model.RatingBucket, len(s.Histogram))
	for i, n := range s.Histogram {
		hist[i] = &model.RatingBucket{Stars: i + 1, Count: n}
	}
	return &model.RatingSummary{Average: s.Average, Count: s.Count, Histogram: hist}
}

func toReview(r *reviews.Review) *model.Review {
	return &model.Review{ID: r.ID, Rating: r.Rating, Title: r.Title, Body: r.Body, CreatedAt: r.CreatedAt}
}

func toMoney(m orders.Money, mk market.Market) *model.Money {
	return &model.Money{AmountMinor: m.AmountMinor, Currency: m.Currency, Market: mk}
}

func toOrder(o *orders.Order, mk market.Market) (*model.Order, error) {
	if o == nil {
		return nil, nil
	}
	status := model.OrderStatus(strings.ToUpper(string(o.Status)))
	if !status.IsValid() {
		return nil, contractError(orders.ID, "unknown order status %q", o.Status)
	}
	lines := make([]*model.OrderLine, len(o.Lines))
	items := 0
	for i, l := range o.Lines {
		items += l.Quantity
		lines[i] = &model.OrderLine{
			SKU:       l.SKU,
			Quantity:  l.Quantity,
			UnitPrice: toMoney(l.UnitPrice, mk),
			LineTotal: &model.Money{
				AmountMinor: l.UnitPrice.AmountMinor * int64(l.Quantity),
				Currency:    l.UnitPrice.Currency,
				Market:      mk,
			},
			ProductID: l.ProductID,
		}
	}
	return &model.Order{
		ID:                o.ID,
		Status:            status,
		CreatedAt:         o.CreatedAt,
		Total:             toMoney(o.Total, mk),
		ItemCount:         items,
		Lines:             lines,
		UserID:            o.UserID,
		ShippingAddressID: o.ShippingAddressID,
	}, nil
}

func toCart(c *orders.Cart) *model.Cart {
	if c == nil {
		return nil
	}
	lines := make([]*model.CartLine, len(c.Lines))
	items := 0
	for i, l := range c.Lines {
		items += l.Quantity
		lines[i] = &model.CartLine{Quantity: l.Quantity, ProductID: l.ProductID}
	}
	return &model.Cart{Lines: lines, ItemCount: items, UpdatedAt: c.UpdatedAt}
}
