// Command token asks the running mock identity provider for an access token
// and prints it, for `make token` and for curl sessions:
//
//	go run ./mocks/idp/cmd/token -sub usr_000001 -scopes "orders:read cart:write"
//	curl -H "Authorization: Bearer $(go run ./mocks/idp/cmd/token -sub usr_000001)" ...
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/tandemgw/tandem/mocks/idp"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "token:", err)
		os.Exit(1)
	}
}

func run() error {
	admin := flag.String("admin", envOr("TANDEM_IDP_ADMIN", "http://127.0.0.1:9000/idp"), "mock IdP admin base URL (env TANDEM_IDP_ADMIN)")
	sub := flag.String("sub", "usr_000001", "subject of the token")
	scopes := flag.String("scopes", "", "scopes, separated by spaces or commas")
	ttl := flag.Duration("ttl", time.Hour, "token lifetime (at most 24h)")
	client := flag.String("client", "", "client id claim (optional)")
	flag.Parse()

	body, err := json.Marshal(idp.TokenRequest{
		Sub:        *sub,
		Scopes:     strings.FieldsFunc(*scopes, func(r rune) bool { return r == ' ' || r == ',' }),
		TTLSeconds: int(ttl.Seconds()),
		ClientID:   *client,
	})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(*admin, "/")+"/tokens", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("is the mocks process running (make mocks)? %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		return fmt.Errorf("mock IdP answered %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	var out idp.TokenResponse
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	if out.Token == "" {
		return errors.New("mock IdP answered without a token")
	}
	fmt.Println(out.Token)
	return nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
