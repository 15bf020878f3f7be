// Package service describes a mock backend to the cluster that runs it: its
// name, protocol, default address and how to build its handlers. Every mock
// backend package exports one Spec; the mocks package lists them.
package service
