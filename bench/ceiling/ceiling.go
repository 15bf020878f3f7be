package ceiling

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/tandemgw/tandem/shared/errcode"
	inventoryv1 "github.com/tandemgw/tandem/shared/gen/inventory/v1"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
	"github.com/tandemgw/tandem/shared/market"
	"github.com/tandemgw/tandem/shared/throttle"
)

// MaxFirst is the largest page the catalog and orders services serve.
const MaxFirst = 100

// Config says where the services are and which answer to write.
type Config struct {
	// CatalogURL and ReviewsURL are the REST services' base URLs
	// ("http://127.0.0.1:9102").
	CatalogURL, ReviewsURL string
	// PricingAddr and InventoryAddr are the gRPC services' host:port.
	PricingAddr, InventoryAddr string
	// First is the page size, products(first: First): 1..MaxFirst.
	First int
	// Cost is the cost configuration of the bff-web being compared
	// (throttle.WebDefaults().Cost for its defaults); it decides
	// extensions.cost: requested always, max when MaxCost > 0, actual when
	// ReportActual.
	Cost throttle.CostConfig
	// Timeout bounds the backend calls of one request; 0 means no bound
	// beyond the client's own.
	Timeout time.Duration
	// DialOptions are added to the gRPC connections' (tests record the
	// request messages with an interceptor). Optional.
	DialOptions []grpc.DialOption
}

// Handler serves the fan-out query. It is safe for concurrent use; Close
// releases its connections.
type Handler struct {
	cfg       Config
	catalog   string // base + "/products?limit=N&view=basic"
	summaries string // base + "/summaries"
	rest      *restClient
	pricing   pricingv1.PricingServiceClient
	inventory inventoryv1.InventoryServiceClient
	conns     []*grpc.ClientConn
	market    market.Market
	cost      costModel
	answers   answers
}

var _ http.Handler = (*Handler)(nil)

// New builds the handler: it parses the addresses, dials the gRPC services
// (lazily, as grpc.NewClient does) and works out the cost figures.
func New(cfg Config) (*Handler, error) {
	if cfg.First < 1 || cfg.First > MaxFirst {
		return nil, fmt.Errorf("ceiling: first %d is outside 1..%d", cfg.First, MaxFirst)
	}
	catalogURL, err := baseURL("catalog", cfg.CatalogURL)
	if err != nil {
		return nil, err
	}
	reviewsURL, err := baseURL("reviews", cfg.ReviewsURL)
	if err != nil {
		return nil, err
	}
	cost, err := newCostModel(cfg.First, cfg.Cost)
	if err != nil {
		return nil, err
	}
	h := &Handler{
		cfg: cfg,
		// bff-web's listing asks the catalog for summaries: the query reads
		// no description or image.
		catalog:   catalogURL + "/products?" + url.Values{"limit": {strconv.Itoa(cfg.First)}, "view": {"basic"}}.Encode(),
		summaries: reviewsURL + "/summaries",
		rest:      newRESTClient(),
		// The request's market when it names none: bff-web's rule, so the
		// currency asked of pricing and the formatting are the same.
		market: market.Default(),
		cost:   cost,
	}
	for _, svc := range []struct{ name, addr string }{{"pricing", cfg.PricingAddr}, {"inventory", cfg.InventoryAddr}} {
		conn, err := dial(svc.name, svc.addr, cfg.DialOptions)
		if err != nil {
			_ = h.Close()
			return nil, err
		}
		h.conns = append(h.conns, conn)
	}
	h.pricing = pricingv1.NewPricingServiceClient(h.conns[0])
	h.inventory = inventoryv1.NewInventoryServiceClient(h.conns[1])
	return h, nil
}

// Close releases the gRPC connections and idle HTTP connections.
func (h *Handler) Close() error {
	var errs []error
	for _, c := range h.conns {
		errs = append(errs, c.Close())
	}
	h.conns = nil
	if h.rest != nil {
		h.rest.close()
	}
	return errors.Join(errs...)
}

// The fields the answer needs, and only those: the decoder skips the rest
// of each record (creation dates, tags, histograms).
type (
	product struct {
		ID    string `json:"id"`
		SKU   string `json:"sku"`
		Name  string `json:"name"`
		Brand string `json:"brand"`
	}
	summary struct {
		ProductID string  `json:"productId"`
		Average   float64 `json:"average"`
		Count     int     `json:"count"`
	}
)

// fanOut is what one request gathered from the services.
type fanOut struct {
	products  []product
	summaries map[string]summary
	prices    map[string]*pricingv1.Price
	stocks    map[string]*inventoryv1.Stock
}

