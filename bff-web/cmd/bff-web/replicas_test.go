package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/idp"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/throttle/redistest"
)

// replicaLimit is the per-principal request budget of the replica test: a
// burst of this many requests in an hour-long window, so that nothing
// refills while the test runs (one request every 18s).
const replicaLimit = 200

// Two bff-web processes share one request budget through Redis: under
// concurrent load spread over both, the requests they accept together stay
// within 5% of the configured limit. With the in-memory store the same two
// processes do not share: each accepts about the limit on its own.
func TestReplicasShareRateLimitThroughRedis(t *testing.T) {
	rs := redistest.Start(t)
	bin := buildBinary(t)
	c, err := mocks.Start(context.Background(), mocks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	p := startIdP(t)

	t.Run("redis", func(t *testing.T) {
		store := fmt.Sprintf("store: {kind: redis, redisAddr: %q, timeout: 500ms, failureMode: closed, keyPrefix: %q}",
			rs.Addr, "tandem:replicas:"+randomHex(t)+":")
		a, b := startReplica(t, bin, c, p, store), startReplica(t, bin, c, p, store)
		perReplica := load(t, a, b)
		total := perReplica[0] + perReplica[1]
		t.Logf("redis: accepted %d + %d = %d of %d requests (limit %d)", perReplica[0], perReplica[1], total, 2*requestsPerReplica, replicaLimit)
		if !within5(total, replicaLimit) {
			t.Fatalf("replicas accepted %d requests together, want %d ±5%%", total, replicaLimit)
		}
		if perReplica[0] == 0 || perReplica[1] == 0 {
			t.Fatalf("one replica accepted nothing (%v): the load did not reach both", perReplica)
		}
	})
	t.Run("memory", func(t *testing.T) {
		store := "store: {kind: memory}"
		a, b := startReplica(t, bin, c, p, store), startReplica(t, bin, c, p, store)
		perReplica := load(t, a, b)
		t.Logf("memory: accepted %d + %d of %d requests (limit %d each)", perReplica[0], perReplica[1], 2*requestsPerReplica, replicaLimit)
		for i, n := range perReplica {
			if !within5(n, replicaLimit) {
				t.Fatalf("replica %d accepted %d requests, want %d ±5%% (its own budget)", i, n, replicaLimit)
			}
		}
	})
}

func within5(n, want int) bool {
	return n*100 >= want*95 && n*100 <= want*105
}

// buildBinary compiles bff-web once into the test's temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build bff-web: %v", err)
	}
	bin := filepath.Join(t.TempDir(), "bff-web")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, goBin, "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startIdP serves a mock identity provider on a free loopback port (the
// replicas need its keys to be ready).
func startIdP(t *testing.T) *idp.Provider {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p, err := idp.New(idp.Options{Issuer: "http://" + ln.Addr().String()})
	if err != nil {
		_ = ln.Close()
		t.Fatal(err)
	}
	srv := &httptest.Server{Listener: ln, Config: &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 5 * time.Second}}
	srv.Start()
	t.Cleanup(srv.Close)
	return p
}

// replica is one running bff-web process.
type replica struct {
	url    string
	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	log    *os.File
}

// startReplica runs bin on a free loopback port against the in-process
// mocks and identity provider, with the rate limits of the test and the
// given throttle.store YAML, and waits until /readyz answers 200. The
// process is stopped (SIGTERM, then SIGKILL) when t ends.
func startReplica(t *testing.T, bin string, c *mocks.Cluster, p *idp.Provider, store string) *replica {
	t.Helper()
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "bff-web.yaml")
	yaml := fmt.Sprintf(`auth:
  issuers:
    - issuer: %q
      audiences: [%q]
      jwksUrl: %q
shutdown:
  drainDelay: 0s
throttle:
  rate:
    concurrency: 0
    anonymous:
      requests: {limit: %d, period: 1h, burst: %d}
      concurrency: 0
  %s
`, p.Issuer(), p.Audience(), p.JWKSURL(), replicaLimit, replicaLimit, store)
	if err := os.WriteFile(cfgFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	// The admin listener on a port of its own per replica (its default,
	// 127.0.0.1:8090, would be shared by the two).
	args := []string{"-addr", addr, "-admin-addr", "127.0.0.1:0", "-config", cfgFile, "-log-level", "warn"}
	// Production mode: every source's address is configured.
	for svc, a := range c.Addrs() {
		if u := c.URL(svc); u != "" {
			a = u
		}
		args = append(args, "-upstream", svc+".address="+a)
	}
	logf, err := os.Create(filepath.Join(dir, "stderr.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = cleanEnv()
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		_ = logf.Close()
		t.Fatal(err)
	}
	r := &replica{url: "http://" + addr, cmd: cmd, exited: make(chan struct{}), log: logf}
	go func() { // owned by r: the cleanup below waits for exited
		_ = cmd.Wait()
		close(r.exited)
	}()
	t.Cleanup(func() { r.stop(t) })
	r.waitReady(t, 30*time.Second)
	return r
}

// cleanEnv is the test's environment without TANDEM_ settings, which would
// override the test's configuration.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TANDEM_") {
			env = append(env, kv)
		}
	}
	return env
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String()
}

