package throttle

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Config is the `throttle:` section of a BFF's config file. Zero values mean
// "no limit" for that one setting; start from WebDefaults or MobileDefaults
// and override what differs.
//
// The two surfaces differ on purpose:
//
//   - Mobile (bff-mobile) serves one app whose operations are few, known and
//     shaped for small screens: small bodies, shallow queries, few fields and
//     a low cost ceiling, so anything unusual stands out as abuse. Mobile
//     clients often sit behind carrier NAT, so per-IP limits for anonymous
//     callers are as generous as the web's, while the cost ceiling is lower.
//   - Web (bff-web) serves richer pages (product listings with facets,
//     account pages with order history), so it allows larger, deeper
//     operations and a higher cost ceiling per request and per minute.
//
// In-flight caps are sized from what a page or screen fires at once: the
// web product page's components send 7 queries together (header viewer,
// cart badge, category menu, the product, its reviews, related products,
// recommendations), and the mobile home screen sends its own query plus a
// prefetch of each of its 6 recommended products. Web allows 24 per user
// (three such pages opening at once), mobile 16. Signed-out callers are
// keyed by address (IPv6 by its /64), and an office or a carrier NAT puts
// hundreds of people behind one address, so their budgets (Anonymous) are
// sized for a crowd: on the web, an address can load some 20 product
// listings of 50 a second (251 cost points each), where a single user gets
// about 3. Both refuse batched requests.
type Config struct {
	Operation OperationLimits `yaml:"operation"`
	Cost      CostConfig      `yaml:"cost"`
	Rate      RateConfig      `yaml:"rate"`
	Store     StoreConfig     `yaml:"store"`
	Admission AdmissionConfig `yaml:"admission"`
}

// OperationLimits bound the shape of one GraphQL request. They are checked
// after parsing and validation and before any resolver runs (the token count
// and body size before parsing). Zero disables a limit.
type OperationLimits struct {
	MaxBodyBytes          int64 `yaml:"maxBodyBytes"`          // request body
	MaxTokens             int   `yaml:"maxTokens"`             // lexical tokens in the query text
	MaxDepth              int   `yaml:"maxDepth"`              // nesting of fields; a root field is depth 1
	MaxAliases            int   `yaml:"maxAliases"`            // aliased fields, fragments expanded
	MaxRootFields         int   `yaml:"maxRootFields"`         // fields of the root selection, fragments expanded
	MaxDirectivesPerField int   `yaml:"maxDirectivesPerField"` // directives on any one field
	MaxFields             int   `yaml:"maxFields"`             // all fields, fragments expanded
}

// CostConfig configures static query cost (IBM GraphQL cost directive spec).
type CostConfig struct {
	// MaxCost is the per-request ceiling; 0 disables it (cost is still
	// computed and reported).
	MaxCost int `yaml:"maxCost"`
	// DefaultListSize is the size assumed for list fields without
	// @listSize (or without a slicing argument value and assumedSize).
	// Default 10.
	DefaultListSize int `yaml:"defaultListSize"`
	// MutationWeight is the weight of a mutation root field without @cost.
	// Default 10 (as Apollo Router).
	MutationWeight int `yaml:"mutationWeight"`
	// ReportActual adds extensions.cost.actual, computed from the list
	// lengths of the returned data.
	ReportActual bool `yaml:"reportActual"`
}

// Window is a budget of Limit units per Period, with bursts of up to Burst
// (default Limit). A zero Limit disables the budget.
type Window struct {
	Limit  int           `yaml:"limit"`
	Period time.Duration `yaml:"period"`
	Burst  int           `yaml:"burst"`
}

func (w Window) limit() Limit { return Limit{Rate: w.Limit, Period: w.Period, Burst: w.Burst} }

// RateConfig sets the rate limits. Principal budgets are keyed by the JWT
// subject (else the client IP); application budgets by the client
// application's name.
type RateConfig struct {
	Requests    Window `yaml:"requests"`    // requests per principal
	Points      Window `yaml:"points"`      // cost points per principal
	AppRequests Window `yaml:"appRequests"` // requests per client application
	AppPoints   Window `yaml:"appPoints"`   // cost points per client application
	// Concurrency caps in-flight requests per principal (per replica).
	Concurrency int `yaml:"concurrency"`
	// Anonymous replaces Requests, Points and Concurrency for callers
	// without a token, whose principal is their address; a zero window
	// (or concurrency) keeps the signed-in setting for them.
	Anonymous AnonymousRates `yaml:"anonymous"`
	// TrustedProxies are the CIDRs whose X-Forwarded-For is believed when
	// finding the client IP, e.g. ["10.0.0.0/8"]. Empty: the peer address.
	// Not part of the throttle section: a BFF sets it from its top-level
	// trustedProxies setting (shared/config).
	TrustedProxies []string `yaml:"-"`
}

// AnonymousRates are the budgets of one client address for callers
// without a token: everyone behind it shares them.
type AnonymousRates struct {
	Requests    Window `yaml:"requests"`
	Points      Window `yaml:"points"`
	Concurrency int    `yaml:"concurrency"`
}

