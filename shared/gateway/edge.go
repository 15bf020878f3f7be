package gateway

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/metric"

	"github.com/tandemgw/tandem/shared/edge"
	"github.com/tandemgw/tandem/shared/persisted"
	"github.com/tandemgw/tandem/shared/throttle"
)

// applyEdgeEnv applies the edge's environment variables:
// <PREFIX>_CORS_ALLOWED_ORIGINS and <PREFIX>_TRUSTED_DOCUMENTS_MANIFESTS
// (comma-separated; an empty value is an empty list),
// <PREFIX>_TRUSTED_DOCUMENTS_MODE, <PREFIX>_APQ_STORE and
// <PREFIX>_CACHE_MAX_AGE (a duration).
func applyEdgeEnv(c *edge.Config, prefix string, environ []string) error {
	env := map[string]string{}
	for _, kv := range environ {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	list := func(v string) []string {
		out := []string{}
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	if v, ok := env[prefix+"_CORS_ALLOWED_ORIGINS"]; ok {
		c.CORS.AllowedOrigins = list(v)
	}
	if v, ok := env[prefix+"_TRUSTED_DOCUMENTS_MODE"]; ok {
		c.TrustedDocuments.Mode = persisted.Mode(strings.TrimSpace(v))
	}
	if v, ok := env[prefix+"_TRUSTED_DOCUMENTS_MANIFESTS"]; ok {
		c.TrustedDocuments.Manifests = list(v)
	}
	if v, ok := env[prefix+"_APQ_STORE"]; ok {
		c.APQ.Store = strings.TrimSpace(v)
	}
	if v, ok := env[prefix+"_CACHE_MAX_AGE"]; ok {
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("config: %s_CACHE_MAX_AGE: %w", prefix, err)
		}
		c.Cache.MaxAge = d
	}
	return nil
}

// buildEdge resolves the edge settings for dev mode and the Spec, loads
// and validates every trusted document manifest (built-in, then configured
// files) against the schema, and builds the persisted operation extensions:
// trusted documents first, then APQ on memory or on the rate limiter's
// Redis client. It logs what a client can expect: which origins CORS
// allows, the trusted documents mode and count, the APQ store.
func buildEdge(spec Spec, cfg Config, schema graphql.ExecutableSchema, store throttle.Store, meter metric.Meter, logger *slog.Logger) (edge.Config, []graphql.HandlerExtension, error) {
	ec := cfg.Edge.Resolve(cfg.Dev, spec.TrustedDocuments.Mode)
	if err := ec.Validate(); err != nil {
		return ec, nil, fmt.Errorf("config: %w", err)
	}
	var manifests []*persisted.Manifest
	for _, f := range spec.TrustedDocuments.Manifests {
		m, err := persisted.ParseManifest(f.Name, f.Data)
		if err != nil {
			return ec, nil, err
		}
		manifests = append(manifests, m)
	}
	for _, path := range ec.TrustedDocuments.Manifests {
		data, err := os.ReadFile(path)
		if err != nil {
			return ec, nil, fmt.Errorf("edge.trustedDocuments.manifests: %w", err)
		}
		m, err := persisted.ParseManifest(path, data)
		if err != nil {
			return ec, nil, err
		}
		manifests = append(manifests, m)
	}
	list, err := persisted.NewList(schema.Schema(), manifests...)
	if err != nil {
		return ec, nil, fmt.Errorf("trusted documents: %w", err)
	}
	trusted, err := persisted.NewTrusted(list, ec.TrustedDocuments.Mode,
		persisted.WithTrustedLogger(logger), persisted.WithTrustedMeter(meter))
	if err != nil {
		return ec, nil, err
	}
	exts := []graphql.HandlerExtension{trusted}
	apqStore := "off"
	if !ec.APQ.Disabled {
		var st persisted.Store
		switch ec.APQ.Store {
		case "redis":
			rs, ok := store.(*throttle.RedisStore)
			if !ok {
				return ec, nil, fmt.Errorf("config: edge.apq.store redis needs throttle.store.kind redis: APQ shares the rate limiter's Redis client")
			}
			ss := withKeyPrefix(spec.Name, cfg.Throttle.Store)
			opts := []persisted.RedisOption{persisted.WithRedisPrefix(ss.KeyPrefix),
				persisted.WithLocalSize(ec.APQ.CacheSize), persisted.WithRedisLogger(logger)}
			if ec.APQ.TTL > 0 {
				opts = append(opts, persisted.WithRedisTTL(ec.APQ.TTL))
			}
			if ss.Timeout > 0 {
				opts = append(opts, persisted.WithRedisTimeout(ss.Timeout))
			}
			if st, err = persisted.NewRedisStore(rs.Client(), opts...); err != nil {
				return ec, nil, err
			}
		default:
			st = persisted.NewMemoryStore(ec.APQ.CacheSize)
		}
		apq, err := persisted.NewAPQ(st, persisted.WithAPQMeter(meter))
		if err != nil {
			return ec, nil, err
		}
		exts = append(exts, apq)
		apqStore = ec.APQ.Store
	}

	if len(ec.CORS.AllowedOrigins) == 0 {
		logger.Info("CORS: no origin is allowed, so browser apps on other origins cannot call this API; set edge.cors.allowedOrigins (or " + spec.EnvPrefix + "_CORS_ALLOWED_ORIGINS)")
	} else {
		logger.Info("CORS: allowed origins", slog.Any("origins", ec.CORS.AllowedOrigins), slog.Bool("credentials", ec.CORS.AllowCredentials))
	}
	logger.Info("trusted documents", slog.String("mode", string(ec.TrustedDocuments.Mode)), slog.Int("documents", list.Len()),
		slog.Int("manifests", len(manifests)))
	if ec.TrustedDocuments.Mode == persisted.ModeEnforce && list.Len() == 0 {
		logger.Warn("trusted documents: enforce mode with no documents refuses every operation")
	}
	logger.Info("automatic persisted queries", slog.String("store", apqStore))
	return ec, exts, nil
}
