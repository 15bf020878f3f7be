package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat:
// 100 on every Linux architecture Go supports (the kernel fixes it for
// user space whatever its internal HZ).
const clockTicks = 100

// child is a system under test running as a process of its own, so that
// its CPU time and memory are its own and it can be pinned to its own core.
type child struct {
	name string
	cmd  *exec.Cmd
	// addr and adminAddr are what the process logged when it started
	// listening (it listens on port 0).
	addr, adminAddr string
	// gc is the garbage collector settings it logged before listening
	// (shared/gateway.TuneGC's line), "" when it logged none.
	gc string

	mu     sync.Mutex
	tail   []byte // the end of its standard error, for failure reports
	exited chan struct{}
	err    error
}

// tailBytes is how much of a child's standard error is kept.
const tailBytes = 16 << 10

// startChild runs bin with args and env, pinned to cpus, and waits until it
// has logged the "listening" line (and "pprof listening" when wantPprof),
// at most startTimeout.
func startChild(ctx context.Context, name, bin string, args, env []string, cpus []int, wantPprof bool) (*child, error) {
	const startTimeout = 60 * time.Second
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stdout = nil // the BFFs log to standard error; nothing is expected here
	// A pipe of our own rather than StderrPipe: Wait closes that one when
	// the process exits, possibly before its last lines are read.
	stderr, stderrW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = stderrW
	c := &child{name: name, cmd: cmd, exited: make(chan struct{})}
	err = startPinned(cmd, cpus)
	_ = stderrW.Close() // the child has its copy
	if err != nil {
		_ = stderr.Close()
		return nil, fmt.Errorf("%s: start: %w", name, err)
	}
	listening := make(chan struct{})
	go c.readLog(stderr, wantPprof, listening)
	go func() {
		c.err = cmd.Wait()
		close(c.exited)
	}()
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case <-listening:
		return c, nil
	case <-c.exited:
		return nil, fmt.Errorf("%s exited before listening (%v): %s", name, c.err, c.stderrTail())
	case <-timer.C:
		err = fmt.Errorf("%s did not start listening within %s: %s", name, startTimeout, c.stderrTail())
	case <-ctx.Done():
		err = ctx.Err()
	}
	c.stop()
	return nil, err
}

// readLog scans the child's JSON log lines for its listening addresses,
// keeping the end of the log for error reports, until the pipe closes.
func (c *child) readLog(r io.ReadCloser, wantPprof bool, listening chan<- struct{}) {
	defer r.Close()
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	signalled := false
	for sc.Scan() {
		line := sc.Bytes()
		c.mu.Lock()
		c.tail = append(c.tail, line...)
		c.tail = append(c.tail, '\n')
		if len(c.tail) > tailBytes {
			c.tail = c.tail[len(c.tail)-tailBytes:]
		}
		c.mu.Unlock()
		if !signalled && bytes.Contains(line, []byte(`"garbage collector"`)) {
			var entry struct {
				Msg         string `json:"msg"`
				GCPercent   *int   `json:"gc_percent"`
				MemoryLimit *int64 `json:"memory_limit_bytes"`
			}
			if json.Unmarshal(line, &entry) == nil && entry.Msg == "garbage collector" && entry.GCPercent != nil && entry.MemoryLimit != nil {
				c.mu.Lock()
				c.gc = fmt.Sprintf("GOGC %d, memory limit %d bytes", *entry.GCPercent, *entry.MemoryLimit)
				c.mu.Unlock()
			}
			continue
		}
		if signalled || !bytes.Contains(line, []byte("listening")) {
			continue
		}
		var entry struct {
			Msg  string `json:"msg"`
			Addr string `json:"addr"`
		}
		if json.Unmarshal(line, &entry) != nil {
			continue
		}
		c.mu.Lock()
		switch entry.Msg {
		case "listening":
			c.addr = entry.Addr
		case "admin listening":
			c.adminAddr = entry.Addr
		}
		ready := c.addr != "" && (!wantPprof || c.adminAddr != "")
		c.mu.Unlock()
		if ready {
			signalled = true
			close(listening)
		}
	}
	_, _ = io.Copy(io.Discard, r)
}

func (c *child) stderrTail() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return strings.TrimSpace(string(c.tail))
}

func (c *child) pid() int { return c.cmd.Process.Pid }

// waitReady polls path until it answers 200: a BFF is ready once its
// token verifier has the identity provider's keys.
func (c *child) waitReady(ctx context.Context, path string) error {
	const readyTimeout = 30 * time.Second
	deadline := time.Now().Add(readyTimeout)
	url := "http://" + c.addr + path
	for delay := 10 * time.Millisecond; ; delay = min(delay*2, 500*time.Millisecond) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not ready at %s within %s: %s", c.name, path, readyTimeout, c.stderrTail())
		}
		select {
		case <-time.After(delay):
		case <-c.exited:
			return fmt.Errorf("%s exited (%v): %s", c.name, c.err, c.stderrTail())
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// stop asks the child to shut down and kills it if it has not within ten
// seconds.
func (c *child) stop() {
	_ = c.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-c.exited:
	case <-time.After(10 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
}

// cpuTime is the CPU time (user and system, every thread, living or
// exited) the process has used so far.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields after it are
	// counted from its closing parenthesis: state is field 3, utime 14,
	// stime 15.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc/<pid>/stat format")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc/<pid>/stat format")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// procStatus returns a field of /proc/<pid>/status ("VmHWM",
// "Cpus_allowed_list").
func procStatus(pid int, field string) (string, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "", err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return strings.TrimSpace(v), nil
		}
	}
	return "", fmt.Errorf("/proc/%d/status has no %s", pid, field)
}

// peakRSS is the process's high-water resident set size (VmHWM).
func peakRSS(pid int) (int64, error) {
	v, err := procStatus(pid, "VmHWM")
	if err != nil {
		return 0, err
	}
	kb, err := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("VmHWM %q: %w", v, err)
	}
	return kb << 10, nil
}

// cpuStat returns how long the given CPUs (nil: all of them) have been
// busy and how long they have existed, summed over the CPUs, from
// /proc/stat: busy is every state but idle and iowait.
func cpuStat(cpus []int) (busy, total time.Duration, err error) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0, err
	}
	want := map[string]bool{}
	for _, c := range cpus {
		want[fmt.Sprintf("cpu%d", c)] = true
	}
	if len(cpus) == 0 {
		want["cpu"] = true
	}
	found := 0
	for line := range strings.SplitSeq(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 9 || !want[f[0]] {
			continue
		}
		found++
		// user nice system idle iowait irq softirq steal (guest time is
		// already in user and nice).
		var ticks [8]int64
		for i := range ticks {
			if ticks[i], err = strconv.ParseInt(f[1+i], 10, 64); err != nil {
				return 0, 0, fmt.Errorf("/proc/stat %s: %w", f[0], err)
			}
		}
		var all int64
		for _, t := range ticks {
			all += t
		}
		idle := ticks[3] + ticks[4]
		busy += time.Duration(all-idle) * time.Second / clockTicks
		total += time.Duration(all) * time.Second / clockTicks
	}
	if found != len(want) {
		return 0, 0, fmt.Errorf("/proc/stat lists %d of the %d CPUs asked for", found, len(want))
	}
	return busy, total, nil
}
