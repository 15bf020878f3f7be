# Tandem — common tasks. Every target needs only Go (and redis-server for the
# Redis-backed tests, which .ci/run installs).
GO        ?= go
PKGS      ?= ./...
GOTESTFLAGS ?= -race -count=1 -timeout 15m
GENERATED  = shared/gen bff-web/graph bff-mobile/graph bff-mobile/operations/manifest.json \
	tools/gqlgen/internal/difftest/stock tools/gqlgen/internal/difftest/rewritten

.PHONY: all run mocks test test-go test-node bench microbench soak lint vet staticcheck generate checkgenerate build token tidy deploy-check k8s-schemas

all: build

## build: compile every binary into ./bin
build:
	$(GO) build -o bin/ ./mocks/cmd/mocks ./bff-web/cmd/bff-web ./bff-mobile/cmd/bff-mobile

## run: start the mocks and both BFFs with working defaults; Ctrl-C stops all
run: build
	@./scripts/run.sh

## mocks: start only the mock backends (all services, admin on 127.0.0.1:9000)
mocks:
	$(GO) run ./mocks/cmd/mocks

## test: every test: the deployment manifests' validation, the Go tests with the
## race detector, then the Node client suite
test: deploy-check test-go test-node

test-go:
	$(GO) test $(GOTESTFLAGS) $(PKGS)

## test-node: Apollo Client 4, urql, Chromium and the graphql-http audit against
## both BFFs, which it builds and starts itself (needs Node 20+, npm, chromium)
test-node:
	cd clients && npm ci --no-audit --no-fund && npm test

## deploy-check: validate deploy/kubernetes strictly (unknown fields are errors)
## against the committed schemas of the pinned Kubernetes release; nothing is skipped
deploy-check:
	$(GO) tool kubeconform -strict -summary \
		-schema-location 'deploy/kubernetes/schemas/{{.ResourceKind}}{{.KindSuffix}}.json' \
		deploy/kubernetes/*.yaml

## k8s-schemas: regenerate deploy/kubernetes/schemas from Kubernetes' OpenAPI
## documents (the k8s.io/kubernetes module, fetched by go mod download)
k8s-schemas:
	$(GO) run ./deploy/internal/k8sschema -out deploy/kubernetes/schemas

## bench: the performance harness (a few minutes, stops by itself): bff-web and
## bff-mobile against a hand-written ceiling, table in bench/results/latest.md;
## BENCHFLAGS passes flags, e.g. BENCHFLAGS="-runs 3 -profile-dir /tmp/prof"
bench:
	$(GO) run ./bench/cmd/tandem-bench $(BENCHFLAGS)

## microbench: the go test micro-benchmarks of every package
microbench:
	$(GO) test -run '^$$' -bench . -benchmem -count=1 $(PKGS)

## soak: about two minutes of steady load on both BFFs with injected faults;
## checks every answer and that memory and goroutines stay flat (not part of test)
soak:
	$(GO) test -tags soak -run '^TestSoak$$' -count=1 -timeout 10m -v ./e2e/soak/

## lint: go vet and staticcheck (generated code is excluded by staticcheck's own rules)
lint: vet staticcheck

vet:
	$(GO) vet $(PKGS)

staticcheck:
	$(GO) tool staticcheck $(PKGS)

## generate: protobuf (buf), the REST contracts' Go types (oapi-codegen, one
## package per service under shared/gen/openapi), GraphQL (gqlgen) code,
## bff-mobile's trusted documents manifest, and the executor rewrite's test
## schema twice (gqlgen alone, then tools/gqlgen); committed, never edited by hand
generate:
	$(GO) tool buf generate
	$(GO) run ./tools/openapigen
	cd bff-web && $(GO) run ../tools/gqlgen -config gqlgen.yml
	cd bff-mobile && $(GO) run ../tools/gqlgen -config gqlgen.yml
	cd tools/gqlgen/internal/difftest && $(GO) run ./stockgen -config stock.yml && \
		$(GO) run ../.. -connectors=false -config rewritten.yml
	$(GO) run ./tools/manifest -schema 'schema/graphql/common/*.graphqls' -schema 'schema/graphql/mobile/*.graphqls' \
		-operations bff-mobile/operations -out bff-mobile/operations/manifest.json

## checkgenerate: fail when generated code is stale
checkgenerate: generate
	@git diff --exit-code -- $(GENERATED) || \
		(echo "generated code is stale: run 'make generate' and commit the result" && exit 1)
	@test -z "$$(git status --porcelain -- $(GENERATED))" || \
		(echo "generate produced untracked files:" && git status --porcelain -- $(GENERATED) && exit 1)

## token: mint a token at the mock identity provider, e.g. make token SUB=usr_000042 SCOPES="orders:read orders:write"
token:
	@$(GO) run ./mocks/idp/cmd/token -sub $(or $(SUB),usr_000001) -scopes "$(SCOPES)"

tidy:
	$(GO) mod tidy
