package server

import (
	"net/http"

	"github.com/tandemgw/tandem/shared/edge"
	"github.com/tandemgw/tandem/shared/graphiql"
)

// withEdge puts the edge layers (CORS, CSRF prevention, Vary, compression,
// error media types) around everything that answers /graphql.
func withEdge(h http.Handler, opts Options) (http.Handler, error) {
	mw, err := edge.Middleware(opts.Edge, opts.Vary)
	if err != nil {
		return nil, err
	}
	return mw(h), nil
}

// handleGraphiQL serves GraphiQL at "/" and its embedded assets, compressed
// like /graphql.
func handleGraphiQL(mux *http.ServeMux, opts Options) error {
	page, err := graphiql.Handler(opts.Name, "/graphql")
	if err != nil {
		return err
	}
	page, err = edge.Compress(opts.Edge.Compression, page)
	if err != nil {
		return err
	}
	mux.Handle("GET /{$}", page)
	mux.Handle("GET "+graphiql.AssetPrefix, page)
	return nil
}
