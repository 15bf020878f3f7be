package upstream

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/tandemgw/tandem/shared/errcode"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
	"github.com/tandemgw/tandem/shared/upstream/tlstest"
)

// logBuffer is a concurrency-safe log sink.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

// assertNoSecrets checks a log never holds key or certificate material.
func assertNoSecrets(t *testing.T, log string, pairs ...tlstest.Pair) {
	t.Helper()
	assert.NotContains(t, log, "PRIVATE KEY")
	assert.NotContains(t, log, "BEGIN CERTIFICATE")
	for _, p := range pairs {
		body := strings.Split(string(p.KeyPEM), "\n")[1]
		assert.NotContains(t, log, body[:20])
	}
}

// newPKI makes the upstream's CA and the CA of the gateway's client
// certificates.
func newPKI(t *testing.T) (serverCA, clientCA *tlstest.CA) {
	return tlstest.NewCA(t, "upstream CA"), tlstest.NewCA(t, "gateway CA")
}

func startMTLSServer(t *testing.T, serverCA, clientCA *tlstest.CA) *httptest.Server {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"id":%q}`, r.TLS.PeerCertificates[0].Subject.CommonName)
	}))
	srv.TLS = tlstest.ServerConfig(t, serverCA, clientCA)
	srv.Config.ErrorLog = slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

func mtlsClient(t *testing.T, url string, files tlstest.Files, logs *logBuffer) *REST {
	t.Helper()
	c, err := NewREST("orders", Config{Address: url, Retries: -1, TLS: TLS{Cert: files.Cert, Key: files.Key, CA: files.CA}},
		WithLogger(logs.logger()))
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func TestMutualTLSToREST(t *testing.T) {
	serverCA, clientCA := newPKI(t)
	srv := startMTLSServer(t, serverCA, clientCA)
	good := clientCA.Issue(t, tlstest.Options{CommonName: "bff-web", Client: true})

	t.Run("succeeds with the configured certificate", func(t *testing.T) {
		logs := &logBuffer{}
		c := mtlsClient(t, srv.URL, tlstest.WriteFiles(t, t.TempDir(), good, serverCA), logs)
		var out item
		require.NoError(t, c.GetJSON(context.Background(), "/x", nil, &out))
		assert.Equal(t, "bff-web", out.ID, "the upstream saw the client certificate")
	})

	t.Run("fails against a server of another CA", func(t *testing.T) {
		logs := &logBuffer{}
		other := tlstest.NewCA(t, "someone else")
		c := mtlsClient(t, srv.URL, tlstest.WriteFiles(t, t.TempDir(), good, other), logs)
		err := c.GetJSON(context.Background(), "/x", nil, &item{})
		assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(err))
		assert.Contains(t, logs.String(), `msg="upstream TLS handshake failed" upstream.service=orders endpoint=default reason="the upstream's certificate is not signed by the configured CA"`)
		assertNoSecrets(t, logs.String(), good)
	})

	t.Run("fails with an expired client certificate", func(t *testing.T) {
		logs := &logBuffer{}
		expired := clientCA.Issue(t, tlstest.Options{CommonName: "bff-web", Client: true,
			NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})
		files := tlstest.WriteFiles(t, t.TempDir(), expired, serverCA)
		c := mtlsClient(t, srv.URL, files, logs)
		assert.Contains(t, logs.String(), `msg="upstream client certificate has expired" upstream.service=orders file=`+files.Cert)
		err := c.GetJSON(context.Background(), "/x", nil, &item{})
		assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(err))
		assert.Contains(t, logs.String(), `reason="the client certificate has expired; the upstream refuses it"`)
		assertNoSecrets(t, logs.String(), expired)

		// Rotating the files fixes it without a restart.
		tlstest.Replace(t, files, good, serverCA)
		var out item
		require.NoError(t, c.GetJSON(context.Background(), "/x", nil, &out))
		assert.Equal(t, "bff-web", out.ID)
		assert.Contains(t, logs.String(), `msg="upstream TLS files reloaded" upstream.service=orders`)
	})

	t.Run("plain http with tls configured is refused at start", func(t *testing.T) {
		files := tlstest.WriteFiles(t, t.TempDir(), good, serverCA)
		_, err := NewREST("orders", Config{Address: "http://127.0.0.1:1", TLS: TLS{Cert: files.Cert, Key: files.Key, CA: files.CA}})
		assert.ErrorContains(t, err, "not https")
		_, err = NewREST("orders", Config{Address: "https://127.0.0.1:1", TLS: TLS{Cert: files.Cert + ".missing", Key: files.Key}})
		assert.ErrorContains(t, err, "tls")
		_, err = NewREST("orders", Config{Address: "https://127.0.0.1:1", TLS: TLS{CA: files.CA}}, WithHTTPClient(http.DefaultClient))
		assert.ErrorContains(t, err, "would ignore")
	})
}

func TestMutualTLSToGRPC(t *testing.T) {
	serverCA, clientCA := newPKI(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(tlstest.ServerConfig(t, serverCA, clientCA))))
	pricingv1.RegisterPricingServiceServer(srv, &fakePricing{})
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Stop(); <-done })
	good := clientCA.Issue(t, tlstest.Options{CommonName: "bff-web", Client: true})
	expired := clientCA.Issue(t, tlstest.Options{CommonName: "bff-web", Client: true,
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(-24 * time.Hour)})

	call := func(t *testing.T, files tlstest.Files, logs *logBuffer) error {
		g, err := DialGRPC("pricing", Config{Address: ln.Addr().String(), Retries: -1, TLS: TLS{Cert: files.Cert, Key: files.Key, CA: files.CA}},
			WithLogger(logs.logger()))
		require.NoError(t, err)
		defer g.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = pricingv1.NewPricingServiceClient(g).GetPrice(ctx, &pricingv1.GetPriceRequest{ProductId: "prd_1"})
		return err
	}
	t.Run("succeeds", func(t *testing.T) {
		require.NoError(t, call(t, tlstest.WriteFiles(t, t.TempDir(), good, serverCA), &logBuffer{}))
	})
	t.Run("wrong CA", func(t *testing.T) {
		logs := &logBuffer{}
		err := call(t, tlstest.WriteFiles(t, t.TempDir(), good, tlstest.NewCA(t, "someone else")), logs)
		assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(err))
		assert.Contains(t, logs.String(), `msg="upstream TLS handshake failed" upstream.service=pricing endpoint=default reason="the upstream's certificate is not signed by the configured CA"`)
		assertNoSecrets(t, logs.String(), good)
	})
	t.Run("expired client certificate", func(t *testing.T) {
		logs := &logBuffer{}
		err := call(t, tlstest.WriteFiles(t, t.TempDir(), expired, serverCA), logs)
		assert.Equal(t, errcode.UpstreamUnavailable, CodeOf(err))
		assert.Contains(t, logs.String(), "upstream client certificate has expired")
		assert.Contains(t, logs.String(), `reason="the client certificate has expired; the upstream refuses it"`)
		assertNoSecrets(t, logs.String(), expired)
	})
}
