package gateway

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"

	"github.com/tandemgw/tandem/shared/auth"
	"github.com/tandemgw/tandem/shared/config"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/upstream"
)

// pinMiddleware pins the request's upstream calls to the endpoints its pin
// header names ("catalog=canary, pricing=canary"), for canary tests. The
// header is honoured in dev mode and from callers whose verified token
// holds s.PinScope; from anyone else it is ignored, as if absent, so an
// anonymous client cannot steer traffic. It runs after token
// verification.
func pinMiddleware(s config.Steering, dev bool, logger *slog.Logger) func(http.Handler) http.Handler {
	s = s.WithDefaults()
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			v := r.Header.Get(s.PinHeader)
			if v == "" {
				next.ServeHTTP(w, r)
				return
			}
			if !dev && !holdsScope(r, s.PinScope) {
				next.ServeHTTP(w, r)
				return
			}
			pins, err := upstream.ParsePins(v)
			if err != nil {
				writePinError(w, s.PinHeader+": "+err.Error())
				return
			}
			logger.LogAttrs(r.Context(), slog.LevelDebug, "upstream calls pinned", slog.Any("pins", pins))
			next.ServeHTTP(w, r.WithContext(upstream.WithPins(r.Context(), pins)))
		})
	}
}

func holdsScope(r *http.Request, scope string) bool {
	p, ok := auth.FromContext(r.Context())
	return ok && slices.Contains(p.Scopes, scope)
}

func writePinError(w http.ResponseWriter, msg string) {
	body, _ := json.Marshal(map[string]any{"errors": []map[string]any{{
		"message":    msg,
		"extensions": map[string]any{"code": string(errcode.BadPinHeader)},
	}}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write(body)
}
