package graph

import (
	"github.com/tandemgw/tandem/bff-web/graph/model"
	inventoryv1 "github.com/tandemgw/tandem/shared/gen/inventory/v1"
	"github.com/tandemgw/tandem/shared/market"
	"github.com/tandemgw/tandem/shared/resolve"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/sources/reviews"
	"github.com/tandemgw/tandem/shared/upstream"
)

func pageInfo[T any](page upstream.Page[T]) *model.PageInfo {
	return &model.PageInfo{HasNextPage: page.HasNextPage, EndCursor: resolve.Cursor(page.EndCursor)}
}

func toUser(u *accounts.User) (*model.User, error) {
	if u == nil {
		return nil, nil
	}
	tier, err := resolve.Enum[model.CustomerTier](accounts.ID, "tier", string(u.Tier))
	if err != nil {
		return nil, err
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

func toProduct(p *catalog.Product) *model.Product {
	if p == nil {
		return nil
	}
	images := resolve.Map(p.Images, func(img catalog.Image) *model.Image {
		return &model.Image{URL: img.URL, Width: int(img.Width), Height: int(img.Height), Alt: img.Alt}
	})
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

// toStock maps inventory's stock of a SKU; the schema's @grpc field reads
// it through inventory.StockBySKU.
func toStock(s *inventoryv1.Stock) *model.Stock {
	if s == nil {
		return nil
	}
	v := &model.Stock{Available: int(s.GetAvailable()), Warehouse: s.GetWarehouse()}
	if d := s.GetDeliveryEstimate(); d != nil {
		v.DeliveryEstimate = &model.DeliveryEstimate{MinDays: int(d.GetMinDays()), MaxDays: int(d.GetMaxDays())}
	}
	v.Complete()
	return v
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
	// One allocation for the price and its two amounts (a listing converts
	// one price per product), and one formatting when they are equal.
	all := &priceAndAmounts{
		current: model.Money{AmountMinor: p.AmountMinor, Currency: p.Currency, Formatted: mk.Format(p.AmountMinor, p.Currency)},
	}
	all.list = all.current
	if list != p.AmountMinor {
		all.list = model.Money{AmountMinor: list, Currency: p.Currency, Formatted: mk.Format(list, p.Currency)}
	}
	out := &all.Price
	*out = model.Price{
		Current:         &all.current,
		List:            &all.list,
		DiscountPercent: p.DiscountPercent,
		OnSale:          p.DiscountPercent > 0 || list > p.AmountMinor,
	}
	if p.DiscountLabel != "" {
		label := p.DiscountLabel
		out.DiscountLabel = &label
	}
	return out
}

func toRatingSummary(s *reviews.RatingSummary) *model.RatingSummary {
	if s == nil {
		return nil
	}
	// One allocation for the summary and its usual five buckets: a listing
	// converts one summary per product, and most never select the
	// histogram.
	all := &ratingSummary{RatingSummary: model.RatingSummary{Average: s.Average, Count: s.Count}}
	buckets, hist := all.buckets[:0], all.hist[:0]
	for i, n := range s.Histogram {
		buckets = append(buckets, model.RatingBucket{Stars: i + 1, Count: n})
		hist = append(hist, &buckets[len(buckets)-1])
	}
	all.Histogram = hist
	return &all.RatingSummary
}

// priceAndAmounts holds a price with its current and list amounts.
type priceAndAmounts struct {
	model.Price
	current, list model.Money
}

// ratingSummary holds a summary with room for its buckets.
type ratingSummary struct {
	model.RatingSummary
	buckets [5]model.RatingBucket
	hist    [5]*model.RatingBucket
}

func toReview(r *reviews.Review) *model.Review {
	return &model.Review{ID: r.ID, Rating: r.Rating, Title: r.Title, Body: r.Body, CreatedAt: r.CreatedAt}
}

func toMoney(m orders.Money, mk market.Market) *model.Money {
	return model.NewMoney(m.AmountMinor, m.Currency, mk)
}

func toOrder(o *orders.Order, mk market.Market) (*model.Order, error) {
	if o == nil {
		return nil, nil
	}
	status, err := resolve.Enum[model.OrderStatus](orders.ID, "order status", string(o.Status))
	if err != nil {
		return nil, err
	}
	lines := make([]*model.OrderLine, len(o.Lines))
	items := 0
	for i, l := range o.Lines {
		items += l.Quantity
		lines[i] = &model.OrderLine{
			SKU:       l.SKU,
			Quantity:  l.Quantity,
			UnitPrice: toMoney(l.UnitPrice, mk),
			LineTotal: model.NewMoney(l.UnitPrice.AmountMinor*int64(l.Quantity), l.UnitPrice.Currency, mk),
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
