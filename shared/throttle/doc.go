// Package throttle protects a Tandem BFF from expensive and excessive
// GraphQL traffic. It holds four layers, all configured by one Config
// (the `throttle:` section of a BFF's config file; see WebDefaults and
// MobileDefaults):
//
//   - Operation limits: BodyLimit (HTTP middleware; body size, no batches)
//     and NewOperationLimits (gqlgen extension; tokens before parsing, then
//     depth, aliases, root fields, directives per field and total fields
//     after validation), answered with OPERATION_LIMIT_EXCEEDED.
//   - Static cost: Calculator implements the IBM GraphQL cost directive
//     spec (@cost, @listSize from schema/graphql/common/directives.graphqls);
//     NewCostExtension rejects operations over the ceiling with
//     COST_LIMIT_EXCEEDED and reports extensions.cost {requested, actual}.
//   - Rate limits: Limiter (HTTP middleware) spends request budgets and caps
//     concurrent requests per principal (the verified subject, else the
//     client address, whose signed-out callers share RateConfig.Anonymous
//     budgets sized for a crowd); the cost extension spends cost
//     points from the same Limiter. State lives in a Store: MemoryStore for
//     one replica, RedisStore (GCRA Lua script via redis_rate) shared by
//     several, failing open or closed within a tight timeout when Redis is
//     down. Over-limit calls get 429, Retry-After, the IETF RateLimit and
//     RateLimit-Policy headers and a RATE_LIMITED error.
//   - Admission: Admission (HTTP middleware) lets only as many requests
//     execute at once as keep the replica's CPU busy, adapting the limit
//     to the process's CPU use; the others wait in order, and one that
//     waits too long gets 503 OVERLOADED. It bounds memory and latency
//     under saturation without costing throughput.
//
// It does not authenticate: the principal's subject comes from a function
// the BFF supplies (WithSubject), so this package does not import shared/auth.
// See README.md for the wiring.
package throttle
