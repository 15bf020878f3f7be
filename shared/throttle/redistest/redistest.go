package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Binary is the redis-server executable looked up in PATH (and then in
// /usr/bin and /usr/local/bin).
const Binary = "redis-server"

// startTimeout bounds how long Start waits for the server to answer PING.
const startTimeout = 10 * time.Second

// Server is one running redis-server owned by a test.
type Server struct {
	// Addr is "127.0.0.1:<port>".
	Addr string

	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	once sync.Once
}

// Path returns the redis-server binary or "" when it is not installed.
func Path() string {
	if p, err := exec.LookPath(Binary); err == nil {
		return p
	}
	for _, p := range []string{"/usr/bin/redis-server", "/usr/local/bin/redis-server"} {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			return p
		}
	}
	return ""
}

// Require skips tb when redis-server is missing, or fails it when the
// environment variable CI is set. It returns the binary's path.
func Require(tb testing.TB) string {
	tb.Helper()
	p := Path()
	if p == "" {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s is not installed but CI is set: the Redis integration tests must run in CI (apt-get install redis-server)", Binary)
		}
		tb.Skipf("%s is not installed; skipping (set CI to make this a failure)", Binary)
	}
	return p
}

// Start runs a redis-server on a free loopback port for the duration of tb
// and stops it in tb.Cleanup.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := Require(tb)
	dir := tb.TempDir()

	var lastErr error
	// A port picked by listening on :0 can be taken by someone else before
	// redis binds it; retry a few times with a fresh port.
	for attempt := 0; attempt < 5; attempt++ {
		port, err := freePort()
		if err != nil {
			tb.Fatalf("redistest: pick a port: %v", err)
		}
		s, err := start(bin, dir, port)
		if err == nil {
			tb.Cleanup(s.Stop)
			return s
		}
		lastErr = err
	}
	tb.Fatalf("redistest: start redis-server: %v", lastErr)
	return nil
}

func start(bin, dir string, port int) (*Server, error) {
	cmd := exec.Command(bin,
		"--port", strconv.Itoa(port),
		"--bind", "127.0.0.1",
		"--save", "",
		"--appendonly", "no",
		"--dir", dir,
		"--protected-mode", "yes",
		"--loglevel", "warning",
	)
	cmd.Dir = dir
	logf, err := os.Create(dir + "/redis-" + strconv.Itoa(port) + ".log")
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), cmd: cmd, done: make(chan struct{})}
	go func() { // owned by s: Stop waits for done
		_ = cmd.Wait()
		logf.Close()
		close(s.done)
	}()

	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := s.waitReady(ctx); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// waitReady polls PING until PONG, the process exits or ctx ends.
func (s *Server) waitReady(ctx context.Context) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		if err := Ping(ctx, s.Addr); err == nil {
			return nil
		}
		select {
		case <-s.done:
			return errors.New("redis-server exited during start-up")
		case <-ctx.Done():
			return fmt.Errorf("redis-server not ready: %w", ctx.Err())
		case <-tick.C:
		}
	}
}

// Ping sends one inline PING over a new connection and expects +PONG.
func Ping(ctx context.Context, addr string) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	deadline := time.Now().Add(500 * time.Millisecond)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	_ = conn.SetDeadline(deadline)
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(line) != "+PONG" {
		return fmt.Errorf("unexpected reply %q", strings.TrimSpace(line))
	}
	return nil
}

// Pause stops the process with SIGSTOP: connections stay open but nothing
// answers, the way a hung or overloaded Redis looks to a client.
func (s *Server) Pause() error { return s.cmd.Process.Signal(syscall.SIGSTOP) }

// Resume continues a paused server with SIGCONT.
func (s *Server) Resume() error { return s.cmd.Process.Signal(syscall.SIGCONT) }

// Stop kills the server and waits for the process to exit. It is safe to
// call more than once.
func (s *Server) Stop() {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(syscall.SIGCONT) // a paused process must wake to die cleanly
		_ = s.cmd.Process.Kill()
		<-s.done
	})
}

// Stopped reports whether the server process has exited.
func (s *Server) Stopped() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
