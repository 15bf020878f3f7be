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

// NewLogger returns a logger writing to w at level in format "json" or
// "text"; service is added to every record as "service".
func NewLogger(w io.Writer, service, level, format string) (*slog.Logger, error) {
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
	if service != "" {
		l = l.With(slog.String("service", service))
	}
	return l, nil
}
