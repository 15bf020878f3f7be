# mocks: the fake backends and identity provider, for one-machine trials
# (docker-compose) and test clusters; never for production.
# Build from the repository root:
#   docker build -f deploy/docker/mocks.Dockerfile -t tandem/mocks .
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY shared ./shared
COPY mocks ./mocks
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o /out/mocks ./mocks/cmd/mocks

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/mocks /usr/local/bin/mocks
# Every service binds all interfaces so that the BFF containers reach it.
ENV MOCKS_ADMIN_ADDR=:9000 \
    MOCKS_IDP_ADDR=:9100 \
    MOCKS_ACCOUNTS_ADDR=:9101 \
    MOCKS_CATALOG_ADDR=:9102 \
    MOCKS_ORDERS_ADDR=:9103 \
    MOCKS_REVIEWS_ADDR=:9104 \
    MOCKS_RECOMMENDATIONS_ADDR=:9105 \
    MOCKS_WISHLISTS_ADDR=:9106 \
    MOCKS_INVENTORY_ADDR=:9201 \
    MOCKS_PRICING_ADDR=:9202 \
    MOCKS_SHIPPING_ADDR=:9203
EXPOSE 9000 9100 9101 9102 9103 9104 9105 9106 9201 9202 9203
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/mocks"]
