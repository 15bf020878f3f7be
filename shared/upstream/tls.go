package upstream

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/tandemgw/tandem/shared/telemetry"
)

// tlsFiles is the TLS material of one upstream, read from Config.TLS's
// files and read again on the next handshake after any of them changes
// (size or modification time), so a rotated certificate or CA takes effect
// on the next connection without a restart. A file that fails to load
// after a change keeps the previous material in use and is logged.
type tlsFiles struct {
	service string
	cfg     TLS
	logger  *slog.Logger
	now     func() time.Time

	mu       sync.Mutex
	stamps   [3]fileStamp // cert, key, ca
	cert     *tls.Certificate
	pool     *x509.CertPool // nil: the system roots
	reloaded int            // how many times the files were read; for tests
}

type fileStamp struct {
	mod  time.Time
	size int64
}

func stampOf(path string) (fileStamp, error) {
	if path == "" {
		return fileStamp{}, nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}, err
	}
	return fileStamp{mod: fi.ModTime(), size: fi.Size()}, nil
}

// newTLSFiles reads the files once; a failure here stops the start.
func newTLSFiles(service string, cfg TLS, logger *slog.Logger, now func() time.Time) (*tlsFiles, error) {
	f := &tlsFiles{service: service, cfg: cfg, logger: logger, now: now}
	if err := f.reloadIfChanged(true); err != nil {
		return nil, fmt.Errorf("upstream %s: tls: %w", service, err)
	}
	return f, nil
}

// current returns the certificate (nil when none is configured) and CA
// pool to use now, reading the files again if they changed.
func (f *tlsFiles) current() (*tls.Certificate, *x509.CertPool) {
	if err := f.reloadIfChanged(false); err != nil {
		// Keep serving with what was loaded last; the operator sees why.
		f.logger.Warn("upstream TLS files changed but could not be loaded; keeping the previous ones",
			slog.String(telemetry.KeyUpstreamService, f.service), slog.String("error", err.Error()))
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.cert, f.pool
}

func (f *tlsFiles) reloadIfChanged(first bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var stamps [3]fileStamp
	for i, p := range []string{f.cfg.Cert, f.cfg.Key, f.cfg.CA} {
		s, err := stampOf(p)
		if err != nil {
			return err
		}
		stamps[i] = s
	}
	if !first && stamps == f.stamps {
		return nil
	}
	var cert *tls.Certificate
	if f.cfg.Cert != "" {
		c, err := tls.LoadX509KeyPair(f.cfg.Cert, f.cfg.Key)
		if err != nil {
			return fmt.Errorf("client certificate %s: %w", f.cfg.Cert, err)
		}
		cert = &c
		f.warnValidity(c.Leaf)
	}
	var pool *x509.CertPool
	if f.cfg.CA != "" {
		pem, err := os.ReadFile(f.cfg.CA)
		if err != nil {
			return err
		}
		pool = x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("ca %s holds no PEM certificate", f.cfg.CA)
		}
	}
	f.cert, f.pool, f.stamps = cert, pool, stamps
	f.reloaded++
	if !first {
		f.logger.Info("upstream TLS files reloaded", slog.String(telemetry.KeyUpstreamService, f.service))
	}
	return nil
}

// warnValidity logs a client certificate that is expired or not yet
// valid: the upstream will refuse it, and this line says why up front.
func (f *tlsFiles) warnValidity(leaf *x509.Certificate) {
	if leaf == nil {
		return
	}
	now := f.now()
	switch {
	case now.After(leaf.NotAfter):
		f.logger.Warn("upstream client certificate has expired",
			slog.String(telemetry.KeyUpstreamService, f.service), slog.String("file", f.cfg.Cert), slog.Time("notAfter", leaf.NotAfter))
	case now.Before(leaf.NotBefore):
		f.logger.Warn("upstream client certificate is not valid yet",
			slog.String(telemetry.KeyUpstreamService, f.service), slog.String("file", f.cfg.Cert), slog.Time("notBefore", leaf.NotBefore))
	}
}

