package shipping

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/mocks/internal/service"
	shippingv1 "github.com/tandemgw/tandem/shared/gen/shipping/v1"
)

// Name is the service name of schema/README.md.
const Name = "shipping"

// MaxBatch is the most SKUs one BatchGetQuotes call may list.
const MaxBatch = 500

// Spec describes the service to the cluster.
func Spec() service.Spec {
	return service.Spec{Name: Name, Kind: service.GRPC, DefaultAddr: "127.0.0.1:9203", Register: register}
}

func register(env service.Env, s grpc.ServiceRegistrar) {
	shippingv1.RegisterShippingServiceServer(s, &server{d: env.Data})
}

type server struct {
	shippingv1.UnimplementedShippingServiceServer
	d *data.Set
}

var _ shippingv1.ShippingServiceServer = (*server)(nil)

// checkCountry rejects a destination the shop does not deliver to, naming
// the ones it does.
func checkCountry(country string) error {
	if country == "" {
		return status.Error(codes.InvalidArgument, "country is required")
	}
	if !data.ShipsTo(country) {
		return status.Errorf(codes.InvalidArgument, "unsupported country; supported: %v", data.ShippingCountries())
	}
	return nil
}

// quote is the contract's form of the quote for product n to country,
// which checkCountry has accepted.
func (s *server) quote(n int, country string) (*shippingv1.Quote, error) {
	q, err := s.d.ShippingQuote(n, country)
	if err != nil {
		return nil, checkCountry(country)
	}
	return &shippingv1.Quote{
		Sku:         q.SKU,
		Country:     q.Country,
		Carrier:     q.Carrier,
		AmountMinor: q.AmountMinor,
		Currency:    q.Currency,
		MinDays:     int32(q.MinDays),
		MaxDays:     int32(q.MaxDays),
	}, nil
}

// GetQuote answers the quote for one SKU: INVALID_ARGUMENT for a malformed
// SKU or an unsupported country, NOT_FOUND for an unknown SKU.
func (s *server) GetQuote(_ context.Context, req *shippingv1.GetQuoteRequest) (*shippingv1.GetQuoteResponse, error) {
	n, ok := data.ParseSKU(req.GetSku())
	if !ok {
		return nil, status.Error(codes.InvalidArgument, "malformed sku")
	}
	if err := checkCountry(req.GetCountry()); err != nil {
		return nil, err
	}
	if s.d.Product(n) == nil {
		return nil, status.Errorf(codes.NotFound, "no sku %s", req.GetSku())
	}
	q, err := s.quote(n, req.GetCountry())
	if err != nil {
		return nil, err
	}
	return &shippingv1.GetQuoteResponse{Quote: q}, nil
}

// BatchGetQuotes answers the quote of every known SKU in request order
// (duplicates once) and lists the unknown ones. An empty request, more than
// MaxBatch SKUs, a malformed SKU or an unsupported country is
// INVALID_ARGUMENT.
func (s *server) BatchGetQuotes(_ context.Context, req *shippingv1.BatchGetQuotesRequest) (*shippingv1.BatchGetQuotesResponse, error) {
	skus := req.GetSkus()
	switch {
	case len(skus) == 0:
		return nil, status.Error(codes.InvalidArgument, "skus must list at least one sku")
	case len(skus) > MaxBatch:
		return nil, status.Errorf(codes.InvalidArgument, "skus lists %d skus; at most %d are allowed", len(skus), MaxBatch)
	}
	if err := checkCountry(req.GetCountry()); err != nil {
		return nil, err
	}
	nums := make([]int, len(skus))
	for i, sku := range skus {
		n, ok := data.ParseSKU(sku)
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "malformed sku at index %d", i)
		}
		nums[i] = n
	}
	resp := &shippingv1.BatchGetQuotesResponse{}
	seen := make(map[int]bool, len(skus))
	for i, n := range nums {
		if seen[n] {
			continue
		}
		seen[n] = true
		if s.d.Product(n) == nil {
			resp.MissingSkus = append(resp.MissingSkus, skus[i])
			continue
		}
		q, err := s.quote(n, req.GetCountry())
		if err != nil {
			return nil, err
		}
		resp.Quotes = append(resp.Quotes, q)
	}
	return resp, nil
}
