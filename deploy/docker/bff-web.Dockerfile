# bff-web: a static binary on a distroless base, running as a non-root user.
# Build from the repository root:
#   docker build -f deploy/docker/bff-web.Dockerfile -t tandem/bff-web .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY shared ./shared
COPY bff-web ./bff-web
# CGO off and no libc: the binary runs on a base image without one.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/bff-web ./bff-web/cmd/bff-web

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bff-web /usr/local/bin/bff-web
# In a container the listeners bind every interface: the public port is
# published through the Service; the admin port (/metrics, /debug/pprof/)
# is for the Prometheus scrape inside the cluster only.
ENV TANDEM_WEB_ADDR=:8080 \
    TANDEM_WEB_ADMIN_ADDR=:8090
EXPOSE 8080 8090
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/bff-web"]