// config returns the client TLS configuration of the upstream. The
// upstream's certificate is verified in VerifyConnection against the CA
// loaded at the time of the handshake, which is what lets the CA be
// rotated without a restart; InsecureSkipVerify only turns off the
// built-in check that would pin the CA of startup, never verification.
func (f *tlsFiles) config() *tls.Config {
	return &tls.Config{
		MinVersion:         tls.VersionTLS12,
		ServerName:         f.cfg.ServerName,
		InsecureSkipVerify: true, // verified in VerifyConnection, see above
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			if cert, _ := f.current(); cert != nil {
				return cert, nil
			}
			return &tls.Certificate{}, nil // none configured: send none
		},
		VerifyConnection: f.verify,
	}
}

// verify checks the upstream's certificate chain and name against the
// current CA.
func (f *tlsFiles) verify(cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("upstream presented no certificate")
	}
	_, pool := f.current()
	name := f.cfg.ServerName
	if name == "" {
		name = cs.ServerName
	}
	opts := x509.VerifyOptions{Roots: pool, DNSName: name, CurrentTime: f.now(), Intermediates: x509.NewCertPool()}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := cs.PeerCertificates[0].Verify(opts)
	return err
}

// tlsReason explains a TLS failure in words an operator can act on, or ""
// when err is not a TLS failure. It reads error text as well as types
// because gRPC flattens handshake errors into a status message.
func tlsReason(err error) string {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	var he x509.HostnameError
	msg := err.Error()
	switch {
	case errors.As(err, &ua) || strings.Contains(msg, "x509: certificate signed by unknown authority"):
		return "the upstream's certificate is not signed by the configured CA"
	case (errors.As(err, &ci) && ci.Reason == x509.Expired) || strings.Contains(msg, "x509: certificate has expired or is not yet valid"):
		return "the upstream's certificate has expired or is not valid yet"
	case errors.As(err, &he) || strings.Contains(msg, "x509: certificate is valid for"):
		return "the upstream's certificate does not name the address (check tls.serverName)"
	case strings.Contains(msg, "tls: expired certificate"):
		return reasonClientExpired
	case strings.Contains(msg, "tls: unknown certificate authority"):
		return "the upstream refused the client certificate: it does not trust its CA"
	case strings.Contains(msg, "tls: certificate required"):
		return "the upstream requires a client certificate and none is configured"
	case strings.Contains(msg, "tls: bad certificate"):
		return "the upstream refused the client certificate"
	case strings.Contains(msg, "x509: "), strings.Contains(msg, "tls: "):
		return "TLS handshake failed"
	}
	return ""
}

const (
	reasonClientExpired  = "the client certificate has expired; the upstream refuses it"
	reasonClientNotValid = "the client certificate is not valid yet; the upstream refuses it"
)

// clientCertProblem explains a failed connection by the client
// certificate's own validity. With TLS 1.3 the upstream judges the client
// certificate after the client's handshake is done, and its alert may be
// lost to a broken pipe; the certificate's dates still say why.
func (f *tlsFiles) clientCertProblem() string {
	cert, _ := f.current()
	if cert == nil || cert.Leaf == nil {
		return ""
	}
	now := f.now()
	switch {
	case now.After(cert.Leaf.NotAfter):
		return reasonClientExpired
	case now.Before(cert.Leaf.NotBefore):
		return reasonClientNotValid
	}
	return ""
}

// tlsLogState keeps one endpoint's TLS failure log to one line per reason
// and minute, so a misconfigured upstream does not flood the log.
type tlsLogState struct {
	mu     sync.Mutex
	reason string
	at     time.Time
}

func (s *tlsLogState) shouldLog(reason string, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if reason == s.reason && now.Sub(s.at) < time.Minute {
		return false
	}
	s.reason, s.at = reason, now
	return true
}
