package mocks

// AdminRoutes exposes the admin API's own routes to the OpenAPI coverage test.
var AdminRoutes = adminRoutes

// OnHold makes the cluster's faults call f whenever a call starts being
// held by a hang or barrier fault. Set it before any call.
func OnHold(c *Cluster, f func()) { c.faults.onHold = f }
