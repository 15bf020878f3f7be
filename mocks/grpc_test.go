package mocks_test

import (
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/tandemgw/tandem/mocks/data"
	inventoryv1 "github.com/tandemgw/tandem/shared/gen/inventory/v1"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
)

func TestInventoryBatchAndSingleAgree(t *testing.T) {
	c := startCluster(t)
	inv := inventoryClient(t, c)
	skus := []string{"SKU-000042", "SKU-999999", "SKU-000001", "SKU-000042", "SKU-005000"}
	b, err := inv.BatchGetStock(t.Context(), &inventoryv1.BatchGetStockRequest{Skus: skus})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"SKU-000042", "SKU-000001", "SKU-005000"}
	if len(b.GetStocks()) != len(want) || len(b.GetMissingSkus()) != 1 || b.GetMissingSkus()[0] != "SKU-999999" {
		t.Fatalf("batch: %v", b)
	}
	outOfStock := 0
	for i, sku := range want {
		one, err := inv.GetStock(t.Context(), &inventoryv1.GetStockRequest{Sku: sku})
		if err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(one.GetStock(), b.GetStocks()[i]) || one.GetStock().GetSku() != sku {
			t.Fatalf("%s: single %v, batch %v", sku, one.GetStock(), b.GetStocks()[i])
		}
	}
	// Some products are out of stock.
	all := make([]string, 500)
	for i := range all {
		all[i] = data.SKU(i + 1)
	}
	big, err := inv.BatchGetStock(t.Context(), &inventoryv1.BatchGetStockRequest{Skus: all})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range big.GetStocks() {
		if s.GetAvailable() == 0 {
			outOfStock++
		}
		if s.GetDeliveryEstimate().GetMinDays() > s.GetDeliveryEstimate().GetMaxDays() {
			t.Fatalf("%s: bad delivery estimate", s.GetSku())
		}
	}
	if outOfStock == 0 || outOfStock == len(all) {
		t.Fatalf("%d of %d out of stock", outOfStock, len(all))
	}
}

func TestPricingBatchAndSingleAgree(t *testing.T) {
	c := startCluster(t)
	pc := pricingClient(t, c)
	ids := []string{"prd_000042", "prd_000000", "prd_000001", "prd_004321"}
	for _, cur := range []string{"", "EUR", "GBP"} {
		b, err := pc.BatchGetPrices(t.Context(), &pricingv1.BatchGetPricesRequest{ProductIds: ids, Currency: cur})
		if err != nil {
			t.Fatal(err)
		}
		if len(b.GetPrices()) != 3 || len(b.GetMissingProductIds()) != 1 || b.GetMissingProductIds()[0] != "prd_000000" {
			t.Fatalf("batch: %v", b)
		}
		for i, id := range []string{"prd_000042", "prd_000001", "prd_004321"} {
			one, err := pc.GetPrice(t.Context(), &pricingv1.GetPriceRequest{ProductId: id, Currency: cur})
			if err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(one.GetPrice(), b.GetPrices()[i]) {
				t.Fatalf("%s %q: single %v, batch %v", id, cur, one.GetPrice(), b.GetPrices()[i])
			}
			p := one.GetPrice()
			if p.GetAmountMinor() > p.GetListAmountMinor() || (p.GetDiscount() == nil) != (p.GetAmountMinor() == p.GetListAmountMinor()) {
				t.Fatalf("%s: inconsistent discount %v", id, p)
			}
			if cur == "" && p.GetCurrency() != "EUR" {
				t.Fatalf("default currency %s", p.GetCurrency())
			}
		}
	}
	// Some products are discounted.
	all := make([]string, 500)
	for i := range all {
		all[i] = data.ProductID(i + 1)
	}
	big, err := pc.BatchGetPrices(t.Context(), &pricingv1.BatchGetPricesRequest{ProductIds: all})
	if err != nil {
		t.Fatal(err)
	}
	discounted := 0
	for _, p := range big.GetPrices() {
		if p.GetDiscount() != nil {
			discounted++
		}
	}
	if discounted == 0 || discounted == len(all) {
		t.Fatalf("%d of %d discounted", discounted, len(all))
	}
}

func TestGRPCBadInput(t *testing.T) {
	c := startCluster(t)
	inv, pc := inventoryClient(t, c), pricingClient(t, c)
	ctx := t.Context()
	tooMany := make([]string, 501)
	for i := range tooMany {
		tooMany[i] = data.SKU(i + 1)
	}
	for _, tc := range []struct {
		name string
		call func() error
		want codes.Code
	}{
		{"malformed sku", func() error { _, err := inv.GetStock(ctx, &inventoryv1.GetStockRequest{Sku: "sku-1"}); return err }, codes.InvalidArgument},
		{"empty sku", func() error { _, err := inv.GetStock(ctx, &inventoryv1.GetStockRequest{}); return err }, codes.InvalidArgument},
		{"unknown sku", func() error { _, err := inv.GetStock(ctx, &inventoryv1.GetStockRequest{Sku: "SKU-999999"}); return err }, codes.NotFound},
		{"empty batch", func() error { _, err := inv.BatchGetStock(ctx, &inventoryv1.BatchGetStockRequest{}); return err }, codes.InvalidArgument},
		{"malformed in batch", func() error {
			_, err := inv.BatchGetStock(ctx, &inventoryv1.BatchGetStockRequest{Skus: []string{"SKU-000001", "x"}})
			return err
		}, codes.InvalidArgument},
		{"too many skus", func() error {
			_, err := inv.BatchGetStock(ctx, &inventoryv1.BatchGetStockRequest{Skus: tooMany})
			return err
		}, codes.InvalidArgument},
		{"malformed product", func() error { _, err := pc.GetPrice(ctx, &pricingv1.GetPriceRequest{ProductId: "42"}); return err }, codes.InvalidArgument},
		{"unknown product", func() error {
			_, err := pc.GetPrice(ctx, &pricingv1.GetPriceRequest{ProductId: "prd_999999"})
			return err
		}, codes.NotFound},
		{"bad currency", func() error {
			_, err := pc.GetPrice(ctx, &pricingv1.GetPriceRequest{ProductId: "prd_000001", Currency: "XYZ"})
			return err
		}, codes.InvalidArgument},
		{"bad batch currency", func() error {
			_, err := pc.BatchGetPrices(ctx, &pricingv1.BatchGetPricesRequest{ProductIds: []string{"prd_000001"}, Currency: "eur"})
			return err
		}, codes.InvalidArgument},
		{"empty price batch", func() error { _, err := pc.BatchGetPrices(ctx, &pricingv1.BatchGetPricesRequest{}); return err }, codes.InvalidArgument},
	} {
		if got := status.Code(tc.call()); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
	// An unknown method is counted as unmatched.
	err := dial(t, c.Addr("pricing")).Invoke(ctx, "/tandem.pricing.v1.PricingService/Nope", &pricingv1.GetPriceRequest{}, &pricingv1.GetPriceResponse{})
	if status.Code(err) != codes.Unimplemented {
		t.Fatalf("unknown method: %v", err)
	}
	if n := c.Counters().Get("pricing", "UNMATCHED"); n != 1 {
		t.Fatalf("unmatched counted %d", n)
	}
	if n := c.Counters().Get("inventory", inventoryv1.InventoryService_GetStock_FullMethodName); n != 3 {
		t.Fatalf("GetStock counted %d, want 3", n)
	}
}
