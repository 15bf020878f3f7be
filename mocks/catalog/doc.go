// Package catalog is the mock catalog service (REST): products with images
// and tags, search and listing, and the category tree, served from the
// seeded data set as schema/openapi/catalog.yaml describes. It keeps no
// state of its own.
package catalog