// ServeHTTP answers the fan-out query; the request body is read (up to
// bff-web's body limit) and not interpreted.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !readRequest(w, r) {
		return
	}
	ctx, cancel := withTimeout(r.Context(), h.cfg.Timeout)
	defer cancel()
	res, err := h.fetch(ctx)
	if err != nil {
		writeError(w, http.StatusBadGateway, errcode.UpstreamError)
		return
	}
	bp := h.answers.get()
	*bp = h.render((*bp)[:0], res)
	h.answers.write(w, bp)
}

// fetch makes the query's backend calls: the catalog page, then the three
// batches of its second level at once.
func (h *Handler) fetch(ctx context.Context) (fanOut, error) {
	var page struct {
		Items []product `json:"items"`
	}
	if err := h.rest.getJSON(ctx, h.catalog, &page); err != nil {
		return fanOut{}, err
	}
	res := fanOut{products: page.Items}
	if len(page.Items) == 0 {
		return res, nil
	}
	ids := make([]string, len(page.Items))
	skus := make([]string, len(page.Items))
	for i, p := range page.Items {
		ids[i], skus[i] = p.ID, p.SKU
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var batch struct {
			Items []summary `json:"items"`
		}
		target := h.summaries + "?" + url.Values{"productIds": {strings.Join(ids, ",")}}.Encode()
		if err := h.rest.getJSON(gctx, target, &batch); err != nil {
			return err
		}
		res.summaries = make(map[string]summary, len(batch.Items))
		for _, s := range batch.Items {
			res.summaries[s.ProductID] = s
		}
		return nil
	})
	g.Go(func() error {
		resp, err := h.pricing.BatchGetPrices(gctx, &pricingv1.BatchGetPricesRequest{ProductIds: ids, Currency: h.market.Currency})
		if err != nil {
			return err
		}
		res.prices = make(map[string]*pricingv1.Price, len(resp.GetPrices()))
		for _, p := range resp.GetPrices() {
			res.prices[p.GetProductId()] = p
		}
		return nil
	})
	g.Go(func() error {
		resp, err := h.inventory.BatchGetStock(gctx, &inventoryv1.BatchGetStockRequest{Skus: skus})
		if err != nil {
			return err
		}
		res.stocks = make(map[string]*inventoryv1.Stock, len(resp.GetStocks()))
		for _, s := range resp.GetStocks() {
			res.stocks[s.GetSku()] = s
		}
		return nil
	})
	return res, g.Wait()
}

// render writes the answer bff-web writes: fields in the query's order,
// strings and floats encoded as gqlgen and encoding/json encode them,
// then extensions.cost.
func (h *Handler) render(b []byte, res fanOut) []byte {
	actual := h.cost.page
	b = append(b, `{"data":{"products":{"nodes":[`...)
	for i, p := range res.products {
		if i > 0 {
			b = append(b, ',')
		}
		actual += h.cost.node
		b = append(b, `{"id":`...)
		b = appendString(b, p.ID)
		b = append(b, `,"name":`...)
		b = appendString(b, p.Name)
		b = append(b, `,"brand":`...)
		b = appendString(b, p.Brand)

		b = append(b, `,"ratingSummary":`...)
		if s, ok := res.summaries[p.ID]; ok {
			actual += h.cost.rating
			b = append(b, `{"average":`...)
			b = appendFloat(b, s.Average)
			b = append(b, `,"count":`...)
			b = strconv.AppendInt(b, int64(s.Count), 10)
			b = append(b, '}')
		} else {
			b = append(b, "null"...)
		}

		b = append(b, `,"price":`...)
		if pr, ok := res.prices[p.ID]; ok {
			actual += h.cost.price
			b = append(b, `{"current":{"amountMinor":`...)
			b = strconv.AppendInt(b, pr.GetAmountMinor(), 10)
			b = append(b, `,"currency":`...)
			b = appendString(b, pr.GetCurrency())
			b = append(b, `,"formatted":`...)
			b = appendString(b, h.market.Format(pr.GetAmountMinor(), pr.GetCurrency()))
			b = append(b, `}}`...)
		} else {
			b = append(b, "null"...)
		}

		b = append(b, `,"stock":`...)
		if st, ok := res.stocks[p.SKU]; ok {
			actual += h.cost.stock
			b = append(b, `{"inStock":`...)
			b = strconv.AppendBool(b, st.GetAvailable() > 0)
			b = append(b, '}')
		} else {
			b = append(b, "null"...)
		}
		b = append(b, '}')
	}
	b = append(b, `]}}`...)
	b = h.cost.appendExtensions(b, actual)
	return append(b, '}')
}
