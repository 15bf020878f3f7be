// Package orders is the mock orders service (REST): seeded orders with
// lines, each user's orders newest first, carts, and placing a cart as an
// order with an idempotency key, as schema/openapi/orders.yaml describes.
//
// Carts, placed orders and idempotency records are the one piece of mutable
// state among the mocks. They live in a store created per cluster (Spec's
// Routes is called once per cluster), guarded by one mutex; the seeded
// orders stay in the shared, read-only data set.
package orders
