package mocks

// AdminRoutes exposes the admin API's own routes to the OpenAPI coverage test.
var AdminRoutes = adminRoutes
