package telemetry

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// ParseLevel parses "debug", "info", "warn" or "error" (case-insensitive).
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
		return 0, fmt.Errorf("telemetry: log level %q: use debug, info, warn or error", s)
	}
	return l, nil
}

// Keys that several packages put on log records. Each names one thing only,
// so that a record never carries the same key twice: the gateway's own name
// is KeyBFF, the backend a record is about is KeyUpstreamService.
const (
	KeyBFF             = "bff"
	KeyUpstreamService = "upstream.service"
)

// NewLogger returns a logger writing to w at level in format "json" or
// "text"; bff (the gateway's name) is added to every record as KeyBFF.
func NewLogger(w io.Writer, bff, level, format string) (*slog.Logger, error) {
	lvl, err := ParseLevel(level)
	if err != nil {
		return nil, err
	}
	opts := &slog.HandlerOptions{Level: lvl}
	var h slog.Handler
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "json", "":
		h = slog.NewJSONHandler(w, opts)
	case "text":
		h = slog.NewTextHandler(w, opts)
	default:
		return nil, fmt.Errorf("telemetry: log format %q: use json or text", format)
	}
	l := slog.New(h)
	if bff != "" {
		l = l.With(slog.String(KeyBFF, bff))
	}
	return l, nil
}
