package pricing

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/mocks/internal/service"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
)

// Name is the service name of schema/README.md.
const Name = "pricing"

// MaxBatch is the most product ids one BatchGetPrices call may ask for.
const MaxBatch = 500

// Spec describes the service to the cluster.
func Spec() service.Spec {
	return service.Spec{Name: Name, Kind: service.GRPC, DefaultAddr: "127.0.0.1:9202", Register: register}
}

func register(env service.Env, s grpc.ServiceRegistrar) {
	pricingv1.RegisterPricingServiceServer(s, &server{d: env.Data})
}

type server struct {
	pricingv1.UnimplementedPricingServiceServer
	d *data.Set
}

var _ pricingv1.PricingServiceServer = (*server)(nil)

func (s *server) price(n int, currency string) (*pricingv1.Price, error) {
	p, err := s.d.Price(n, currency)
	if err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "unsupported currency; supported: %v", data.Currencies())
	}
	out := &pricingv1.Price{
		ProductId:       p.ProductID,
		Currency:        p.Currency,
		AmountMinor:     p.AmountMinor,
		ListAmountMinor: p.ListAmountMinor,
	}
	if p.DiscountPercent > 0 {
		out.Discount = &pricingv1.Discount{Percent: int32(p.DiscountPercent), Label: p.DiscountLabel}
	}
	return out, nil
}

// GetPrice answers the price of one product: INVALID_ARGUMENT for a
// malformed id or an unsupported currency, NOT_FOUND for an unknown product.
func (s *server) GetPrice(_ context.Context, req *pricingv1.GetPriceRequest) (*pricingv1.GetPriceResponse, error) {
	n, ok := data.ParseProductID(req.GetProductId())
	if !ok {
		return nil, status.Error(codes.InvalidArgument, "malformed product_id")
	}
	if s.d.Product(n) == nil {
		return nil, status.Errorf(codes.NotFound, "no product %s", req.GetProductId())
	}
	p, err := s.price(n, req.GetCurrency())
	if err != nil {
		return nil, err
	}
	return &pricingv1.GetPriceResponse{Price: p}, nil
}

// BatchGetPrices answers the price of every known product in request order
// (duplicates once) and lists the unknown ones. A malformed id, an
// unsupported currency, an empty request or more than MaxBatch ids is
// INVALID_ARGUMENT.
func (s *server) BatchGetPrices(_ context.Context, req *pricingv1.BatchGetPricesRequest) (*pricingv1.BatchGetPricesResponse, error) {
	ids := req.GetProductIds()
	if len(ids) == 0 {
		return nil, status.Error(codes.InvalidArgument, "product_ids must list at least one id")
	}
	if _, err := s.d.Price(1, req.GetCurrency()); err != nil {
		return nil, status.Errorf(codes.InvalidArgument, "unsupported currency; supported: %v", data.Currencies())
	}
	resp := &pricingv1.BatchGetPricesResponse{}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if len(seen) > MaxBatch {
			return nil, status.Errorf(codes.InvalidArgument, "at most %d product ids per call", MaxBatch)
		}
		n, ok := data.ParseProductID(id)
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "malformed product id at index %d", len(seen)-1)
		}
		if s.d.Product(n) == nil {
			resp.MissingProductIds = append(resp.MissingProductIds, id)
			continue
		}
		p, err := s.price(n, req.GetCurrency())
		if err != nil {
			return nil, err
		}
		resp.Prices = append(resp.Prices, p)
	}
	return resp, nil
}
