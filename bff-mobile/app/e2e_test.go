package app_test

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tandemgw/tandem/shared/market"

	"github.com/tandemgw/tandem/bff-mobile/internal/shape"
	"github.com/tandemgw/tandem/mocks/data"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// ProductDetailQuery is the mobile product screen: everything it shows in
// one round trip.
const productDetailQuery = `query ProductDetail($id: ID!, $width: Int!) {
  product(id: $id) {
    id
    name
    brand
    imageUrl(width: $width)
    price
    inStock
    summary
    rating { average count }
    topReviews { id rating title excerpt authorName createdAt }
  }
}`

// detailProduct picks a product the detail screen shows fully: at least
// three reviews and a description long enough to be cut.
func detailProduct(t *testing.T) int {
	d := data.Load()
	for n := 1; n <= data.NumProducts; n++ {
		p := d.Product(n)
		if len(d.ReviewsByProduct[n-1]) >= 3 && utf8.RuneCountInString(p.Description) > shape.SummaryRunes {
			return n
		}
	}
	t.Fatal("no product with three reviews and a long description in the data set")
	return 0
}

type productDetail struct {
	Product *struct {
		ID       string  `json:"id"`
		Name     string  `json:"name"`
		Brand    string  `json:"brand"`
		ImageURL *string `json:"imageUrl"`
		Price    *string `json:"price"`
		InStock  *bool   `json:"inStock"`
		Summary  string  `json:"summary"`
		Rating   *struct {
			Average float64 `json:"average"`
			Count   int     `json:"count"`
		} `json:"rating"`
		TopReviews []struct {
			ID         string  `json:"id"`
			Rating     int     `json:"rating"`
			Title      string  `json:"title"`
			Excerpt    string  `json:"excerpt"`
			AuthorName *string `json:"authorName"`
			CreatedAt  string  `json:"createdAt"`
		} `json:"topReviews"`
	} `json:"product"`
}

func TestProductDetail(t *testing.T) {
	e := newEnv(t, nil)
	d := data.Load()
	n := detailProduct(t)
	want := d.Product(n)

	r := e.do(req{query: productDetailQuery, vars: map[string]any{"id": want.ID, "width": 500}, acceptLanguage: "de-DE,de;q=0.9,en;q=0.5"})
	r.NoErrors(t)
	var got productDetail
	r.Decode(t, &got)
	p := got.Product
	if p == nil || p.ID != want.ID || p.Name != want.Name || p.Brand != want.Brand {
		t.Fatalf("product: %s", r.Data)
	}

	// One image: the smallest at least 500 px wide is the 800 px one (of
	// the first view, when a product is pictured from several sides).
	url800 := imageOfWidth(want, 800)
	if p.ImageURL == nil || *p.ImageURL != url800 {
		t.Errorf("imageUrl(width: 500) = %v, want the 800 px image %q", p.ImageURL, url800)
	}

	// Price in the Accept-Language locale (anonymous caller).
	price, err := d.Price(n, "")
	if err != nil {
		t.Fatal(err)
	}
	wantPrice := market.Resolve("de-DE", "").Format(price.AmountMinor, price.Currency)
	if p.Price == nil || *p.Price != wantPrice || !regexp.MustCompile(`^\d{1,3}(\.\d{3})*,\d{2}\x{00a0}€$`).MatchString(*p.Price) {
		t.Errorf("price = %v, want %q (de-DE format, as bff-web writes it)", p.Price, wantPrice)
	}

	if wantStock := d.Stock(n).Available > 0; p.InStock == nil || *p.InStock != wantStock {
		t.Errorf("inStock = %v, want %v", p.InStock, wantStock)
	}

	if utf8.RuneCountInString(p.Summary) > shape.SummaryRunes || !strings.HasSuffix(p.Summary, shape.Ellipsis) ||
		!strings.HasPrefix(want.Description, strings.TrimSuffix(p.Summary, shape.Ellipsis)) {
		t.Errorf("summary %q is not a cut of the description", p.Summary)
	}

	sum := d.Summaries[n-1]
	if p.Rating == nil || p.Rating.Count != sum.Count || p.Rating.Average != sum.Average {
		t.Errorf("rating = %+v, want %v/%d", p.Rating, sum.Average, sum.Count)
	}

	if len(p.TopReviews) != 3 {
		t.Fatalf("topReviews: %d, want 3", len(p.TopReviews))
	}
	for i, rv := range p.TopReviews {
		w := d.Review(d.ReviewsByProduct[n-1][i])
		if rv.ID != w.ID || rv.Rating != w.Rating || rv.Title != w.Title {
			t.Errorf("review %d = %+v, want %s (newest first)", i, rv, w.ID)
		}
		if rv.Excerpt != shape.Summarize(w.Body, shape.ExcerptRunes) {
			t.Errorf("review %d excerpt %q", i, rv.Excerpt)
		}
		uid, _ := data.ParseUserID(w.UserID)
		if wantName := shape.DisplayName(d.User(uid).Name); rv.AuthorName == nil || *rv.AuthorName != wantName {
			t.Errorf("review %d author %v, want %q", i, rv.AuthorName, wantName)
		}
	}

	// One call per backend: the three review authors come in one accounts
	// batch; reviews answers the summary and the first page.
	calls := e.Calls("catalog", "pricing", "inventory", "reviews", "accounts", "orders")
	wantCalls := map[string]int64{"catalog": 1, "pricing": 1, "inventory": 1, "reviews": 2, "accounts": 1, "orders": 0}
	if fmt.Sprint(calls) != fmt.Sprint(wantCalls) {
		t.Errorf("backend calls = %v, want %v", calls, wantCalls)
	}

	golden(t, "product_detail.json", r.Raw)
}

