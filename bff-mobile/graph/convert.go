package graph

import (
	"context"

	"github.com/tandemgw/tandem/bff-mobile/graph/model"
	"github.com/tandemgw/tandem/bff-mobile/internal/shape"
	"github.com/tandemgw/tandem/shared/resolve"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/reviews"
	"github.com/tandemgw/tandem/shared/upstream"
)

func images(in []catalog.Image) []model.Image {
	return resolve.Map(in, func(im catalog.Image) model.Image { return model.Image{URL: im.URL, Width: int(im.Width)} })
}

func toProduct(p *catalog.Product) *model.Product {
	if p == nil {
		return nil
	}
	return &model.Product{ID: p.ID, SKU: p.SKU, Name: p.Name, Brand: p.Brand, Description: p.Description, Images: images(p.Images)}
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
	status, err := resolve.Enum[model.OrderStatus](orders.ID, "order status", string(o.Status))
	if err != nil {
		return nil, err
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

func pageInfo[T any](page upstream.Page[T]) *model.PageInfo {
	return &model.PageInfo{HasNextPage: page.HasNextPage, EndCursor: resolve.Cursor(page.EndCursor)}
}

// imageURL picks the image for a width (see shape.ImageIndex); nil when
// there is none. width must be within 1..shape.MaxImageWidth.
func imageURL(ctx context.Context, imgs []model.Image, width int) (*string, error) {
	if err := resolve.Between(ctx, "width", width, 1, shape.MaxImageWidth); err != nil {
		return nil, err
	}
	i := shape.ImageIndex(resolve.Map(imgs, func(im model.Image) int { return im.Width }), width)
	if i < 0 {
		return nil, nil
	}
	u := imgs[i].URL
	return &u, nil
}

// formattedPrice is a product's price in the request's market, written in
// the market's locale (resolve.ProductPrice, shared/market).
func formattedPrice(ctx context.Context, productID string) (*string, error) {
	price, m, err := resolve.ProductPrice(ctx, productID)
	if err != nil {
		return nil, err
	}
	s := m.Format(price.AmountMinor, price.Currency)
	return &s, nil
}
