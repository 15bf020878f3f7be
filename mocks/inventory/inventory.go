package inventory

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/mocks/internal/service"
	inventoryv1 "github.com/tandemgw/tandem/shared/gen/inventory/v1"
)

// Name is the service name of schema/README.md.
const Name = "inventory"

// MaxBatch is the most SKUs one BatchGetStock call may ask for.
const MaxBatch = 500

// Spec describes the service to the cluster.
func Spec() service.Spec {
	return service.Spec{Name: Name, Kind: service.GRPC, DefaultAddr: "127.0.0.1:9201", Register: register}
}

func register(env service.Env, s grpc.ServiceRegistrar) {
	inventoryv1.RegisterInventoryServiceServer(s, &server{d: env.Data})
}

type server struct {
	inventoryv1.UnimplementedInventoryServiceServer
	d *data.Set
}

var _ inventoryv1.InventoryServiceServer = (*server)(nil)

func (s *server) stock(n int) *inventoryv1.Stock {
	st := s.d.Stock(n)
	return &inventoryv1.Stock{
		Sku:              st.SKU,
		Available:        int32(st.Available),
		Warehouse:        st.Warehouse,
		DeliveryEstimate: &inventoryv1.DeliveryEstimate{MinDays: int32(st.DeliveryMinDays), MaxDays: int32(st.DeliveryMaxDays)},
	}
}

// GetStock answers the stock of one SKU: INVALID_ARGUMENT for a malformed
// SKU, NOT_FOUND for an unknown one.
func (s *server) GetStock(_ context.Context, req *inventoryv1.GetStockRequest) (*inventoryv1.GetStockResponse, error) {
	n, ok := data.ParseSKU(req.GetSku())
	if !ok {
		return nil, status.Error(codes.InvalidArgument, "malformed sku")
	}
	if s.d.Product(n) == nil {
		return nil, status.Errorf(codes.NotFound, "no sku %s", req.GetSku())
	}
	return &inventoryv1.GetStockResponse{Stock: s.stock(n)}, nil
}

// BatchGetStock answers the stock of every known SKU in request order
// (duplicates once) and lists the unknown ones. Any malformed SKU, an empty
// request or more than MaxBatch SKUs is INVALID_ARGUMENT.
func (s *server) BatchGetStock(_ context.Context, req *inventoryv1.BatchGetStockRequest) (*inventoryv1.BatchGetStockResponse, error) {
	skus := req.GetSkus()
	if len(skus) == 0 {
		return nil, status.Error(codes.InvalidArgument, "skus must list at least one sku")
	}
	resp := &inventoryv1.BatchGetStockResponse{}
	seen := make(map[string]bool, len(skus))
	for _, sku := range skus {
		if seen[sku] {
			continue
		}
		seen[sku] = true
		if len(seen) > MaxBatch {
			return nil, status.Errorf(codes.InvalidArgument, "at most %d skus per call", MaxBatch)
		}
		n, ok := data.ParseSKU(sku)
		if !ok {
			return nil, status.Errorf(codes.InvalidArgument, "malformed sku at index %d", len(seen)-1)
		}
		if s.d.Product(n) == nil {
			resp.MissingSkus = append(resp.MissingSkus, sku)
			continue
		}
		resp.Stocks = append(resp.Stocks, s.stock(n))
	}
	return resp, nil
}
