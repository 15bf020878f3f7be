package server

import (
	"context"
	"errors"
	"log/slog"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/telemetry"
	"github.com/tandemgw/tandem/shared/upstream"
)

// internalError is the only message a client sees for a bug.
const internalError = "internal server error"

// clientMessages are the only messages a client sees for upstream failures.
var clientMessages = map[errcode.Code]string{
	errcode.NotFound:            "not found",
	errcode.BadRequest:          "the request was rejected by a backend service",
	errcode.UpstreamUnavailable: "a backend service is unavailable",
	errcode.UpstreamTimeout:     "a backend service timed out",
	errcode.UpstreamError:       "a backend service failed",
	errcode.Conflict:            "the request conflicts with the current state",
}

// NewErrorPresenter returns the default presenter: an *upstream.Error
// becomes a fixed client-safe message with extensions {code, service}; a
// *gqlerror.Error (validation, parse, or deliberately client-facing errors
// from resolvers and directives) keeps its message and gets a code if it
// has none; any other error is internal: the client sees only
// "internal server error" with code INTERNAL_SERVER_ERROR and the cause is
// logged.
func NewErrorPresenter(logger *slog.Logger) graphql.ErrorPresenterFunc {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return func(ctx context.Context, err error) *gqlerror.Error {
		var path = graphql.GetPath(ctx)
		var ue *upstream.Error
		if errors.As(err, &ue) && ue.Code == errcode.BadUserInput {
			// The gateway refused the caller's input before calling the
			// service: the caller's error, with the rule it broke (an
			// InputError names the field and the rule, never the value).
			msg := "invalid input"
			var ie *upstream.InputError
			if errors.As(ue, &ie) {
				msg = ie.Error()
			}
			return &gqlerror.Error{Message: msg, Path: path, Extensions: map[string]any{"code": string(errcode.BadUserInput)}}
		}
		if errors.As(err, &ue) && ue.Code == errcode.InternalServerError {
			logger.LogAttrs(ctx, slog.LevelError, "request to an upstream could not be built",
				slog.String(telemetry.KeyUpstreamService, ue.Service), slog.String("path", path.String()), slog.Any("cause", ue.Err))
			return &gqlerror.Error{Message: internalError, Path: path, Extensions: map[string]any{"code": string(errcode.InternalServerError)}}
		}
		if errors.As(err, &ue) {
			msg, ok := clientMessages[ue.Code]
			if !ok {
				msg = clientMessages[errcode.UpstreamError]
			}
			if ue.Code != errcode.NotFound && ue.Code != errcode.BadRequest && ue.Code != errcode.Conflict {
				logger.LogAttrs(ctx, slog.LevelWarn, "upstream failure",
					slog.String(telemetry.KeyUpstreamService, ue.Service), slog.String("code", string(ue.Code)),
					slog.Int("status", ue.Status), slog.String("path", path.String()), slog.Any("cause", ue.Err))
			}
			return &gqlerror.Error{
				Message:    msg,
				Path:       path,
				Extensions: map[string]any{"code": string(ue.Code), "service": ue.Service},
			}
		}
		// gqlgen wraps every resolver error in a *gqlerror.Error carrying the
		// path (graphql.ErrorOnPath). Only a *gqlerror.Error that was created
		// on purpose (it wraps nothing, or it carries a code) is shown as is;
		// a wrapper around a plain error is internal.
		if ge := deepestGQLError(err); ge != nil && (ge.Err == nil || hasCode(ge)) {
			out := graphql.DefaultErrorPresenter(ctx, ge)
			if out.Extensions == nil {
				out.Extensions = map[string]any{}
			}
			if _, ok := out.Extensions["code"]; !ok {
				out.Extensions["code"] = string(errcode.BadUserInput)
			}
			if out.Path == nil {
				out.Path = path
			}
			return out
		}
		code := errcode.InternalServerError
		if errors.Is(err, context.DeadlineExceeded) {
			code = errcode.RequestTimeout
		}
		logger.LogAttrs(ctx, slog.LevelError, "unhandled resolver error",
			slog.String("path", path.String()), slog.String("code", string(code)), slog.Any("error", err))
		return &gqlerror.Error{Message: internalError, Path: path, Extensions: map[string]any{"code": string(code)}}
	}
}

// withCode guarantees extensions.code on errors a custom presenter returns.
func withCode(p graphql.ErrorPresenterFunc) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		out := p(ctx, err)
		if out == nil {
			out = &gqlerror.Error{Message: internalError, Path: graphql.GetPath(ctx)}
		}
		if out.Extensions == nil {
			out.Extensions = map[string]any{}
		}
		if _, ok := out.Extensions["code"]; !ok {
			out.Extensions["code"] = string(errcode.InternalServerError)
		}
		return out
	}
}

// deepestGQLError returns the innermost *gqlerror.Error in err's chain.
func deepestGQLError(err error) *gqlerror.Error {
	var ge *gqlerror.Error
	if !errors.As(err, &ge) {
		return nil
	}
	for ge.Err != nil {
		var inner *gqlerror.Error
		if !errors.As(ge.Err, &inner) {
			break
		}
		ge = inner
	}
	return ge
}

func hasCode(ge *gqlerror.Error) bool {
	_, ok := ge.Extensions["code"]
	return ok
}
