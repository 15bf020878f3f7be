package data

import "time"

// Money is an amount in minor units (cents) of an ISO 4217 currency.
type Money struct {
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
}

// User is an account holder of the shop.
type User struct {
	ID               string    `json:"id"`
	Email            string    `json:"email"`
	Name             string    `json:"name"`
	Tier             string    `json:"tier"`   // "standard" or "plus"
	Locale           string    `json:"locale"` // en-GB, de-DE, fr-FR or nl-NL
	DefaultAddressID string    `json:"defaultAddressId"`
	CreatedAt        time.Time `json:"createdAt"`
}

// Address is a postal address of a user.
type Address struct {
	ID         string `json:"id"`
	UserID     string `json:"userId"`
	Label      string `json:"label"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
	City       string `json:"city"`
	PostalCode string `json:"postalCode"`
	Country    string `json:"country"` // ISO 3166-1 alpha-2
}

// Category is a node of the two-level category tree; ParentID is empty for
// a top-level category.
type Category struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parentId,omitempty"`
}

// Image is one rendition of a product picture.
type Image struct {
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Alt    string `json:"alt"`
}

// Product is a catalog entry.
type Product struct {
	ID          string    `json:"id"`
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Brand       string    `json:"brand"`
	Description string    `json:"description"`
	CategoryID  string    `json:"categoryId"`
	Images      []Image   `json:"images"`
	Tags        []string  `json:"tags"`
	CreatedAt   time.Time `json:"createdAt"`
}

// Order statuses.
const (
	StatusPlaced    = "placed"
	StatusPaid      = "paid"
	StatusShipped   = "shipped"
	StatusDelivered = "delivered"
	StatusCancelled = "cancelled"
)

// OrderLine is one product of an order at the price paid.
type OrderLine struct {
	ProductID string `json:"productId"`
	SKU       string `json:"sku"`
	Quantity  int    `json:"quantity"`
	UnitPrice Money  `json:"unitPrice"`
}

// Order is a placed order.
type Order struct {
	ID                string      `json:"id"`
	UserID            string      `json:"userId"`
	Status            string      `json:"status"`
	Lines             []OrderLine `json:"lines"`
	Total             Money       `json:"total"`
	ShippingAddressID string      `json:"shippingAddressId"`
	CreatedAt         time.Time   `json:"createdAt"`
}

// Review is a customer's rating and text about a product.
type Review struct {
	ID        string    `json:"id"`
	ProductID string    `json:"productId"`
	UserID    string    `json:"userId"`
	Rating    int       `json:"rating"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"createdAt"`
}

// RatingSummary aggregates the reviews of a product. Histogram[i] counts the
// reviews with i+1 stars.
type RatingSummary struct {
	ProductID string  `json:"productId"`
	Average   float64 `json:"average"`
	Count     int     `json:"count"`
	Histogram [5]int  `json:"histogram"`
}

// Price is what a product costs now in one currency.
type Price struct {
	ProductID       string
	Currency        string
	AmountMinor     int64 // after discount
	ListAmountMinor int64 // before discount
	DiscountPercent int   // 0 when there is no discount
	DiscountLabel   string
}

// Stock is the availability of one SKU.
type Stock struct {
	SKU             string
	Available       int
	Warehouse       string
	DeliveryMinDays int
	DeliveryMaxDays int
}

// ShippingQuote is what delivering one unit of a SKU to a country costs and
// how long it takes, in business days from dispatch.
type ShippingQuote struct {
	SKU         string
	Country     string // ISO 3166-1 alpha-2
	Carrier     string
	AmountMinor int64  // 0 means free delivery
	Currency    string // the destination country's
	MinDays     int
	MaxDays     int
}
