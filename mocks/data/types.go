package data

import (
	"github.com/tandemgw/tandem/shared/gen/openapi/accountsapi"
	"github.com/tandemgw/tandem/shared/gen/openapi/catalogapi"
	"github.com/tandemgw/tandem/shared/gen/openapi/ordersapi"
	"github.com/tandemgw/tandem/shared/gen/openapi/reviewsapi"
)

// The REST services' entities are the Go types generated from their
// contracts (schema/openapi, shared/gen/openapi): the mocks answer with
// exactly what the contract describes, and a contract change reaches them
// through make generate.

// Money is an amount in minor units (cents) of an ISO 4217 currency.
type Money = ordersapi.Money

// User is an account holder of the shop.
type User = accountsapi.User

// Address is a postal address of a user; Country is ISO 3166-1 alpha-2.
type Address = accountsapi.Address

// Category is a node of the two-level category tree; ParentID is empty for
// a top-level category.
type Category = catalogapi.Category

// Image is one rendition of a product picture.
type Image = catalogapi.Image

// Product is a catalog entry.
type Product = catalogapi.Product

// Order statuses.
const (
	StatusPlaced    = ordersapi.OrderStatusPlaced
	StatusPaid      = ordersapi.OrderStatusPaid
	StatusShipped   = ordersapi.OrderStatusShipped
	StatusDelivered = ordersapi.OrderStatusDelivered
	StatusCancelled = ordersapi.OrderStatusCancelled
)

// OrderLine is one product of an order at the price paid.
type OrderLine = ordersapi.OrderLine

// Order is a placed order.
type Order = ordersapi.Order

// Review is a customer's rating and text about a product.
type Review = reviewsapi.Review

// RatingSummary aggregates the reviews of a product. Histogram[i] counts the
// reviews with i+1 stars; it always has five entries.
type RatingSummary = reviewsapi.RatingSummary

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
