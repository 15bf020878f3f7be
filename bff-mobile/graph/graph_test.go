package graph

import (
	"strings"
	"testing"

	"github.com/tandemgw/tandem/bff-mobile/graph/model"
	"github.com/tandemgw/tandem/shared/errcode"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/upstream"
)

func TestToOrderCard(t *testing.T) {
	o := &orders.Order{
		ID: "ord_000001", Status: "shipped",
		Lines: []orders.OrderLine{{ProductID: "prd_000002", Quantity: 2}, {ProductID: "prd_000003", Quantity: 3}},
		Total: orders.Money{AmountMinor: 1234, Currency: "EUR"},
	}
	c, err := toOrderCard(o)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != model.OrderStatusShipped || c.ItemCount != 5 || c.FirstProductID != "prd_000002" || c.TotalMinor != 1234 {
		t.Fatalf("card %+v", c)
	}
	o.Status = "lost"
	_, err = toOrderCard(o)
	if upstream.CodeOf(err) != errcode.UpstreamError || strings.Contains(err.Error(), "lost") {
		t.Fatalf("unknown status: %v (must be an orders contract error that hides the value)", err)
	}
}
