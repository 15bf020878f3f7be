package gateway

import (
	"log/slog"
	"runtime/debug"
	"strings"
)

// Garbage collector defaults of a BFF process, used unless the standard
// GOGC and GOMEMLIMIT environment variables say otherwise.
//
// A BFF's live heap is small (caches and connection pools, a few MiB) while
// every request allocates a lot for a short time (decoded backend answers,
// gqlgen's field contexts), so the collector's pace trades CPU for memory.
// Measured with make bench on the fan-out listing at 32 concurrent
// clients, once its levels resolved without a goroutine per item: peak
// RSS 52 MiB at Go's default GOGC=100, 58-60 MiB at 150 and 68-72 MiB at
// 200, each step up saving a few percent of CPU per request. 150 keeps a
// replica of the listing under 64 MiB for most of the CPU saving. The
// soft memory limit is a safety net
// far above the working set: a limit near it makes the collector run
// back to back under load (measured with make bench: a 48 MiB limit
// tripled the CPU per request of the fan-out listing), so it only keeps a
// replica within what its pod is given (see deploy/).
const (
	DefaultGCPercent   = 150
	DefaultMemoryLimit = 256 << 20 // bytes
)

// TuneGC applies the defaults above where environ does not set the
// variables, and logs what is in force. A BFF's main calls it through
// Main; the benchmark's ceiling calls it too, so that it runs with exactly
// the collector settings it is compared under.
func TuneGC(environ []string, logger *slog.Logger) {
	gogc, memlimit := lookupEnv(environ, "GOGC"), lookupEnv(environ, "GOMEMLIMIT")
	if gogc == "" {
		debug.SetGCPercent(DefaultGCPercent)
	}
	if memlimit == "" {
		debug.SetMemoryLimit(DefaultMemoryLimit)
	}
	gcPercent := debug.SetGCPercent(-1)
	debug.SetGCPercent(gcPercent)
	logger.Info("garbage collector",
		slog.Int("gc_percent", gcPercent),
		slog.Int64("memory_limit_bytes", debug.SetMemoryLimit(-1)),
		slog.Bool("from_environment", gogc != "" || memlimit != ""))
}

func lookupEnv(environ []string, key string) string {
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}