// golden compares got with testdata/name; -update rewrites the file.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, append(got, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if strings.TrimSpace(string(want)) != strings.TrimSpace(string(got)) {
		t.Errorf("response differs from %s (run go test -update if intended):\n got %s\nwant %s", path, got, want)
	}
}

func TestProductSignedInUsesAccountLocale(t *testing.T) {
	e := newEnv(t, nil)
	d := data.Load()
	// A user whose account locale differs from the Accept-Language sent.
	var user *data.User
	for i := range d.Users {
		if d.Users[i].Locale == "fr-FR" {
			user = &d.Users[i]
			break
		}
	}
	n := detailProduct(t)
	r := e.do(req{
		query:          `query($id: ID!) { home { locale } product(id: $id) { price } }`,
		vars:           map[string]any{"id": data.ProductID(n)},
		token:          e.Token(user.ID),
		acceptLanguage: "de-DE",
	})
	r.NoErrors(t)
	var got struct {
		Home    struct{ Locale string }
		Product struct{ Price string }
	}
	r.Decode(t, &got)
	price, _ := d.Price(n, "")
	want := market.Resolve("fr-FR", "").Format(price.AmountMinor, price.Currency)
	if got.Home.Locale != "fr-FR" || got.Product.Price != want {
		t.Errorf("locale %q price %q, want fr-FR %q", got.Home.Locale, got.Product.Price, want)
	}
	// home.locale and the price both need the account: fetched once.
	if c := e.Mocks.Counters().Total("accounts"); c != 1 {
		t.Errorf("accounts calls = %d, want 1", c)
	}
}

func TestProductDefaultsAndArguments(t *testing.T) {
	e := newEnv(t, nil)
	d := data.Load()
	n := detailProduct(t)
	q := `query($id: ID!, $w: Int!) { home { locale } product(id: $id) { imageUrl(width: $w) price } }`

	// No Accept-Language, anonymous: en-GB; a width beyond every image: the largest.
	r := e.do(req{query: q, vars: map[string]any{"id": data.ProductID(n), "w": 4000}})
	r.NoErrors(t)
	var got struct {
		Home    struct{ Locale string }
		Product struct {
			ImageURL string
			Price    string
		}
	}
	r.Decode(t, &got)
	largest := imageOfWidth(d.Product(n), 1600)
	if got.Home.Locale != "en-GB" || got.Product.ImageURL != largest {
		t.Errorf("locale %q image %q, want en-GB %q", got.Home.Locale, got.Product.ImageURL, largest)
	}
	if !regexp.MustCompile(`^€\d{1,3}(,\d{3})*\.\d{2}$`).MatchString(got.Product.Price) {
		t.Errorf("en-GB price %q", got.Product.Price)
	}

	// Out-of-range width: that field is null with BAD_USER_INPUT; the rest stands.
	r = e.do(req{query: q, vars: map[string]any{"id": data.ProductID(n), "w": 0}})
	if code := r.ErrorAt(t, "product.imageUrl").Extensions["code"]; code != "BAD_USER_INPUT" {
		t.Errorf("width 0: code %v", code)
	}
	r.Decode(t, &got)
	if got.Product.Price == "" {
		t.Errorf("price lost with a bad width: %s", r.Raw)
	}

	// Unknown product: null with NOT_FOUND from catalog.
	r = e.do(req{query: `{ product(id: "prd_999999") { id } }`})
	pe := r.ErrorAt(t, "product")
	if pe.Extensions["code"] != "NOT_FOUND" || pe.Extensions["service"] != "catalog" {
		t.Errorf("unknown product: %s", r.Raw)
	}
	if string(r.Data) != `{"product":null}` {
		t.Errorf("data %s", r.Data)
	}
}

