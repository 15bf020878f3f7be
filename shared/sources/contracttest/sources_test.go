package contracttest_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/tandemgw/tandem/mocks"
	"github.com/tandemgw/tandem/mocks/data"
	"github.com/tandemgw/tandem/shared/sources/accounts"
	"github.com/tandemgw/tandem/shared/sources/catalog"
	"github.com/tandemgw/tandem/shared/sources/contracttest"
	"github.com/tandemgw/tandem/shared/sources/orders"
	"github.com/tandemgw/tandem/shared/sources/recommendations"
	"github.com/tandemgw/tandem/shared/sources/reviews"
	"github.com/tandemgw/tandem/shared/upstream"
)

var openapiDir = filepath.Join("..", "..", "..", "schema", "openapi")

// itemsOf is the {"items": [...]} envelope some clients decode into an
// anonymous struct of this shape (catalog.Categories, accounts.Addresses,
// recommendations.Related and ForUser).
type itemsOf[T any] struct {
	Items []T `json:"items"`
}

// errorBody is what the REST client reads of an error answer (the code,
// for logs): upstream.errorFromBody.
type errorBody struct {
	Error struct {
		Code string `json:"code"`
	} `json:"error"`
}

// pair is a Go type the gateway decodes and the part of a service's
// contract it decodes it from: a component schema ("Product") or the
// success answer of a route ("GET /products/{id}").
type pair struct {
	service, schema string
	goType          reflect.Type
}

// readInPart are components the gateway reads only in part on purpose:
// of an error body, the code and never the message (which may echo
// request data). Their fields are checked, not their required list.
var readInPart = map[string]bool{"Error": true}

func typ[T any]() reflect.Type { return reflect.TypeFor[T]() }

// pairs lists what every REST source decodes. A new REST service's
// document without entries here fails TestEveryContractIsCovered.
var pairs = []pair{
	{"accounts", "User", typ[accounts.User]()},
	{"accounts", "Address", typ[accounts.Address]()},
	{"accounts", "UserBatch", typ[upstream.BatchResponse[*accounts.User]]()},
	{"accounts", "UserPage", typ[upstream.ListResponse[*accounts.User]]()},
	{"accounts", "AddressBatch", typ[upstream.BatchResponse[*accounts.Address]]()},
	{"accounts", "PageInfo", typ[upstream.PageInfo]()},
	{"accounts", "Error", typ[errorBody]()},
	{"accounts", "GET /users/{id}", typ[accounts.User]()},
	{"accounts", "AddressList", typ[itemsOf[*accounts.Address]]()},
	{"accounts", "GET /users/{id}/addresses", typ[itemsOf[*accounts.Address]]()},

	{"catalog", "Product", typ[catalog.Product]()},
	{"catalog", "Image", typ[catalog.Image]()},
	{"catalog", "Category", typ[catalog.Category]()},
	{"catalog", "ProductBatch", typ[upstream.BatchResponse[*catalog.Product]]()},
	{"catalog", "ProductPage", typ[upstream.ListResponse[*catalog.Product]]()},
	{"catalog", "ProductSummary", typ[catalog.ProductSummary]()},
	{"catalog", "ProductSummaryPage", typ[upstream.ListResponse[*catalog.ProductSummary]]()},
	{"catalog", "ProductSummaryBatch", typ[upstream.BatchResponse[*catalog.ProductSummary]]()},
	{"catalog", "CategoryBatch", typ[upstream.BatchResponse[*catalog.Category]]()},
	{"catalog", "CategoryList", typ[itemsOf[*catalog.Category]]()},
	{"catalog", "PageInfo", typ[upstream.PageInfo]()},
	{"catalog", "Error", typ[errorBody]()},
	{"catalog", "GET /products/{id}", typ[catalog.Product]()},
	{"catalog", "GET /categories/{id}", typ[catalog.Category]()},

	{"orders", "Money", typ[orders.Money]()},
	{"orders", "OrderLine", typ[orders.OrderLine]()},
	{"orders", "Order", typ[orders.Order]()},
	{"orders", "OrderBatch", typ[upstream.BatchResponse[*orders.Order]]()},
	{"orders", "OrderPage", typ[upstream.ListResponse[*orders.Order]]()},
	{"orders", "CartLine", typ[orders.CartLine]()},
	{"orders", "Cart", typ[orders.Cart]()},
	{"orders", "PageInfo", typ[upstream.PageInfo]()},
	{"orders", "Error", typ[errorBody]()},
	{"orders", "GET /orders/{id}", typ[orders.Order]()},
	{"orders", "GET /carts/{userId}", typ[orders.Cart]()},
	{"orders", "POST /carts/{userId}/lines", typ[orders.Cart]()},
	{"orders", "POST /orders", typ[orders.Order]()},

	{"reviews", "Review", typ[reviews.Review]()},
	{"reviews", "RatingSummary", typ[reviews.RatingSummary]()},
	{"reviews", "ReviewBatch", typ[upstream.BatchResponse[*reviews.Review]]()},
	{"reviews", "ReviewPage", typ[upstream.ListResponse[*reviews.Review]]()},
	{"reviews", "RatingSummaryBatch", typ[upstream.BatchResponse[*reviews.RatingSummary]]()},
	{"reviews", "PageInfo", typ[upstream.PageInfo]()},
	{"reviews", "Error", typ[errorBody]()},
	{"reviews", "GET /reviews/{id}", typ[reviews.Review]()},
	{"reviews", "GET /products/{productId}/summary", typ[reviews.RatingSummary]()},

	{"recommendations", "Related", typ[recommendations.Related]()},
	{"recommendations", "RelatedList", typ[itemsOf[*recommendations.Related]]()},
	{"recommendations", "Recommendation", typ[recommendations.Recommendation]()},
	{"recommendations", "RecommendationList", typ[itemsOf[*recommendations.Recommendation]]()},
	{"recommendations", "Error", typ[errorBody]()},
}

