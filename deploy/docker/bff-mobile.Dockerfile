# bff-mobile: a static binary on a distroless base, running as a non-root user.
# Build from the repository root:
#   docker build -f deploy/docker/bff-mobile.Dockerfile -t tandem/bff-mobile .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY shared ./shared
COPY bff-mobile ./bff-mobile
# CGO off and no libc: the binary runs on a base image without one.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/bff-mobile ./bff-mobile/cmd/bff-mobile

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/bff-mobile /usr/local/bin/bff-mobile
# In a container the listeners bind every interface: the public port is
# published through the Service; the admin port (/metrics, /debug/pprof/)
# is for the Prometheus scrape inside the cluster only.
ENV TANDEM_MOBILE_ADDR=:8081 \
    TANDEM_MOBILE_ADMIN_ADDR=:8091
EXPOSE 8081 8091
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/bff-mobile"]
