// Package config loads a BFF's configuration from, in increasing
// precedence: built-in defaults, an optional YAML file, environment
// variables, and command-line flags (flags win).
//
// Keys and their environment variables and flags, for a BFF whose Spec has
// EnvPrefix "TANDEM_WEB":
//
//	YAML key                    environment                               flag
//	addr                        TANDEM_WEB_ADDR                           -addr
//	dev                         TANDEM_WEB_DEV                            -dev
//	trustedProxies              TANDEM_WEB_TRUSTED_PROXIES (a,b)          -trusted-proxies a,b
//	log.level                   TANDEM_WEB_LOG_LEVEL                      -log-level
//	log.format                  TANDEM_WEB_LOG_FORMAT                     -log-format
//	requestBudget.default       TANDEM_WEB_REQUEST_BUDGET                 -
//	requestBudget.query         TANDEM_WEB_REQUEST_BUDGET_QUERY           -
//	requestBudget.mutation      TANDEM_WEB_REQUEST_BUDGET_MUTATION        -
//	steering.pinHeader          (file only)
//	steering.pinScope           (file only)
//	shutdown.drainDelay         TANDEM_WEB_SHUTDOWN_DRAIN_DELAY
//	shutdown.gracePeriod        TANDEM_WEB_SHUTDOWN_GRACE_PERIOD
//	upstreams.<svc>.<field>     TANDEM_UPSTREAMS_<SVC>_<FIELD>            -upstream <svc>.<field>=<value>
//	                            TANDEM_WEB_UPSTREAMS_<SVC>_<FIELD>        (repeatable)
//	(the file itself)           TANDEM_WEB_CONFIG                         -config
//
// Upstream fields settable everywhere are address, timeout, retries,
// maxBatch, forwardToken, batchWait, minAttempt, maxConcurrent, tls.cert,
// tls.key, tls.ca and tls.serverName (environment: ADDRESS, TIMEOUT,
// RETRIES, MAX_BATCH, FORWARD_TOKEN, BATCH_WAIT, MIN_ATTEMPT,
// MAX_CONCURRENT, TLS_CERT, TLS_KEY, TLS_CA, TLS_SERVER_NAME); endpoints,
// breaker, retryBudget and outlier are set in the file (see
// shared/upstream.Config). TANDEM_UPSTREAMS_* applies to every BFF (both
// talk to the same services); the BFF-prefixed form overrides it for one
// BFF. Upstream retries: 0 means the default (2), -1 disables retries.
//
// requestBudget bounds each GraphQL operation (default 3s; query and
// mutation default to the default given); steering names the header that
// pins a trusted request's upstream calls to an endpoint for canary tests
// (default X-Tandem-Pin, honoured with scope upstream:pin or in dev mode).
//
// No upstream is listed by default and any source id is accepted; unset
// fields take the shared/upstream defaults. The address has no default
// here: in dev mode a source without one gets the DefaultAddress of its
// registration (registry.Source), where the mocks listen
// (schema/README.md); outside dev mode every registered source needs one
// (shared/gateway refuses to start without). Adding a backend therefore
// needs no edit here, and settings for a source a BFF does not register
// are ignored by that BFF.
//
// trustedProxies names the proxies and load balancers in front of the BFF
// (CIDRs or addresses): only a peer among them has its X-Forwarded-For
// believed, and then the rightmost address in it that is not a trusted
// proxy is the client's. Empty (the default), the client is the TCP peer.
//
// shutdown.drainDelay (default 5s; 0 in dev mode unless set) is how long
// /readyz fails before the listener closes on SIGTERM;
// shutdown.gracePeriod (default 10s) how long requests in flight then get.
//
// When args ask for help (-h, -help), Load returns flag.ErrHelp; FlagUsage
// is the text to print.
//
// The auth and throttle sections are kept as raw YAML (Section) and decoded
// by those packages themselves; they are set in the file only.
package config
