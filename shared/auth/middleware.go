package auth

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tandemgw/tandem/shared/errcode"
)

// Middleware authenticates the request.
//
//   - It first strips client-supplied identity headers (X-Tandem-Subject,
//     X-Tandem-Scopes, X-Tandem-Client-Id): only the gateway sets them.
//   - No Authorization header: the request passes anonymously; the schema's
//     directives decide per field.
//   - One "Authorization: Bearer <token>" with a valid token: the Principal
//     is put in the request context.
//   - Anything else (several Authorization headers, another scheme, a token
//     longer than maxTokenBytes, which is refused before parsing, or a token
//     that fails verification): 401 with WWW-Authenticate: Bearer
//     error="invalid_token" and a GraphQL error body; next is not called.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		StripIdentityHeaders(r.Header)
		values := r.Header.Values("Authorization")
		switch len(values) {
		case 0:
			next.ServeHTTP(w, r)
			return
		case 1:
		default:
			v.unauthorized(w, r, ReasonMultipleHeaders)
			return
		}
		raw, reason := v.bearer(values[0])
		if reason != "" {
			v.unauthorized(w, r, reason)
			return
		}
		p, err := v.Verify(r.Context(), raw)
		if err != nil {
			v.unauthorized(w, r, ReasonOf(err))
			return
		}
		next.ServeHTTP(w, r.WithContext(NewContext(r.Context(), p)))
	})
}

// bearer extracts the token of an RFC 6750 "Bearer" credential. The length is
// checked before anything else looks at the value.
func (v *Verifier) bearer(h string) (string, Reason) {
	const scheme = "bearer "
	if len(h) > len(scheme)+v.maxTokenBytes {
		return "", ReasonTooLarge
	}
	if len(h) < len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return "", ReasonScheme
	}
	tok := strings.TrimLeft(h[len(scheme):], " ")
	if !isB64Token(tok) {
		return "", ReasonMalformed
	}
	return tok, ""
}

// isB64Token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
// (RFC 6750 section 2.1).
func isB64Token(s string) bool {
	if s == "" {
		return false
	}
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/' {
			continue
		}
		break
	}
	if i == 0 {
		return false
	}
	for ; i < len(s); i++ {
		if s[i] != '=' {
			return false
		}
	}
	return true
}

type gqlErrorBody struct {
	Errors []gqlErrorEntry `json:"errors"`
}

type gqlErrorEntry struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// unauthorized writes the 401. The body names the reason, never the token.
func (v *Verifier) unauthorized(w http.ResponseWriter, r *http.Request, reason Reason) {
	if reason == "" {
		reason = ReasonMalformed
	}
	v.logger.DebugContext(r.Context(), "auth: request rejected", "reason", string(reason))
	if v.onReject != nil {
		v.onReject(r.Context(), reason)
	}
	h := w.Header()
	h.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(gqlErrorBody{Errors: []gqlErrorEntry{{
		Message:    "invalid access token",
		Extensions: map[string]any{"code": string(errcode.Unauthenticated), "reason": string(reason)},
	}}})
}
