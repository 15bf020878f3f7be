// Package bench is the performance harness behind `make bench`: it
// measures bff-web and bff-mobile as separate processes against the
// in-repo mocks, next to two ceilings (package bench/ceiling) —
// hand-written handlers that do bff-web's work for the fan-out query and
// for the order history without GraphQL, with the same backend calls, and
// write the same bytes — and reports the ratios the performance targets
// are stated in.
//
// A run builds the three binaries (bff-web, bff-mobile, tandem-ceiling),
// starts the mocks and the mock identity provider in its own process,
// places the orders the order-history scenario needs, and then measures
// groups: one system, configured one way (a variant), under one scenario,
// in a fresh process. For each group it
//
//   - checks the first answer is complete (data, no errors) and requires
//     every later answer to equal it byte for byte;
//   - counts the backend calls of requests sent one at a time;
//   - warms the process up, then saturates it with a closed loop of
//     concurrent clients, reading the mocks' call counters (admin API,
//     reset first), the process's CPU time (/proc/<pid>/stat) and its peak
//     RSS (VmHWM);
//   - measures latency in an open loop at a fixed rate: for the fan-out
//     query half the ceiling's saturation throughput, for the other
//     scenarios half their own.
//
// Load comes from vegeta used as a library (github.com/tsenart/vegeta/v12).
// On Linux machines with two or more CPUs the systems under test run on
// the first CPU and the harness (load generator, mocks, identity provider)
// on the others, set with sched_setaffinity; the report says whether
// pinning was in force. Everything listens on loopback and every phase is
// bounded by the options, so a run stops by itself.
//
// Groups measured one after the other differ by whatever the machine did
// meanwhile, so the headline ratios (bff-web over each ceiling) and the
// cost targets come from paired comparisons (paired.go): both processes
// side by side, the load alternating between them in short slices.
//
// Scenarios: the fan-out query (ceiling and bff-web with its defaults,
// signed in, with auth and throttling off, and traced at 100%), the web
// product page, the mobile product detail, and the viewer's 50 orders
// (its ceiling and bff-web signed in).
// With a profile directory the harness also saves CPU, allocation and
// heap profiles of each BFF under saturation, taken from the BFF's own
// admin listener (adminAddr), which serves /debug/pprof/.
//
// What it is not: a load test of the mocks, or a substitute for the
// call-count tests, which assert batching exactly; and its figures are
// only as steady as the machine (bench/README.md).
package bench
