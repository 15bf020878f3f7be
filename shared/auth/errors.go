package auth

import "errors"

// ErrInvalidToken matches (errors.Is) every *TokenError.
var ErrInvalidToken = errors.New("auth: invalid token")

// Reason says why a token or Authorization header was rejected. Reasons are
// stable, safe to log and to show to clients; they never contain token text.
type Reason string

// Rejection reasons.
const (
	ReasonMalformed       Reason = "malformed"
	ReasonTooLarge        Reason = "too_large"
	ReasonMultipleHeaders Reason = "multiple_authorization_headers"
	ReasonScheme          Reason = "unsupported_scheme"
	ReasonAlgorithm       Reason = "algorithm_not_allowed"
	ReasonUnknownKey      Reason = "unknown_key"
	ReasonKeyMismatch     Reason = "key_mismatch"
	ReasonSignature       Reason = "bad_signature"
	ReasonExpired         Reason = "expired"
	ReasonNotYetValid     Reason = "not_yet_valid"
	ReasonIssuedInFuture  Reason = "issued_in_future"
	ReasonIssuer          Reason = "wrong_issuer"
	ReasonAudience        Reason = "wrong_audience"
	ReasonClaims          Reason = "invalid_claims"
)

// TokenError is the error Verify returns. Its text is the reason only: no
// token, key or URL ever reaches it.
type TokenError struct {
	Reason Reason
}

func (e *TokenError) Error() string { return "auth: token rejected: " + string(e.Reason) }

// Is makes errors.Is(err, ErrInvalidToken) hold.
func (e *TokenError) Is(target error) bool { return target == ErrInvalidToken }

func reject(r Reason) *TokenError { return &TokenError{Reason: r} }

// ReasonOf returns the reason of a verification error, or "" if err is not
// a *TokenError.
func ReasonOf(err error) Reason {
	if te, ok := errors.AsType[*TokenError](err); ok {
		return te.Reason
	}
	return ""
}

var _ error = (*TokenError)(nil)
