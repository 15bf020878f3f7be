package gqlplugin

// protoIndex finds the Go types of gRPC methods; see grpcFetch.
type protoIndex struct{}

func (g *generator) grpcFetch(gf generated, name, vt string) string {
	g.fail(gf, "@grpc is not supported yet")
	return "nil,\n"
}
