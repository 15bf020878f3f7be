package edge

import (
	"fmt"
	"net/http"
)

// Middleware returns the edge of /graphql for cfg (resolved), outermost
// first: CORS (answers preflights, adds Access-Control-* and Vary: Origin),
// Vary on Accept, Authorization and the BFF's varyOn headers (e.g.
// Accept-Language), CSRF prevention, compression, and the media type of error
// answers that inner handlers write as plain JSON. Put it outside
// everything that can answer /graphql (body limits, authentication, rate
// limits), so their answers get CORS headers, compression and the right
// media type too.
func Middleware(cfg Config, varyOn []string) (func(http.Handler) http.Handler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	csrfHeaders := canonical(DefaultCSRFHeaders, cfg.CSRF.RequiredHeaders)
	corsLayer, err := newCORS(cfg.CORS, csrfHeaders)
	if err != nil {
		return nil, fmt.Errorf("edge.cors: %w", err)
	}
	compression, err := newCompression(cfg.Compression)
	if err != nil {
		return nil, fmt.Errorf("edge.compression: %w", err)
	}
	varyHeaders := canonical([]string{"Accept", "Authorization"}, varyOn)
	var layers []func(http.Handler) http.Handler // outermost first
	if corsLayer != nil {
		layers = append(layers, corsLayer)
	}
	layers = append(layers, vary(varyHeaders))
	if !cfg.CSRF.Disabled {
		layers = append(layers, preventCSRF(csrfHeaders))
	}
	if compression != nil {
		layers = append(layers, compression)
	}
	layers = append(layers, followAccept)
	return func(h http.Handler) http.Handler {
		for i := len(layers) - 1; i >= 0; i-- {
			h = layers[i](h)
		}
		return h
	}, nil
}