// notDecoded are components the gateway sends or never reads.
var notDecoded = map[string][]string{
	"orders": {"PlaceOrderRequest"}, // a request body the gateway writes
}

func docs(t *testing.T) map[string]*openapi3.T {
	t.Helper()
	out := map[string]*openapi3.T{}
	for _, p := range pairs {
		if out[p.service] == nil {
			out[p.service] = contracttest.Load(t, filepath.Join(openapiDir, p.service+".yaml"))
		}
	}
	return out
}

// TestGoTypesMatchTheContracts: every JSON field of a source's Go types is
// in the service's OpenAPI schema with a compatible type, and every field
// the schema requires is in the Go type.
func TestGoTypesMatchTheContracts(t *testing.T) {
	ds := docs(t)
	for _, p := range pairs {
		t.Run(p.service+" "+p.schema, func(t *testing.T) {
			var s *openapi3.Schema
			if strings.Contains(p.schema, " ") {
				s = contracttest.Response(t, ds[p.service], p.schema)
			} else {
				s = contracttest.Component(t, ds[p.service], p.schema)
			}
			check := contracttest.Mismatches
			if readInPart[p.schema] {
				check = contracttest.FieldMismatches
			}
			for _, m := range check(p.goType, s) {
				t.Errorf("%s vs %s.yaml %s: %s", p.goType, p.service, p.schema, m)
			}
		})
	}
}

// TestEveryContractIsCovered: every REST service's document is in the
// table, with every component schema the gateway decodes.
func TestEveryContractIsCovered(t *testing.T) {
	entries, err := os.ReadDir(openapiDir)
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]map[string]bool{}
	for _, p := range pairs {
		if covered[p.service] == nil {
			covered[p.service] = map[string]bool{}
		}
		covered[p.service][p.schema] = true
	}
	var rest []string
	for _, s := range mocks.Services() {
		if s.Protocol == "rest" {
			rest = append(rest, s.Name)
		}
	}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".yaml")
		if !ok || name == "mocks-admin" {
			continue
		}
		if !slices.Contains(rest, name) {
			t.Errorf("%s.yaml describes no REST mock", name)
		}
		if covered[name] == nil {
			if readByDirectives(t, name) {
				continue // each BFF's TestDirectivesMatchContracts checks what it reads
			}
			t.Errorf("%s.yaml: no Go type is checked against it; add its pairs", name)
			continue
		}
		doc := contracttest.Load(t, filepath.Join(openapiDir, e.Name()))
		var names []string
		for n := range doc.Components.Schemas {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if !covered[name][n] && !slices.Contains(notDecoded[name], n) {
				t.Errorf("%s.yaml: component %s is checked against no Go type", name, n)
			}
		}
	}
}

// TestEveryContractHasGeneratedTypes: every REST service's document has
// its generated package under shared/gen/openapi (tools/openapigen makes
// one for every document; make checkgenerate fails when one is stale).
func TestEveryContractHasGeneratedTypes(t *testing.T) {
	entries, err := os.ReadDir(openapiDir)
	if err != nil {
		t.Fatal(err)
	}
	genDir := filepath.Join("..", "..", "gen", "openapi")
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".yaml")
		if !ok || name == "mocks-admin" {
			continue
		}
		for _, f := range []string{"doc.go", name + "api.gen.go"} {
			if _, err := os.Stat(filepath.Join(genDir, name+"api", f)); err != nil {
				t.Errorf("%s.yaml: %v (run make generate)", name, err)
			}
		}
	}
}

// TestMismatchesCatchDrift: the checker itself finds a renamed field, a
// changed type and a newly required field.
func TestMismatchesCatchDrift(t *testing.T) {
	doc := contracttest.Load(t, filepath.Join(openapiDir, "catalog.yaml"))
	s := contracttest.Component(t, doc, "Category")
	type renamed struct {
		ID     string `json:"id"`
		Name   string `json:"name"`
		Parent string `json:"parent"`
	}
	type retyped struct {
		ID       int    `json:"id"`
		Name     string `json:"name"`
		ParentID string `json:"parentId"`
	}
	type partial struct {
		ID string `json:"id"`
	}
	if m := contracttest.Mismatches(typ[renamed](), s); len(m) == 0 {
		t.Error("a field missing from the schema went unnoticed")
	}
	if m := contracttest.Mismatches(typ[retyped](), s); len(m) == 0 {
		t.Error("a type change went unnoticed")
	}
	if m := contracttest.Mismatches(typ[partial](), s); len(m) == 0 {
		t.Error("a required field missing from the Go type went unnoticed")
	}
	if m := contracttest.Mismatches(typ[catalog.Category](), s); len(m) != 0 {
		t.Errorf("the real type: %v", m)
	}
}

