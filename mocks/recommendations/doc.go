// Package recommendations is the mock recommendations service (REST):
// related products and per-user recommendations, derived deterministically
// from the seeded data set as schema/openapi/recommendations.yaml describes.
//
// Related products share the product's category or brand, scored by how
// much they share (category, brand, tags) and by their rating. A user's
// recommendations come from the categories of the user's seeded order
// history (recent and large orders weigh more), leaving out what the user
// already bought; users without orders, and lists the history cannot fill,
// get the best-rated products of the catalog. It keeps no state of its own:
// orders placed while the mocks run do not change the answers.
package recommendations
