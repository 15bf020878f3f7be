package graph

import (
	"context"
	"fmt"
	"strings"

	"github.com/tandemgw/tandem/shared/market"

	"github.com/tandemgw/tandem/bff-mobile/graph/model"
	"github.com/tandemgw/tandem/bff-mobile/internal/shape"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/pricing"
	"github.com/tandemgw/tandem/shared/sources/reviews"
	"github.com/tandemgw/tandem/shared/upstream"
)

func images(in []catalog.Image) []model.Image {
	out := make([]model.Image, len(in))
	for i, im := range in {
		out[i] = model.Image{URL: im.URL, Width: int(im.Width)}
	}
	return out
}

func toProduct(p *catalog.Product) *model.Product {
	return &model.Product{
		ID:          p.ID,
		SKU:         p.SKU,
		Name:        p.Name,
		Brand:       p.Brand,
		Description: p.Description,
		Images:      images(p.Images),
	}
}

func toProductCard(p *catalog.Product) *model.ProductCard {
	return &model.ProductCard{ID: p.ID, Name: p.Name, Images: images(p.Images)}
}

func toReviewCard(r *reviews.Review) *model.ReviewCard {
	return &model.ReviewCard{
		ID:        r.ID,
		Rating:    r.Rating,
		Title:     r.Title,
		Body:      r.Body,
		UserID:    r.UserID,
		CreatedAt: r.CreatedAt,
	}
}

// toOrderCard summarises an order. An order status outside the contract is
// an upstream contract violation, reported as the orders service's error.
func toOrderCard(o *orders.Order) (*model.OrderCard, error) {
	status := model.OrderStatus(strings.ToUpper(string(o.Status)))
	if !status.IsValid() {
		return nil, &upstream.Error{Service: orders.ID, Code: upstream.CodeInternal,
			Err: fmt.Errorf("order %s has unknown status %q", o.ID, o.Status)}
	}
	c := &model.OrderCard{
		ID:         o.ID,
		Status:     status,
		PlacedAt:   o.CreatedAt,
		TotalMinor: o.Total.AmountMinor,
		Currency:   o.Total.Currency,
	}
	for _, l := range o.Lines {
		c.ItemCount += l.Quantity
	}
	if len(o.Lines) > 0 {
		c.FirstProductID = o.Lines[0].ProductID
	}
	return c, nil
}

func toOrderCards(in []*orders.Order) ([]*model.OrderCard, error) {
	out := make([]*model.OrderCard, 0, len(in))
	for _, o := range in {
		c, err := toOrderCard(o)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func pageInfo(endCursor string, hasNext bool) *model.PageInfo {
	pi := &model.PageInfo{HasNextPage: hasNext}
	if endCursor != "" {
		pi.EndCursor = &endCursor
	}
	return pi
}

// imageURL picks the image for a width (see shape.ImageIndex); nil when
// there is none. width must be within 1..shape.MaxImageWidth.
func imageURL(ctx context.Context, imgs []model.Image, width int) (*string, error) {
	if width < 1 || width > shape.MaxImageWidth {
		return nil, badInput(ctx, "width must be between 1 and %d", shape.MaxImageWidth)
	}
	widths := make([]int, len(imgs))
	for i, im := range imgs {
		widths[i] = im.Width
	}
	i := shape.ImageIndex(widths, width)
	if i < 0 {
		return nil, nil
	}
	u := imgs[i].URL
	return &u, nil
}

// formattedPrice loads a product's price in the request's market currency
// and formats it in the market's locale (shared/market).
//
// The market comes first: for a signed-in viewer the currency depends on
// the account locale, so the price load waits for the (per-request cached)
// account. Anonymous requests call only pricing.
func formattedPrice(ctx context.Context, productID string) (*string, error) {
	m := market.For(ctx)
	price, err := pricing.For(ctx).PriceIn(ctx, productID, m.Currency)
	if err != nil {
		return nil, err
	}
	s := m.Format(price.AmountMinor, price.Currency)
	return &s, nil
}
