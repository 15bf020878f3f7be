// Package redistest starts a real redis-server for integration tests and
// benchmarks of the Redis-backed rate limiter.
//
// Start binds a fresh server to a free loopback port inside a temporary
// directory, with persistence off, and waits for it to answer PING. When the
// redis-server binary is missing the test is skipped, unless the environment
// variable CI is set: then it fails, so CI never silently skips the
// multi-replica and fault tests. It is not a Redis fake; use miniredis for
// pure unit tests.
package redistest
