//go:build !linux

package throttle

import "runtime/metrics"

// processCPUTime is the CPU time, in seconds, the Go runtime estimates the
// process used (runtime/metrics /cpu/classes, brought up to date at each
// GC cycle's end); the OS's own account is read on Linux.
func processCPUTime() (float64, bool) {
	s := []metrics.Sample{{Name: "/cpu/classes/total:cpu-seconds"}, {Name: "/cpu/classes/idle:cpu-seconds"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64 || s[1].Value.Kind() != metrics.KindFloat64 {
		return 0, false
	}
	return s[0].Value.Float64() - s[1].Value.Float64(), true
}
