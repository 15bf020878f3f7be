//go:build !linux

package bench

import (
	"errors"
	"os/exec"
)

var errNoAffinity = errors.New("CPU affinity is supported on Linux only")

func allowedCPUs() ([]int, error) { return nil, errNoAffinity }

func pinProcess([]int) error { return errNoAffinity }

func startPinned(cmd *exec.Cmd, cpus []int) error {
	if len(cpus) > 0 {
		return errNoAffinity
	}
	return cmd.Start()
}

const pinningSupported = false
