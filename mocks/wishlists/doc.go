// Package wishlists is the mock wishlists service (REST): the products each
// user saved for later, single and batch form, as
// schema/openapi/wishlists.yaml describes.
//
// Every seeded user has a wishlist derived from a fixed seed and the user
// number: about one in four is empty, the others hold 1 to 8 distinct
// seeded products added within a year of the account's creation. It keeps
// no state of its own; the same user gets the same wishlist on every call
// and in every cluster.
package wishlists
