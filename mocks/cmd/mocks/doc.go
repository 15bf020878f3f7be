// Command mocks runs every mock backend in one process on fixed loopback
// ports (schema/README.md), the admin API on 127.0.0.1:9000 and the mock
// identity provider on 127.0.0.1:9100, until SIGINT or SIGTERM.
//
// Every address can be changed by a flag or an environment variable:
//
//	-admin-addr     MOCKS_ADMIN_ADDR      (default 127.0.0.1:9000)
//	-idp-addr       MOCKS_IDP_ADDR        (default 127.0.0.1:9100)
//	-<service>-addr MOCKS_<SERVICE>_ADDR  e.g. -catalog-addr, MOCKS_CATALOG_ADDR
//	-idp-issuer     MOCKS_IDP_ISSUER      (default http://<idp-addr>; the URL
//	                                       the BFFs reach the provider by)
//
// A flag wins over the environment; port 0 picks a free port.
package main
