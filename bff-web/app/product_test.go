package app_test

import (
	"testing"
)

// productPageQuery is the web product page: everything the page renders
// in one request.
const productPageQuery = `query ProductPage($id: ID!, $reviews: Int = 5, $after: String) {
  product(id: $id) {
    id
    sku
    name
    brand
    description
    tags
    createdAt
    category { id name parent { id name } }
    images { url width height alt }
    price {
      current { amountMinor currency formatted }
      list { amountMinor currency formatted }
      discountPercent
      discountLabel
      onSale
    }
    stock {
      available
      inStock
      warehouse
      deliveryEstimate { minDays maxDays }
    }
    ratingSummary {
      average
      count
      histogram { stars count }
    }
    reviews(first: $reviews, after: $after) {
      nodes { id rating title body createdAt }
      pageInfo { endCursor hasNextPage }
    }
  }
}`

func TestProductPage(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do(gql{query: productPageQuery, vars: map[string]any{"id": "prd_000042"}})
	r.NoErrors(t)
	var data struct {
		Product struct {
			ID     string
			Images []struct{ Width int }
			Price  *struct {
				Current struct{ Formatted string }
			}
			Stock         *struct{ Available int }
			RatingSummary *struct {
				Count     int
				Histogram []struct{ Stars, Count int }
			}
			Reviews *struct {
				Nodes    []struct{ ID string }
				PageInfo struct {
					EndCursor   *string
					HasNextPage bool
				}
			}
		}
	}
	r.Decode(t, &data)
	p := data.Product
	if p.ID != "prd_000042" || len(p.Images) < 4 || p.Price == nil || p.Stock == nil || p.RatingSummary == nil || p.Reviews == nil {
		t.Fatalf("incomplete product page: %s", r.Raw)
	}
	if len(p.RatingSummary.Histogram) != 5 || p.RatingSummary.Histogram[4].Stars != 5 {
		t.Fatalf("histogram: %+v", p.RatingSummary.Histogram)
	}
	sum := 0
	for _, b := range p.RatingSummary.Histogram {
		sum += b.Count
	}
	if sum != p.RatingSummary.Count {
		t.Fatalf("histogram sums to %d, count is %d", sum, p.RatingSummary.Count)
	}
	golden(t, "product_page.json", r.Data)

	// The next page of reviews continues after the first.
	if p.Reviews.PageInfo.HasNextPage {
		r2 := e.do(gql{query: productPageQuery, vars: map[string]any{"id": "prd_000042", "after": *p.Reviews.PageInfo.EndCursor}})
		r2.NoErrors(t)
		var next struct {
			Product struct {
				Reviews struct{ Nodes []struct{ ID string } }
			}
		}
		r2.Decode(t, &next)
		if len(next.Product.Reviews.Nodes) == 0 || next.Product.Reviews.Nodes[0].ID == p.Reviews.Nodes[0].ID {
			t.Fatalf("second page does not continue the first: %s", r2.Raw)
		}
	}
}
