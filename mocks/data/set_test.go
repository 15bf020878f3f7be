package data

import (
	"crypto/sha256"
	"encoding/json"
	"testing"
	"time"

	"github.com/tandemgw/tandem/shared/gen/openapi/accountsapi"
)

func fingerprint(t *testing.T, s *Set) [32]byte {
	t.Helper()
	h := sha256.New()
	enc := json.NewEncoder(h)
	for _, v := range []any{s.Categories, s.Products, s.Users, s.Addresses, s.Orders, s.Reviews, s.OrdersByUser, s.ReviewsByProduct, s.Summaries} {
		if err := enc.Encode(v); err != nil {
			t.Fatal(err)
		}
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := generate(), generate()
	if fingerprint(t, a) != fingerprint(t, b) {
		t.Fatal("two generations differ")
	}
	if first, second := Load(), Load(); first != second {
		t.Fatal("Load must return the shared set")
	}
}

func TestGenerateIsFast(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	start := time.Now()
	generate()
	// well under a second without the race detector; the race detector
	// slows allocation-heavy code by up to ~10x, so allow for it.
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("generation took %v", d)
	}
}

func TestSizesAndShapes(t *testing.T) {
	s := Load()
	if len(s.Categories) != NumCategories || len(s.Products) != NumProducts || len(s.Users) != NumUsers ||
		len(s.Orders) != NumOrders || len(s.Reviews) != NumReviews {
		t.Fatal("unexpected sizes")
	}
	locales := map[accountsapi.UserLocale]int{}
	for i, u := range s.Users {
		locales[u.Locale]++
		if n := len(s.Addresses[i]); n < 1 || n > 3 {
			t.Fatalf("user %s has %d addresses", u.ID, n)
		}
		if u.DefaultAddressID != s.Addresses[i][0].ID {
			t.Fatalf("user %s default address", u.ID)
		}
	}
	if len(locales) != 4 {
		t.Fatalf("locales: %v", locales)
	}
	discounted, outOfStock := 0, 0
	for i, p := range s.Products {
		if len(p.Images) < len(ImageWidths) || len(p.Tags) < 2 || len(p.Description) < 300 {
			t.Fatalf("product %s is too thin: %d images, %d tags, %d chars", p.ID, len(p.Images), len(p.Tags), len(p.Description))
		}
		pr, err := s.Price(i+1, "")
		if err != nil || pr.Currency != BaseCurrency || pr.AmountMinor > pr.ListAmountMinor {
			t.Fatalf("price of %s: %+v %v", p.ID, pr, err)
		}
		if pr.DiscountPercent > 0 {
			discounted++
			if pr.AmountMinor == pr.ListAmountMinor || pr.DiscountLabel == "" {
				t.Fatalf("discount of %s not applied: %+v", p.ID, pr)
			}
		}
		if s.Stock(i+1).Available == 0 {
			outOfStock++
		}
	}
	if discounted < NumProducts/20 || discounted > NumProducts/4 {
		t.Fatalf("%d discounted products", discounted)
	}
	if outOfStock < NumProducts/30 || outOfStock > NumProducts/5 {
		t.Fatalf("%d out-of-stock products", outOfStock)
	}
	if _, err := s.Price(1, "XXX"); err != ErrUnknownCurrency {
		t.Fatalf("unknown currency: %v", err)
	}
}

// An order line's unit price is what pricing answers in the order currency.
func TestOrderPricesAgreeWithPricing(t *testing.T) {
	s := Load()
	for _, o := range s.Orders {
		var total int64
		if n := len(o.Lines); n < 1 || n > 6 {
			t.Fatalf("order %s has %d lines", o.ID, n)
		}
		for _, l := range o.Lines {
			n, _ := ParseProductID(l.ProductID)
			p, err := s.Price(n, l.UnitPrice.Currency)
			if err != nil || p.AmountMinor != l.UnitPrice.AmountMinor {
				t.Fatalf("order %s line %s: %d vs pricing %d", o.ID, l.ProductID, l.UnitPrice.AmountMinor, p.AmountMinor)
			}
			total += l.UnitPrice.AmountMinor * int64(l.Quantity)
		}
		if total != o.Total.AmountMinor {
			t.Fatalf("order %s total", o.ID)
		}
	}
}

func TestParseIDs(t *testing.T) {
	for _, tc := range []struct {
		id   string
		ok   bool
		n    int
		fn   func(string) (int, bool)
		name string
	}{
		{"prd_000042", true, 42, ParseProductID, "product"},
		{"prd_42", false, 0, ParseProductID, "short"},
		{"prd_00004x", false, 0, ParseProductID, "letter"},
		{"usr_000042", true, 42, ParseUserID, "user"},
		{"cat_07", true, 7, ParseCategoryID, "category"},
		{"cat_007", false, 0, ParseCategoryID, "long"},
		{"SKU-000042", true, 42, ParseSKU, "sku"},
		{"ord_030000", true, 30000, ParseOrderID, "order"},
		{"rev_000001", true, 1, ParseReviewID, "review"},
		{"", false, 0, ParseReviewID, "empty"},
	} {
		n, ok := tc.fn(tc.id)
		if ok != tc.ok || (ok && n != tc.n) {
			t.Errorf("%s: %q -> %d %v", tc.name, tc.id, n, ok)
		}
	}
	if u, k, ok := ParseAddressID("adr_000042_3"); !ok || u != 42 || k != 3 {
		t.Errorf("address: %d %d %v", u, k, ok)
	}
	for _, bad := range []string{"adr_000042", "adr_42_1", "adr_000042_12", "usr_000042_1"} {
		if _, _, ok := ParseAddressID(bad); ok {
			t.Errorf("address %q accepted", bad)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		generate()
	}
}
