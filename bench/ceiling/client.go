package ceiling

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	fastjson "github.com/segmentio/encoding/json"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/tandemgw/tandem/shared/errcode"
)

// maxRequestBody bounds what a handler reads of a request; bff-web's
// default body limit.
const maxRequestBody = 64 << 10

// maxAnswerBody bounds a backend answer, as shared/upstream's default cap.
const maxAnswerBody = 4 << 20

// restClient calls the REST services the way bff-web's upstream client
// does where it costs: keep-alive connections, the whole answer read into
// a recycled buffer, then decoded in place by segmentio's decoder (the
// one shared/upstream uses).
type restClient struct {
	http      *http.Client
	transport *http.Transport
	bodies    sync.Pool // *bytes.Buffer
}

func newRESTClient() *restClient {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        512,
		MaxIdleConnsPerHost: 128,
		IdleConnTimeout:     90 * time.Second,
	}
	return &restClient{http: &http.Client{Transport: tr}, transport: tr}
}

func (c *restClient) close() { c.transport.CloseIdleConnections() }

// getJSON GETs target and decodes the JSON answer into out.
func (c *restClient) getJSON(ctx context.Context, target string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, resp.Body)
		return fmt.Errorf("ceiling: backend answered HTTP %d", resp.StatusCode)
	}
	buf, _ := c.bodies.Get().(*bytes.Buffer)
	if buf == nil {
		buf = new(bytes.Buffer)
	}
	defer func() {
		buf.Reset()
		c.bodies.Put(buf)
	}()
	if resp.ContentLength > 0 && resp.ContentLength <= maxAnswerBody {
		buf.Grow(int(resp.ContentLength) + bytes.MinRead)
	}
	if _, err := buf.ReadFrom(io.LimitReader(resp.Body, maxAnswerBody+1)); err != nil {
		return err
	}
	if buf.Len() > maxAnswerBody {
		return fmt.Errorf("ceiling: backend answer exceeds %d bytes", maxAnswerBody)
	}
	return fastjson.Unmarshal(buf.Bytes(), out)
}

// baseURL checks a REST service's base URL and drops its trailing slash.
func baseURL(service, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("ceiling: %s address %q is not an http(s) base URL", service, raw)
	}
	return strings.TrimRight(u.String(), "/"), nil
}

// dial connects (lazily, as grpc.NewClient does) to a gRPC service.
func dial(service, addr string, opts []grpc.DialOption) (*grpc.ClientConn, error) {
	if addr == "" {
		return nil, fmt.Errorf("ceiling: %s address is empty", service)
	}
	conn, err := grpc.NewClient(addr, append([]grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}, opts...)...)
	if err != nil {
		return nil, fmt.Errorf("ceiling: %s: %w", service, err)
	}
	return conn, nil
}

// answers recycles the buffers answers are rendered into.
type answers struct{ pool sync.Pool }

func (a *answers) get() *[]byte {
	if bp, ok := a.pool.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 16<<10)
	return &b
}

// write sends the rendered answer and recycles its buffer.
func (a *answers) write(w http.ResponseWriter, bp *[]byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(*bp)))
	_, _ = w.Write(*bp)
	a.pool.Put(bp)
}

// readRequest checks the method and reads the body (up to bff-web's body
// limit) without interpreting it; false means it has answered.
func readRequest(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		writeError(w, http.StatusMethodNotAllowed, errcode.MethodNotAllowed)
		return false
	}
	if _, err := io.Copy(io.Discard, http.MaxBytesReader(w, r.Body, maxRequestBody)); err != nil {
		writeError(w, http.StatusRequestEntityTooLarge, errcode.OperationLimitExceeded)
		return false
	}
	return true
}

// withTimeout bounds ctx by d when d is positive.
func withTimeout(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return ctx, func() {}
}

// writeError answers with a stable code and nothing else: the harness
// counts it as a failed request.
func writeError(w http.ResponseWriter, status int, code errcode.Code) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, `{"errors":[{"message":"the request failed","extensions":{"code":"`+string(code)+`"}}]}`)
}
