package edge

import (
	"net/http"

	"github.com/klauspost/compress/gzhttp"
)

// newCompression returns the compression layer: zstd or gzip as the
// client's Accept-Encoding allows (zstd preferred, unless DisableZstd),
// for answers of at least MinSize bytes, with Vary: Accept-Encoding. A
// streamed answer (multipart/mixed) is compressed part by part: each Flush
// sends what is compressed so far. nil when compression is disabled.
func newCompression(cfg CompressionConfig) (func(http.Handler) http.Handler, error) {
	if cfg.Disabled {
		return nil, nil
	}
	minSize := cfg.MinSize
	if minSize == 0 {
		minSize = DefaultCompressionMinSize
	}
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(minSize), gzhttp.EnableZstd(!cfg.DisableZstd))
	if err != nil {
		return nil, err
	}
	return func(h http.Handler) http.Handler { return wrap(h) }, nil
}

// Compress wraps h (static assets such as GraphiQL's) with cfg's
// compression; h itself when compression is disabled.
func Compress(cfg CompressionConfig, h http.Handler) (http.Handler, error) {
	c, err := newCompression(cfg)
	if err != nil || c == nil {
		return h, err
	}
	return c(h), nil
}
