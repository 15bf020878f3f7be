package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/idp"
)

// backends are the mock services and the mock identity provider, run in
// the harness's own process (on the load generator's core) on free
// loopback ports.
type backends struct {
	cluster *mocks.Cluster
	idp     *idp.Provider
	idpSrv  *http.Server
	idpDone chan error
	client  *http.Client // for the admin API and set-up calls
	spans   *spanSink    // the tracing variant's collector
}

func startBackends(ctx context.Context) (*backends, error) {
	cluster, err := mocks.Start(ctx, mocks.Options{})
	if err != nil {
		return nil, err
	}
	b := &backends{cluster: cluster, client: &http.Client{Timeout: 30 * time.Second}}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		_ = cluster.Close()
		return nil, err
	}
	// The issuer is the provider's own URL, as OIDC discovery requires.
	b.idp, err = idp.New(idp.Options{Issuer: "http://" + ln.Addr().String()})
	if err != nil {
		_ = ln.Close()
		_ = cluster.Close()
		return nil, err
	}
	b.idpSrv = &http.Server{Handler: b.idp.Handler(), ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(slog.DiscardHandler, slog.LevelError)}
	b.idpDone = make(chan error, 1)
	go func() { b.idpDone <- b.idpSrv.Serve(ln) }()
	if b.spans, err = startSpanSink(ctx); err != nil {
		_ = b.Close()
		return nil, err
	}
	return b, nil
}

func (b *backends) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := b.idpSrv.Shutdown(ctx)
	if b.spans != nil {
		err = errors.Join(err, b.spans.Close())
	}
	if serveErr := <-b.idpDone; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return errors.Join(err, b.cluster.Close())
}

// upstreamAddress is what a BFF's upstreams.<service>.address is set to:
// a base URL for REST services, host:port for gRPC ones.
func (b *backends) upstreamAddress(service string) string {
	if u := b.cluster.URL(service); u != "" {
		return u
	}
	return b.cluster.Addr(service)
}

// services lists the mock services by name.
func (b *backends) services() []string {
	var out []string
	for _, s := range mocks.Services() {
		out = append(out, s.Name)
	}
	return out
}

// resetCounters zeroes the mocks' call counters through the admin API.
func (b *backends) resetCounters(ctx context.Context) error {
	_, err := b.call(ctx, http.MethodDelete, b.cluster.AdminURL()+"/counters", nil, nil, http.StatusNoContent)
	return err
}

// counters returns the calls each service received since the last reset,
// all routes together, from the admin API.
func (b *backends) counters(ctx context.Context) (map[string]int64, error) {
	body, err := b.call(ctx, http.MethodGet, b.cluster.AdminURL()+"/counters", nil, nil, http.StatusOK)
	if err != nil {
		return nil, err
	}
	var snap struct {
		Services map[string]map[string]int64 `json:"services"`
	}
	if err := json.Unmarshal(body, &snap); err != nil {
		return nil, fmt.Errorf("mocks admin /counters: %w", err)
	}
	out := map[string]int64{}
	for svc, routes := range snap.Services {
		for _, n := range routes {
			out[svc] += n
		}
	}
	return out, nil
}

// token mints an access token for sub at the mock identity provider.
func (b *backends) token(sub string, scopes ...string) (string, error) {
	return b.idp.Mint(sub, scopes, 24*time.Hour, nil)
}

// viewerWithOrders returns a user with at least want orders: the one of
// the first page of users with the most, topped up with orders placed
// through the orders service (the seeded data has none with 50).
func (b *backends) viewerWithOrders(ctx context.Context, want int) (string, error) {
	var users struct{ Items []struct{ ID string } }
	if err := b.getJSON(ctx, "accounts", "/users", url.Values{"limit": {"100"}}, &users); err != nil {
		return "", err
	}
	best, bestN := "", -1
	for _, u := range users.Items {
		var page struct{ Items []struct{ ID string } }
		if err := b.getJSON(ctx, "orders", "/orders", url.Values{"userId": {u.ID}, "limit": {"100"}}, &page); err != nil {
			return "", err
		}
		if len(page.Items) > bestN {
			best, bestN = u.ID, len(page.Items)
		}
	}
	if best == "" {
		return "", errors.New("accounts lists no users")
	}
	var addrs struct{ Items []struct{ ID string } }
	if err := b.getJSON(ctx, "accounts", "/users/"+url.PathEscape(best)+"/addresses", nil, &addrs); err != nil {
		return "", err
	}
	if len(addrs.Items) == 0 {
		return "", fmt.Errorf("%s has no address", best)
	}
	var products struct{ Items []struct{ ID string } }
	if err := b.getJSON(ctx, "catalog", "/products", url.Values{"limit": {"100"}}, &products); err != nil {
		return "", err
	}
	if len(products.Items) == 0 {
		return "", errors.New("catalog lists no products")
	}
	next := 0
	for n := bestN; n < want; n++ {
		for range 3 { // three distinct products per order
			line := map[string]any{"productId": products.Items[next%len(products.Items)].ID, "quantity": 1}
			next++
			if err := b.post(ctx, "orders", "/carts/"+url.PathEscape(best)+"/lines", nil, line); err != nil {
				return "", err
			}
		}
		order := map[string]any{"userId": best, "shippingAddressId": addrs.Items[0].ID}
		if err := b.post(ctx, "orders", "/orders", http.Header{"Idempotency-Key": {fmt.Sprintf("bench-%s-%d", best, n)}}, order); err != nil {
			return "", err
		}
	}
	return best, nil
}

func (b *backends) getJSON(ctx context.Context, service, path string, q url.Values, out any) error {
	target := b.cluster.URL(service) + path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	body, err := b.call(ctx, http.MethodGet, target, nil, nil, http.StatusOK)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, out)
}

func (b *backends) post(ctx context.Context, service, path string, hdr http.Header, in any) error {
	payload, err := json.Marshal(in)
	if err != nil {
		return err
	}
	if hdr == nil {
		hdr = http.Header{}
	}
	hdr.Set("Content-Type", "application/json")
	_, err = b.call(ctx, http.MethodPost, b.cluster.URL(service)+path, hdr, payload, 0)
	return err
}

// call makes one request and returns the body; want 0 accepts any 2xx.
func (b *backends) call(ctx context.Context, method, target string, hdr http.Header, payload []byte, want int) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if (want != 0 && resp.StatusCode != want) || (want == 0 && resp.StatusCode/100 != 2) {
		return nil, fmt.Errorf("%s %s: HTTP %d: %.200s", method, strings.SplitN(target, "?", 2)[0], resp.StatusCode, body)
	}
	return body, nil
}
