package model

import "time"

// Home is the home screen. It carries no data: every section is a resolver
// that fetches only when the client selects it.
type Home struct{}

// Image is one stored size of a product image.
type Image struct {
	URL   string `json:"url"`
	Width int    `json:"width"`
}

// Product is a product's detail screen. Description and Images are raw
// values that the summary and imageUrl resolvers shape; SKU keys inventory.
type Product struct {
	ID          string  `json:"id"`
	SKU         string  `json:"sku"`
	Name        string  `json:"name"`
	Brand       string  `json:"brand"`
	Description string  `json:"description"`
	Images      []Image `json:"images"`
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
