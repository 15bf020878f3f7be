// Package accounts is the mock accounts service (REST): users and their
// addresses, served from the seeded data set as schema/openapi/accounts.yaml
// describes. It keeps no state of its own.
package accounts
