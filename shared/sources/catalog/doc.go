// Package catalog is the gateway's source for the catalog service (REST):
// products, their images, and categories. It offers a typed Client with
// single, batch and search calls; ProductsByID and CategoriesByID, the
// endpoints (connector.Endpoint) every read of a product or category by id
// goes through, batched and cached per request; and per-request Loaders
// (read with For) for searches and the category list, which prime them.
//
// A BFF enables it with catalog.Register(reg) in its main and the config
// key upstreams.catalog.address (default http://127.0.0.1:9102).
//
// Its entity types are aliases of those generated from the service's
// contract, schema/openapi/catalog.yaml (package shared/gen/openapi/catalogapi).
package catalog
