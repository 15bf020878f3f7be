package model

import "time"

// Home is the home screen. It carries no data: every section is a resolver
// that fetches only when the client selects it.
type Home struct{}

// Image is one stored size of a product image.
type Image struct {
	URL   string
	Width int
}

// Product is a product's detail screen. Description and Images are raw
// values that the summary and imageUrl resolvers shape; SKU keys inventory.
type Product struct {
	ID          string
	SKU         string
	Name        string
	Brand       string
	Description string
	Images      []Image
}

// ProductCard is a product tile; Images feed thumbnailUrl(width).
type ProductCard struct {
	ID     string
	Name   string
	Images []Image
}

// ReviewCard is a review cut to card size; Body feeds excerpt and UserID
// feeds authorName.
type ReviewCard struct {
	ID        string
	Rating    int
	Title     string
	Body      string
	UserID    string
	CreatedAt time.Time
}

// OrderCard is an order summary. The total is kept raw and formatted in the
// request's locale by its resolver; FirstProductID keys the thumbnail.
type OrderCard struct {
	ID             string
	Status         OrderStatus
	PlacedAt       time.Time
	ItemCount      int
	TotalMinor     int64
	Currency       string
	FirstProductID string
}
