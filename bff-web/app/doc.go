// Package app assembles bff-web: configuration (defaults, optional YAML
// file, environment, flags), the source registry with the backends the web
// surface uses, the startup checks, and the HTTP server with its middleware
// chain. cmd/bff-web only loads the configuration and calls New and Run;
// tests build the same application through New against in-process mocks.
package app