// StoreConfig chooses where rate limit state lives.
type StoreConfig struct {
	// Kind is "memory" (default; one replica) or "redis" (shared).
	Kind string `yaml:"kind"`
	// RedisAddr is host:port of Redis when Kind is "redis".
	RedisAddr string `yaml:"redisAddr"`
	// Timeout bounds every Redis call. Default 50ms.
	Timeout time.Duration `yaml:"timeout"`
	// FailureMode is "open" (default: fall back to a per-replica
	// in-memory limiter) or "closed" (refuse with 503).
	FailureMode FailureMode `yaml:"failureMode"`
	// KeyPrefix prefixes Redis keys. Default "tandem:<bff>:" set by the BFF.
	KeyPrefix string `yaml:"keyPrefix"`
}

// WebDefaults are the settings for bff-web (see Config).
func WebDefaults() Config {
	return Config{
		Operation: OperationLimits{
			MaxBodyBytes:          64 << 10,
			MaxTokens:             2000,
			MaxDepth:              10,
			MaxAliases:            30,
			MaxRootFields:         10,
			MaxDirectivesPerField: 4,
			MaxFields:             500,
		},
		Cost: CostConfig{MaxCost: 5000, DefaultListSize: 10, MutationWeight: 10, ReportActual: true},
		Rate: RateConfig{
			Requests:    Window{Limit: 600, Period: time.Minute, Burst: 100},
			Points:      Window{Limit: 50000, Period: time.Minute, Burst: 10000},
			AppRequests: Window{Limit: 60000, Period: time.Minute},
			AppPoints:   Window{Limit: 5000000, Period: time.Minute},
			Concurrency: 24,
			Anonymous: AnonymousRates{
				Requests:    Window{Limit: 6000, Period: time.Minute, Burst: 600},
				Points:      Window{Limit: 300000, Period: time.Minute, Burst: 30000},
				Concurrency: 200,
			},
		},
		Store: StoreConfig{Kind: "memory", Timeout: 50 * time.Millisecond, FailureMode: FailOpen},
	}
}

// MobileDefaults are the settings for bff-mobile (see Config).
func MobileDefaults() Config {
	return Config{
		Operation: OperationLimits{
			MaxBodyBytes:          16 << 10,
			MaxTokens:             800,
			MaxDepth:              7,
			MaxAliases:            10,
			MaxRootFields:         5,
			MaxDirectivesPerField: 2,
			MaxFields:             150,
		},
		Cost: CostConfig{MaxCost: 1000, DefaultListSize: 10, MutationWeight: 10, ReportActual: true},
		Rate: RateConfig{
			Requests:    Window{Limit: 600, Period: time.Minute, Burst: 60},
			Points:      Window{Limit: 20000, Period: time.Minute, Burst: 3000},
			AppRequests: Window{Limit: 60000, Period: time.Minute},
			AppPoints:   Window{Limit: 2000000, Period: time.Minute},
			Concurrency: 16,
			Anonymous: AnonymousRates{
				Requests:    Window{Limit: 6000, Period: time.Minute, Burst: 600},
				Points:      Window{Limit: 200000, Period: time.Minute, Burst: 20000},
				Concurrency: 200,
			},
		},
		Store: StoreConfig{Kind: "memory", Timeout: 50 * time.Millisecond, FailureMode: FailOpen},
	}
}

// Validate reports settings that cannot work together.
func (c Config) Validate() error {
	var errs []error
	if c.Cost.MaxCost > 0 {
		for name, w := range map[string]Window{"rate.points": c.Rate.Points, "rate.anonymous.points": c.Rate.Anonymous.Points} {
			if b := w.limit().normalized(); !b.IsZero() && c.Cost.MaxCost > b.Burst {
				errs = append(errs, fmt.Errorf("throttle: cost.maxCost %d exceeds %s burst %d: an operation under the ceiling could never be afforded", c.Cost.MaxCost, name, b.Burst))
			}
		}
	}
	for name, w := range map[string]Window{"requests": c.Rate.Requests, "points": c.Rate.Points, "appRequests": c.Rate.AppRequests, "appPoints": c.Rate.AppPoints,
		"anonymous.requests": c.Rate.Anonymous.Requests, "anonymous.points": c.Rate.Anonymous.Points} {
		if w.Limit > 0 && w.Period <= 0 {
			errs = append(errs, fmt.Errorf("throttle: rate.%s.period must be positive", name))
		}
	}
	if _, err := parsePrefixes(c.Rate.TrustedProxies); err != nil {
		errs = append(errs, err)
	}
	switch c.Store.Kind {
	case "", "memory":
	case "redis":
		if c.Store.RedisAddr == "" {
			errs = append(errs, errors.New("throttle: store.redisAddr is required when store.kind is redis"))
		}
	default:
		errs = append(errs, fmt.Errorf("throttle: store.kind %q is not memory or redis", c.Store.Kind))
	}
	switch c.Store.FailureMode {
	case "", FailOpen, FailClosed:
	default:
		errs = append(errs, fmt.Errorf("throttle: store.failureMode %q is not open or closed", c.Store.FailureMode))
	}
	return errors.Join(errs...)
}

func parsePrefixes(cidrs []string) ([]netip.Prefix, error) {
	out := make([]netip.Prefix, 0, len(cidrs))
	for _, c := range cidrs {
		p, err := netip.ParsePrefix(c)
		if err != nil {
			a, aerr := netip.ParseAddr(c)
			if aerr != nil {
				return nil, fmt.Errorf("throttle: rate.trustedProxies: %q is not a CIDR or address", c)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}
