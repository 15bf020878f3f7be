package model

import (
	"time"

	"github.com/tandemgw/tandem/shared/market"
)

// Viewer is the signed-in user. Only the id is known up front; every other
// field is resolved from the backend that owns it.
type Viewer struct {
	ID string `json:"id"`
}

// User is a customer's profile as accounts has it.
type User struct {
	ID               string       `json:"id"`
	Email            string       `json:"email"`
	Name             string       `json:"name"`
	Tier             CustomerTier `json:"tier"`
	Locale           string       `json:"locale"`
	CreatedAt        time.Time    `json:"createdAt"`
	DefaultAddressID string       `json:"defaultAddressId"`
}

// Product is a catalog product. Price, stock, reviews and category are
// resolved lazily from their own backends.
type Product struct {
	ID          string    `json:"id"`
	SKU         string    `json:"sku"`
	Name        string    `json:"name"`
	Brand       string    `json:"brand"`
	Description string    `json:"description"`
	Images      []*Image  `json:"images"`
	Tags        []string  `json:"tags"`
	CreatedAt   time.Time `json:"createdAt"`
	CategoryID  string    `json:"categoryId"`
}

// Category is a catalog category; Parent is resolved from ParentID.
type Category struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	ParentID string `json:"parentId"`
}

// Money is an amount in a currency's minor unit, and how the request's
// market writes it. Formatted is written when the amount is made (about
// 120 ns) rather than by a method: gqlgen runs every method field through
// the field interceptors, which costs far more than the formatting.
type Money struct {
	AmountMinor int64  `json:"amountMinor"`
	Currency    string `json:"currency"`
	Formatted   string `json:"formatted"`
}

// NewMoney is amountMinor of currency as mk writes it.
func NewMoney(amountMinor int64, currency string, mk market.Market) *Money {
	return &Money{AmountMinor: amountMinor, Currency: currency, Formatted: mk.Format(amountMinor, currency)}
}

// Order is one order; the shipping address and each line's product are
// resolved lazily.
type Order struct {
	ID                string       `json:"id"`
	Status            OrderStatus  `json:"status"`
	CreatedAt         time.Time    `json:"createdAt"`
	Total             *Money       `json:"total"`
	ItemCount         int          `json:"itemCount"`
	Lines             []*OrderLine `json:"lines"`
	UserID            string       `json:"-"`
	ShippingAddressID string       `json:"-"`
}

// OrderLine is one line of an order.
type OrderLine struct {
	SKU       string `json:"sku"`
	Quantity  int    `json:"quantity"`
	UnitPrice *Money `json:"unitPrice"`
	LineTotal *Money `json:"lineTotal"`
	ProductID string `json:"-"`
}

// Cart is the viewer's cart.
type Cart struct {
	Lines     []*CartLine `json:"lines"`
	ItemCount int         `json:"itemCount"`
	UpdatedAt time.Time   `json:"updatedAt"`
}

// CartLine is one line of a cart; Product is resolved lazily.
type CartLine struct {
	Quantity  int    `json:"quantity"`
	ProductID string `json:"-"`
}

// Stock is a product's availability as the inventory service reports it.
// InStock is derived, by Complete, which the generated mapping calls, so
// that it is a plain field: a method field would go through the field
// interceptors for every product.
type Stock struct {
	Available        int               `json:"available"`
	Warehouse        string            `json:"warehouse"`
	DeliveryEstimate *DeliveryEstimate `json:"deliveryEstimate"`
	InStock          bool              `json:"-"`
}

// Complete derives InStock: any unit can be ordered.
func (s *Stock) Complete() { s.InStock = s.Available > 0 }
