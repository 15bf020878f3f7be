package upstream

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/tandemgw/tandem/shared/errcode"
)

// InputError describes caller input the gateway refuses to send. Its
// message names the field and the rule, never the value, so it is safe to
// show to clients and to log.
type InputError struct {
	Field string // "idempotencyKey", "id"
	Rule  string // "must be 1 to 200 visible ASCII characters"
}

func (e *InputError) Error() string { return e.Field + " " + e.Rule }

// InvalidInput wraps err, an *InputError from one of the Check functions,
// as the BAD_USER_INPUT *Error of service; any other error is returned
// unchanged.
func InvalidInput(service string, err error) error {
	var ie *InputError
	if errors.As(err, &ie) {
		return invalidInput(service, ie)
	}
	return err
}

// invalidInput wraps an InputError as the *Error of service.
func invalidInput(service string, ie *InputError) *Error {
	return &Error{Service: service, Code: errcode.BadUserInput, Err: ie}
}

// Error carries a stable code and the failing service; Error() never
// includes URLs, bodies or tokens.
type Error struct {
	Service string
	Code    errcode.Code
	Status  int   // HTTP status or 0
	Err     error // internal cause, never shown to clients
}

var _ error = (*Error)(nil)

// Error returns "<service>: <code>" and the HTTP status when there is one.
func (e *Error) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("%s: %s (HTTP %d)", e.Service, e.Code, e.Status)
	}
	return fmt.Sprintf("%s: %s", e.Service, e.Code)
}

// Unwrap returns the internal cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code (and Service,
// when the target names one), so errors.Is(err, &upstream.Error{Code:
// errcode.NotFound}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Code == e.Code && (t.Service == "" || t.Service == e.Service)
}

// CodeOf returns the code of the first *Error in err's chain,
// errcode.UpstreamTimeout for a context deadline, and "" otherwise.
func CodeOf(err error) errcode.Code {
	var ue *Error
	if errors.As(err, &ue) {
		return ue.Code
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return errcode.UpstreamTimeout
	}
	return ""
}

// IsNotFound reports whether err is an upstream NOT_FOUND.
func IsNotFound(err error) bool { return CodeOf(err) == errcode.NotFound }

// NotFound returns the NOT_FOUND error loaders use for ids the upstream
// listed as missing. what describes the entity kind ("product"); the id is
// kept out of Error() and only recorded in the internal cause.
func NotFound(service, what, id string) *Error {
	return &Error{Service: service, Code: errcode.NotFound, Err: fmt.Errorf("%s %q not found", what, id)}
}

// codeForStatus maps an upstream HTTP status to a code.
func codeForStatus(status int) errcode.Code {
	switch {
	case status == http.StatusNotFound:
		return errcode.NotFound
	case status == http.StatusConflict:
		return errcode.Conflict
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity,
		status == http.StatusRequestEntityTooLarge, status == http.StatusRequestURITooLong:
		return errcode.BadRequest
	case status == http.StatusGatewayTimeout, status == http.StatusRequestTimeout:
		return errcode.UpstreamTimeout
	case status == http.StatusBadGateway, status == http.StatusServiceUnavailable,
		status == http.StatusTooManyRequests:
		return errcode.UpstreamUnavailable
	default:
		// 401/403 mean the gateway is misconfigured towards the upstream, and
		// other 5xx are upstream bugs: neither is the client's fault.
		return errcode.UpstreamError
	}
}

// retryableStatus reports whether an HTTP status may succeed on retry.
func retryableStatus(status int) bool {
	return status == http.StatusBadGateway || status == http.StatusServiceUnavailable ||
		status == http.StatusGatewayTimeout
}
