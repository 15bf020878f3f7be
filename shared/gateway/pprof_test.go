package gateway

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestPprofListener(t *testing.T) {
	p, err := servePprof(context.Background(), "127.0.0.1:0", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + p.Addr() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, string(body)
	}
	if status, body := get("/debug/pprof/heap?debug=1"); status != http.StatusOK || !strings.Contains(body, "heap profile") {
		t.Errorf("heap profile: %d %.200s", status, body)
	}
	if status, body := get("/debug/pprof/"); status != http.StatusOK || !strings.Contains(body, "allocs") {
		t.Errorf("index: %d %.200s", status, body)
	}
	if status, _ := get("/debug/pprof/cmdline"); status != http.StatusNotFound {
		t.Errorf("cmdline: %d, want 404: flags may carry settings", status)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get("http://" + p.Addr() + "/debug/pprof/"); err == nil {
		t.Error("the listener still answers after Close")
	}
}

// Profiles never go to a listener the network can reach.
func TestMainRefusesPublicPprofAddr(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := Main(context.Background(), testSpec, nil, []string{"-pprof-addr", "0.0.0.0:6060"}, nil, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err = %v, want a refusal naming loopback", err)
	}
}