type searchResult struct {
	Search *struct {
		Nodes []struct {
			ID           string
			Name         string
			ThumbnailURL *string
			Price        *string
		}
		PageInfo struct {
			EndCursor   *string
			HasNextPage bool
		}
	}
}

const searchQuery = `query($q: String!, $first: Int!, $after: String) {
  search(query: $q, first: $first, after: $after) {
    nodes { id name thumbnailUrl price }
    pageInfo { endCursor hasNextPage }
  }
}`

func TestSearch(t *testing.T) {
	e := newEnv(t, nil)
	d := data.Load()
	// A query word taken from the data: the first product's brand.
	q := strings.ToLower(d.Product(1).Brand)
	var matches []int
	for n := 1; n <= data.NumProducts; n++ {
		if d.MatchesQuery(n, q) {
			matches = append(matches, n)
		}
	}
	if len(matches) < 7 {
		t.Fatalf("brand %q matches only %d products", q, len(matches))
	}

	r := e.do(req{query: searchQuery, vars: map[string]any{"q": q, "first": 5}})
	r.NoErrors(t)
	var page1 searchResult
	r.Decode(t, &page1)
	if len(page1.Search.Nodes) != 5 || !page1.Search.PageInfo.HasNextPage || page1.Search.PageInfo.EndCursor == nil {
		t.Fatalf("page 1: %s", r.Data)
	}
	for _, node := range page1.Search.Nodes {
		num, _ := data.ParseProductID(node.ID)
		if !slices.Contains(matches, num) {
			t.Errorf("%s does not match %q", node.ID, q)
		}
		p := d.Product(num)
		if node.Name != p.Name || node.Price == nil || node.ThumbnailURL == nil {
			t.Errorf("card %+v", node)
			continue
		}
		// Default thumbnail width 200: the 200 px image.
		if *node.ThumbnailURL != imageOfWidth(p, 200) {
			t.Errorf("thumbnail %q is not the 200 px image", *node.ThumbnailURL)
		}
	}
	// Five cards, five prices: one catalog search and one pricing batch.
	if calls := e.Calls("catalog", "pricing"); calls["catalog"] != 1 || calls["pricing"] != 1 {
		t.Errorf("calls %v, want one search and one price batch", calls)
	}

	r = e.do(req{query: searchQuery, vars: map[string]any{"q": q, "first": 5, "after": *page1.Search.PageInfo.EndCursor}})
	r.NoErrors(t)
	var page2 searchResult
	r.Decode(t, &page2)
	if len(page2.Search.Nodes) == 0 || page2.Search.Nodes[0].ID == page1.Search.Nodes[0].ID {
		t.Errorf("page 2 repeats page 1: %s", r.Data)
	}
}

func TestSearchPageSizeCap(t *testing.T) {
	e := newEnv(t, nil)
	for _, first := range []int{0, 21, 100} {
		r := e.do(req{query: searchQuery, vars: map[string]any{"q": "a", "first": first}})
		se := r.ErrorAt(t, "search")
		if se.Extensions["code"] != "BAD_USER_INPUT" || !strings.Contains(se.Message, "20") {
			t.Errorf("first %d: %s", first, r.Raw)
		}
	}
	r := e.do(req{query: searchQuery, vars: map[string]any{"q": strings.Repeat("x", 101), "first": 5}})
	if r.ErrorAt(t, "search").Extensions["code"] != "BAD_USER_INPUT" {
		t.Errorf("long query: %s", r.Raw)
	}
	if c := e.Mocks.Counters().Total("catalog"); c != 0 {
		t.Errorf("rejected searches reached catalog %d times", c)
	}
	r = e.do(req{query: searchQuery, vars: map[string]any{"q": "a", "first": 20}})
	r.NoErrors(t)
	var got searchResult
	r.Decode(t, &got)
	if len(got.Search.Nodes) != 20 {
		t.Errorf("first 20: %d nodes", len(got.Search.Nodes))
	}
}

// imageOfWidth is the URL of the first image of p that is width pixels wide
// (the first view's rendition).
func imageOfWidth(p *data.Product, width int) string {
	for _, im := range p.Images {
		if int(im.Width) == width {
			return im.URL
		}
	}
	return ""
}
