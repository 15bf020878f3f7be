package service

import (
	"log/slog"

	"google.golang.org/grpc"

	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/mocks/internal/rest"
)

// Kind is a backend's protocol.
type Kind int

// Protocols.
const (
	REST Kind = iota + 1
	GRPC
)

func (k Kind) String() string {
	switch k {
	case REST:
		return "rest"
	case GRPC:
		return "grpc"
	}
	return "unknown"
}

// Env is what a backend is built from. Data is shared by every cluster of
// the process and must not be modified.
type Env struct {
	Data   *data.Set
	Logger *slog.Logger
}

// Spec describes one backend. Exactly one of Routes (REST) and Register
// (gRPC) is set, matching Kind. Both are called once per cluster, so state
// created inside them (carts, placed orders) is private to that cluster.
type Spec struct {
	Name        string // as in schema/README.md, e.g. "catalog"
	Kind        Kind
	DefaultAddr string // fixed loopback address of `go run ./mocks/cmd/mocks`
	Routes      func(env Env) []rest.Route
	Register    func(env Env, s grpc.ServiceRegistrar)
}
