package auth_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/tandemgw/tandem/shared/auth"
)

func TestDefaultConfigPointsAtTheMockIdP(t *testing.T) {
	cfg, err := auth.DefaultConfig().Normalize()
	require.NoError(t, err)
	require.Len(t, cfg.Issuers, 1)
	ic := cfg.Issuers[0]
	assert.Equal(t, "http://127.0.0.1:9100", ic.Issuer)
	assert.Equal(t, "http://127.0.0.1:9100/.well-known/jwks.json", ic.JWKSURL)
	assert.Equal(t, []string{"tandem"}, ic.Audiences)
	assert.Equal(t, []string{"RS256"}, ic.Algorithms)
	assert.Equal(t, 30*time.Second, ic.Leeway)
	assert.Equal(t, []string{"scope", "scp"}, ic.ScopeClaims)
	assert.Equal(t, []string{"azp", "client_id"}, ic.ClientIDClaims)
	assert.Equal(t, auth.DefaultRefreshInterval, ic.RefreshInterval)
	assert.Equal(t, auth.DefaultUnknownKIDRefreshInterval, ic.UnknownKIDRefreshInterval)
	assert.Equal(t, auth.DefaultHTTPTimeout, ic.HTTPTimeout)
	assert.Equal(t, 8192, cfg.MaxTokenBytes)
}

func TestConfigRejects(t *testing.T) {
	good := func() auth.IssuerConfig {
		return auth.IssuerConfig{Issuer: "https://idp.test", Audiences: []string{"tandem"}, JWKSURL: "https://idp.test/jwks"}
	}
	secret := auth.Secret("0123456789abcdef0123456789abcdef")
	for name, tc := range map[string]struct {
		mut  func(*auth.Config)
		want string
	}{
		"no issuers":          {func(c *auth.Config) { c.Issuers = nil }, "auth.issuers: at least one"},
		"max token too large": {func(c *auth.Config) { c.MaxTokenBytes = 1 << 20 }, "auth.maxTokenBytes"},
		"no issuer":           {func(c *auth.Config) { c.Issuers[0].Issuer = "" }, "auth.issuers[0].issuer"},
		"no audience":         {func(c *auth.Config) { c.Issuers[0].Audiences = nil }, "auth.issuers[0].audiences"},
		"empty audience":      {func(c *auth.Config) { c.Issuers[0].Audiences = []string{""} }, "auth.issuers[0].audiences"},
		"no jwks url":         {func(c *auth.Config) { c.Issuers[0].JWKSURL = "" }, "auth.issuers[0].jwksUrl"},
		"relative jwks url":   {func(c *auth.Config) { c.Issuers[0].JWKSURL = "/jwks" }, "auth.issuers[0].jwksUrl"},
		"alg none":            {func(c *auth.Config) { c.Issuers[0].Algorithms = []string{"none"} }, `"none" is not supported`},
		"HS256 with JWKS":     {func(c *auth.Config) { c.Issuers[0].Algorithms = []string{"RS256", "HS256"} }, `"HS256" needs a shared secret`},
		"unknown alg":         {func(c *auth.Config) { c.Issuers[0].Algorithms = []string{"RS1"} }, "not supported"},
		"leeway too large":    {func(c *auth.Config) { c.Issuers[0].Leeway = time.Hour }, "auth.issuers[0].leeway"},
		"negative timeout":    {func(c *auth.Config) { c.Issuers[0].HTTPTimeout = -time.Second }, "auth.issuers[0].httpTimeout"},
		"duplicate issuer":    {func(c *auth.Config) { c.Issuers = append(c.Issuers, good()) }, "auth.issuers[1].issuer"},
		"secret and jwks":     {func(c *auth.Config) { c.Issuers[0].DevHS256Secret = secret }, "not both"},
		"short secret":        {func(c *auth.Config) { c.Issuers[0].JWKSURL = ""; c.Issuers[0].DevHS256Secret = "short" }, "at least 32 bytes"},
		"secret with RS256 alg": {func(c *auth.Config) {
			c.Issuers[0].JWKSURL = ""
			c.Issuers[0].DevHS256Secret = secret
			c.Issuers[0].Algorithms = []string{"RS256"}
		}, "accepts only HS256"},
		"secret with HS512 alg": {func(c *auth.Config) {
			c.Issuers[0].JWKSURL = ""
			c.Issuers[0].DevHS256Secret = secret
			c.Issuers[0].Algorithms = []string{"HS512"}
		}, "accepts only HS256"},
		"second issuer, bad algs": {func(c *auth.Config) {
			g := good()
			g.Issuer = "b"
			g.Algorithms = []string{"HS384"}
			c.Issuers = append(c.Issuers, g)
		}, "auth.issuers[1].algorithms"},
	} {
		t.Run(name, func(t *testing.T) {
			cfg := auth.Config{Issuers: []auth.IssuerConfig{good()}}
			tc.mut(&cfg)
			_, err := auth.New(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), string(secret))
		})
	}
}

func TestConfigFromYAML(t *testing.T) {
	const doc = `
auth:
  maxTokenBytes: 4096
  issuers:
    - issuer: https://idp.example
      audiences: [tandem-web, tandem]
      jwksUrl: https://idp.example/.well-known/jwks.json
      algorithms: [RS256, ES256, EdDSA]
      leeway: 10s
      scopeClaims: [scp]
      clientIdClaims: [client_id]
      copyClaims: [tier]
      refreshInterval: 5m
      unknownKidRefreshInterval: 1m
      httpTimeout: 2s
    - issuer: tandem-dev
      audiences: [tandem]
      devHS256Secret: 0123456789abcdef0123456789abcdef
`
	var file struct {
		Auth auth.Config `yaml:"auth"`
	}
	require.NoError(t, yaml.Unmarshal([]byte(doc), &file))
	cfg, err := file.Auth.Normalize()
	require.NoError(t, err)
	assert.Equal(t, 4096, cfg.MaxTokenBytes)
	ic := cfg.Issuers[0]
	assert.Equal(t, []string{"tandem-web", "tandem"}, ic.Audiences)
	assert.Equal(t, []string{"RS256", "ES256", "EdDSA"}, ic.Algorithms)
	assert.Equal(t, 10*time.Second, ic.Leeway)
	assert.Equal(t, time.Minute, ic.UnknownKIDRefreshInterval)
	assert.Equal(t, []string{"tier"}, ic.CopyClaims)
	assert.Equal(t, auth.Secret("0123456789abcdef0123456789abcdef"), cfg.Issuers[1].DevHS256Secret)
	assert.Equal(t, []string{"HS256"}, cfg.Issuers[1].Algorithms)

	// Dumping the config never shows the secret.
	out, err := yaml.Marshal(file)
	require.NoError(t, err)
	assert.NotContains(t, string(out), "0123456789abcdef")
	assert.Contains(t, string(out), "[REDACTED]")
	js, err := json.Marshal(cfg)
	require.NoError(t, err)
	assert.NotContains(t, string(js), "0123456789abcdef")
	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("config", "auth", cfg.Issuers[1].DevHS256Secret, "dump", fmt.Sprintf("%v %+v %#v %s", cfg, cfg, cfg, cfg.Issuers[1].DevHS256Secret))
	assert.NotContains(t, logs.String(), "0123456789abcdef")
}
