package throttle

import "golang.org/x/sys/unix"

// processCPUTime is the CPU time, in seconds, the process's threads have
// used (CLOCK_PROCESS_CPUTIME_ID: exact, not sampled at clock ticks).
func processCPUTime() (float64, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_PROCESS_CPUTIME_ID, &ts); err != nil {
		return 0, false
	}
	return float64(ts.Sec) + float64(ts.Nsec)/1e9, true
}
