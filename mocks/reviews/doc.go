// Package reviews is the mock reviews service (REST): reviews, each
// product's reviews newest first, and rating summaries, served from the
// seeded data set as schema/openapi/reviews.yaml describes. It keeps no
// state of its own.
package reviews