// TestClientsDecodeTheMocksStrictly calls every REST source's client
// against the mocks with strict decoding: an answer field the Go types do
// not know, a type that does not fit, fails here. (Production decodes
// leniently; the mocks' own tests validate their answers against the same
// documents, so the Go types, the contracts and the mocks agree.)
func TestClientsDecodeTheMocksStrictly(t *testing.T) {
	c, err := mocks.Start(t.Context(), mocks.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ctx := context.Background()
	strict := upstream.WithStrictDecoding()
	cfg := func(svc string) upstream.Config { return upstream.Config{Address: c.URL(svc), Retries: -1} }
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	d := data.Load()

	acc, err := accounts.NewClient(cfg("accounts"), strict)
	if err != nil {
		t.Fatal(err)
	}
	defer acc.Close()
	_, err = acc.User(ctx, data.UserID(1))
	check("accounts.User", err)
	_, err = acc.Users(ctx, []string{data.UserID(1), data.UserID(2)})
	check("accounts.Users", err)
	_, err = acc.ListUsers(ctx, 5, "")
	check("accounts.ListUsers", err)
	_, err = acc.Addresses(ctx, data.UserID(1))
	check("accounts.Addresses", err)
	_, err = acc.AddressesByID(ctx, []string{data.AddressID(1, 1)})
	check("accounts.AddressesByID", err)

	cat, err := catalog.NewClient(cfg("catalog"), strict)
	if err != nil {
		t.Fatal(err)
	}
	defer cat.Close()
	_, err = cat.Product(ctx, data.ProductID(1))
	check("catalog.Product", err)
	_, err = cat.Products(ctx, []string{data.ProductID(1), data.ProductID(2)})
	check("catalog.Products", err)
	_, err = cat.Search(ctx, catalog.SearchParams{Query: "a", First: 5})
	check("catalog.Search", err)
	_, err = cat.Categories(ctx)
	check("catalog.Categories", err)
	_, err = cat.Category(ctx, data.CategoryID(1))
	check("catalog.Category", err)
	_, err = cat.CategoriesByID(ctx, []string{data.CategoryID(1)})
	check("catalog.CategoriesByID", err)

	ord, err := orders.NewClient(cfg("orders"), strict)
	if err != nil {
		t.Fatal(err)
	}
	defer ord.Close()
	user := d.Orders[0].UserID
	_, err = ord.Order(ctx, d.Orders[0].ID)
	check("orders.Order", err)
	_, err = ord.Orders(ctx, []string{d.Orders[0].ID})
	check("orders.Orders", err)
	_, err = ord.OrdersOfUser(ctx, user, 5, "")
	check("orders.OrdersOfUser", err)
	_, err = ord.Cart(ctx, user)
	check("orders.Cart", err)
	_, err = ord.AddToCart(ctx, user, data.ProductID(3), 1)
	check("orders.AddToCart", err)
	n, _ := data.ParseUserID(user)
	_, err = ord.PlaceOrder(ctx, user, data.AddressID(n, 1), "contract-check-1")
	check("orders.PlaceOrder", err)

	rev, err := reviews.NewClient(cfg("reviews"), strict)
	if err != nil {
		t.Fatal(err)
	}
	defer rev.Close()
	_, err = rev.Review(ctx, data.ReviewID(1))
	check("reviews.Review", err)
	_, err = rev.Reviews(ctx, []string{data.ReviewID(1), data.ReviewID(2)})
	check("reviews.Reviews", err)
	_, err = rev.ReviewsOfProduct(ctx, data.ProductID(42), 5, "")
	check("reviews.ReviewsOfProduct", err)
	_, err = rev.Summary(ctx, data.ProductID(42))
	check("reviews.Summary", err)
	_, err = rev.Summaries(ctx, []string{data.ProductID(42)})
	check("reviews.Summaries", err)

	rec, err := recommendations.NewClient(cfg("recommendations"), strict)
	if err != nil {
		t.Fatal(err)
	}
	defer rec.Close()
	_, err = rec.Related(ctx, data.ProductID(42), 4)
	check("recommendations.Related", err)
	_, err = rec.ForUser(ctx, data.UserID(42), 4)
	check("recommendations.ForUser", err)
}

// readByDirectives reports whether a BFF schema reads service through a
// @rest directive; TestDirectivesMatchContracts of that BFF then holds the
// directive's calls and types against the contract.
func readByDirectives(t *testing.T, service string) bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", "..", "schema", "graphql", "*", "*.graphqls"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), `@rest(source: "`+service+`"`) {
			return true
		}
	}
	return false
}
