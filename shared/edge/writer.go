package edge

import (
	"mime"
	"net/http"
)

// beforeHeader is a ResponseWriter that runs hook once, just before the
// status line and headers go out (WriteHeader, the first Write, or a Flush),
// so a middleware can adjust headers that inner handlers set.
type beforeHeader struct {
	http.ResponseWriter
	hook func(h http.Header, status int)
	done bool
}

func (w *beforeHeader) fire(status int) {
	if !w.done {
		w.done = true
		w.hook(w.Header(), status)
	}
}

func (w *beforeHeader) WriteHeader(status int) {
	// 1xx answers are interim; the hook belongs to the final one.
	if status >= 200 {
		w.fire(status)
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *beforeHeader) Write(b []byte) (int, error) {
	w.fire(http.StatusOK)
	return w.ResponseWriter.Write(b)
}

// Flush implements http.Flusher for streamed answers (multipart/mixed).
func (w *beforeHeader) Flush() {
	w.fire(http.StatusOK)
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *beforeHeader) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// followAccept rewrites the Content-Type of JSON answers that handlers
// inside it write as plain application/json (authentication's 401, the rate
// limiter's 429 and 503, the body limits' 413 and 400) to
// application/graphql-response+json when that is what the request's Accept
// prefers, so a client that accepts only the GraphQL media type can read
// every error.
func followAccept(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := Negotiate(r.Header.Get("Accept"))
		if n.MediaType != MediaTypeGraphQLResponse {
			next.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(&beforeHeader{ResponseWriter: w, hook: func(h http.Header, _ int) {
			if mt, _, err := mime.ParseMediaType(h.Get("Content-Type")); err == nil && mt == MediaTypeJSON {
				h.Set("Content-Type", n.ContentType())
			}
		}}, r)
	})
}

// vary adds the request headers that change /graphql answers to Vary on
// every answer: Accept (media type), Authorization (the caller's data and
// limits) and the BFF's own (Accept-Language). Origin and Accept-Encoding
// are added by the CORS and compression layers that depend on them.
func vary(headers []string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for _, v := range headers {
				h.Add("Vary", v)
			}
			next.ServeHTTP(w, r)
		})
	}
}