// waitReady polls /readyz until it answers 200, failing when the process
// exits or the deadline passes.
func (r *replica) waitReady(t *testing.T, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.url+"/readyz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-r.exited:
			t.Fatalf("bff-web exited before it was ready:\n%s", r.stderr())
		case <-ctx.Done():
			t.Fatalf("bff-web not ready within %v:\n%s", within, r.stderr())
		case <-tick.C:
		}
	}
}

// stop ends the process: SIGTERM for a graceful shutdown, SIGKILL if it has
// not exited within 5s. It waits for the exit.
func (r *replica) stop(t *testing.T) {
	select {
	case <-r.exited:
	default:
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		timer := time.NewTimer(5 * time.Second)
		defer timer.Stop()
		select {
		case <-r.exited:
		case <-timer.C:
			t.Errorf("bff-web did not stop on SIGTERM within 5s; killing it")
			_ = r.cmd.Process.Kill()
			<-r.exited
		}
	}
	if t.Failed() {
		t.Logf("bff-web %s stderr:\n%s", r.url, r.stderr())
	}
	_ = r.log.Close()
}

func (r *replica) stderr() string {
	b, _ := os.ReadFile(r.log.Name())
	return string(b)
}

// requestsPerReplica is the load each replica receives: 1.5 times the
// limit, so that the shared budget is exhausted with either store.
const requestsPerReplica = replicaLimit * 3 / 2

// workersPerReplica send the load concurrently.
const workersPerReplica = 6

// load sends requestsPerReplica anonymous requests (one principal: the IP
// 127.0.0.1) to each replica at once and returns how many each accepted.
// Every refusal must be a 429 of the requests budget.
func load(t *testing.T, replicas ...*replica) []int {
	t.Helper()
	client := &http.Client{
		Transport: &http.Transport{MaxIdleConnsPerHost: workersPerReplica},
		Timeout:   10 * time.Second,
	}
	defer client.CloseIdleConnections()
	body, _ := json.Marshal(map[string]any{"query": `{ product(id: "prd_000001") { name } }`})

	accepted := make([]int, len(replicas))
	var (
		mu   sync.Mutex
		errs []error
		wg   sync.WaitGroup
	)
	start := make(chan struct{})
	for i, r := range replicas {
		for w := 0; w < workersPerReplica; w++ {
			n := requestsPerReplica / workersPerReplica
			if w < requestsPerReplica%workersPerReplica {
				n++
			}
			wg.Add(1)
			go func() { // owned by load: wg.Wait below
				defer wg.Done()
				<-start
				ok, err := sendMany(client, r.url, body, n)
				mu.Lock()
				defer mu.Unlock()
				accepted[i] += ok
				if err != nil {
					errs = append(errs, err)
				}
			}()
		}
	}
	close(start) // every worker starts together: the replicas race for the budget
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return accepted
}

// sendMany POSTs body n times and counts the 200s; anything but 200 or a
// 429 of the requests budget is an error.
func sendMany(client *http.Client, url string, body []byte, n int) (int, error) {
	ok := 0
	for i := 0; i < n; i++ {
		resp, err := client.Post(url+"/graphql", "application/json", bytes.NewReader(body))
		if err != nil {
			return ok, err
		}
		raw, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			return ok, err
		}
		switch resp.StatusCode {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			var out struct {
				Errors []struct {
					Extensions map[string]any `json:"extensions"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(raw, &out); err != nil || len(out.Errors) == 0 ||
				out.Errors[0].Extensions["code"] != string(errcode.RateLimited) ||
				out.Errors[0].Extensions["policy"] != throttle.PolicyRequests {
				return ok, fmt.Errorf("429 not from the requests budget: %s", raw)
			}
		default:
			return ok, fmt.Errorf("status %d: %s", resp.StatusCode, raw)
		}
	}
	return ok, nil
}

func randomHex(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
