package idp

import (
	"encoding/json"
	"net/http"
	"time"
)

// maxAdminBody bounds an admin request body.
const maxAdminBody = 64 << 10

// TokenRequest is the body of POST /tokens.
type TokenRequest struct {
	Sub        string   `json:"sub"`
	Scopes     []string `json:"scopes"`
	TTLSeconds int      `json:"ttlSeconds"` // 0: the provider's default TTL
	ClientID   string   `json:"clientId"`   // becomes the "client_id" claim when set
}

// TokenResponse is the answer of POST /tokens.
type TokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// RotateResponse is the answer of POST /rotate.
type RotateResponse struct {
	KID string `json:"kid"`
}

// AdminHandler serves POST /tokens (mint a token) and POST /rotate (rotate the
// signing key). Mount it on the mocks' admin endpoint under /idp/ with the
// prefix stripped:
//
//	admin.Handle("/idp/", http.StripPrefix("/idp", p.AdminHandler()))
func (p *Provider) AdminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /tokens", p.serveMint)
	mux.HandleFunc("POST /rotate", p.serveRotate)
	return mux
}

func (p *Provider) serveMint(w http.ResponseWriter, r *http.Request) {
	var req TokenRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAdminBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "BAD_REQUEST", "body must be JSON {sub, scopes, ttlSeconds, clientId}")
		return
	}
	if req.Sub == "" {
		writeError(w, http.StatusBadRequest, "BAD_REQUEST", "sub is required")
		return
	}
	if req.TTLSeconds < 0 || time.Duration(req.TTLSeconds)*time.Second > MaxTTL {
		writeError(w, http.StatusBadRequest, "BAD_REQUEST", "ttlSeconds must be between 0 and 86400")
		return
	}
	var extra map[string]any
	if req.ClientID != "" {
		extra = map[string]any{"client_id": req.ClientID}
	}
	tok, exp, err := p.mint(req.Sub, req.Scopes, time.Duration(req.TTLSeconds)*time.Second, extra)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "INTERNAL", "could not mint a token")
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, TokenResponse{Token: tok, ExpiresAt: exp.UTC()})
}

func (p *Provider) serveRotate(w http.ResponseWriter, _ *http.Request) {
	kid, err := p.rotate()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "INTERNAL", "could not rotate the signing key")
		return
	}
	writeJSON(w, http.StatusOK, RotateResponse{KID: kid})
}
