package ceiling

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	fastjson "github.com/segmentio/encoding/json"
	"golang.org/x/sync/errgroup"
	"google.golang.org/grpc"

	"github.com/tandemgw/tandem/shared/errcode"
	inventoryv1 "github.com/tandemgw/tandem/shared/gen/inventory/v1"
	pricingv1 "github.com/tandemgw/tandem/shared/gen/pricing/v1"
	"github.com/tandemgw/tandem/shared/market"
	"github.com/tandemgw/tandem/shared/throttle"
	"github.com/tandemgw/tandem/shared/upstream"
)

// OrderHistoryQuery is the order history page the second ceiling answers:
// the viewer's orders with every line's product, price and stock.
const OrderHistoryQuery = `query ViewerOrders($first: Int!) {
  viewer {
    orders(first: $first) {
      nodes {
        id
        lines {
          quantity
          unitPrice { amountMinor }
          product {
            id
            name
            price { current { amountMinor currency } }
            stock { available inStock }
          }
        }
      }
      pageInfo { hasNextPage }
    }
  }
}`

// OrderHistoryConfig says where the services are and which answer to
// write.
type OrderHistoryConfig struct {
	// OrdersURL, CatalogURL and AccountsURL are the REST services' base
	// URLs.
	OrdersURL, CatalogURL, AccountsURL string
	// PricingAddr and InventoryAddr are the gRPC services' host:port.
	PricingAddr, InventoryAddr string
	// First is the number of orders, orders(first: First): 1..MaxFirst.
	First int
	// Cost is the cost configuration of the bff-web being compared, as
	// Config.Cost.
	Cost throttle.CostConfig
	// AccountTTL is how long a viewer's account locale is reused before
	// the account is read again: bff-web's market.accountTTL. 0 reads it
	// on every request.
	AccountTTL time.Duration
	// Timeout bounds the backend calls of one request; 0 means no bound
	// beyond the client's own.
	Timeout time.Duration
	// DialOptions are added to the gRPC connections'. Optional.
	DialOptions []grpc.DialOption
}

// OrderHistory serves OrderHistoryQuery for the viewer whose bearer token
// the request carries. It is safe for concurrent use; Close releases its
// connections.
type OrderHistory struct {
	cfg                      OrderHistoryConfig
	orders, catalog, account string // base URLs + path
	rest                     *restClient
	pricing                  pricingv1.PricingServiceClient
	inventory                inventoryv1.InventoryServiceClient
	conns                    []*grpc.ClientConn
	cost                     orderCostModel
	locales                  viewerLocales
	answers                  answers
}

var _ http.Handler = (*OrderHistory)(nil)

// NewOrderHistory builds the handler, as New does.
func NewOrderHistory(cfg OrderHistoryConfig) (*OrderHistory, error) {
	if cfg.First < 1 || cfg.First > MaxFirst {
		return nil, fmt.Errorf("ceiling: first %d is outside 1..%d", cfg.First, MaxFirst)
	}
	h := &OrderHistory{cfg: cfg, rest: newRESTClient(), locales: viewerLocales{ttl: cfg.AccountTTL, now: time.Now}}
	for _, svc := range []struct {
		name, raw, path string
		into            *string
	}{
		{"orders", cfg.OrdersURL, "/orders", &h.orders},
		{"catalog", cfg.CatalogURL, "/products", &h.catalog},
		{"accounts", cfg.AccountsURL, "/users", &h.account},
	} {
		base, err := baseURL(svc.name, svc.raw)
		if err != nil {
			return nil, err
		}
		*svc.into = base + svc.path
	}
	var err error
	if h.cost, err = newOrderCostModel(cfg.First, cfg.Cost); err != nil {
		return nil, err
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
func (h *OrderHistory) Close() error {
	var errs []error
	for _, c := range h.conns {
		errs = append(errs, c.Close())
	}
	h.conns = nil
	h.rest.close()
	return errors.Join(errs...)
}

// What the answer needs of the services' records.
type (
	orderRecord struct {
		ID    string            `json:"id"`
		Lines []orderLineRecord `json:"lines"`
	}
	orderLineRecord struct {
		ProductID string `json:"productId"`
		Quantity  int    `json:"quantity"`
		UnitPrice struct {
			AmountMinor int64 `json:"amountMinor"`
		} `json:"unitPrice"`
	}
	productRecord struct {
		ID   string `json:"id"`
		SKU  string `json:"sku"`
		Name string `json:"name"`
	}
)

// orderHistory is what one request gathered from the services.
type orderHistory struct {
	orders      []orderRecord
	hasNextPage bool
	products    map[string]productRecord
	prices      map[string]*pricingv1.Price
	stocks      map[string]*inventoryv1.Stock
}

// ServeHTTP answers the order history of the token's subject; the request
// body is read and not interpreted.
func (h *OrderHistory) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !readRequest(w, r) {
		return
	}
	who, ok := viewerOf(r.Header.Get("Authorization"))
	if !ok {
		writeError(w, http.StatusUnauthorized, errcode.Unauthenticated)
		return
	}
	ctx, cancel := withTimeout(r.Context(), h.cfg.Timeout)
	defer cancel()
	res, err := h.fetch(ctx, who, r.Header.Get("Accept-Language"))
	if err != nil {
		writeError(w, http.StatusBadGateway, errcode.UpstreamError)
		return
	}
	bp := h.answers.get()
	*bp = h.render((*bp)[:0], res)
	h.answers.write(w, bp)
}

// fetch makes the query's backend calls: the viewer's account when its
// locale is not remembered, the orders page, then the catalog's products
// and their prices at once, then the products' stock.
func (h *OrderHistory) fetch(ctx context.Context, who viewer, acceptLanguage string) (orderHistory, error) {
	locale, found := h.locales.get(who)
	if !found {
		var ok bool
		locale, ok = h.readLocale(ctx, who.subject)
		if ok {
			h.locales.put(who, locale)
		}
	}
	currency := market.Resolve(locale, acceptLanguage).Currency

	var page struct {
		Items    []orderRecord `json:"items"`
		PageInfo struct {
			HasNextPage bool `json:"hasNextPage"`
		} `json:"pageInfo"`
	}
	target := h.orders + "?" + url.Values{"limit": {strconv.Itoa(h.cfg.First)}, "userId": {who.subject}}.Encode()
	if err := h.rest.getJSON(ctx, target, &page); err != nil {
		return orderHistory{}, err
	}
	res := orderHistory{orders: page.Items, hasNextPage: page.PageInfo.HasNextPage}
	// The lines' products, each once, in the order they first appear.
	seen := map[string]bool{}
	var ids []string
	for _, o := range page.Items {
		for _, l := range o.Lines {
			if !seen[l.ProductID] {
				seen[l.ProductID] = true
				ids = append(ids, l.ProductID)
			}
		}
	}
	if len(ids) == 0 {
		return res, nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		parts, err := inChunks(gctx, ids, func(ctx context.Context, chunk []string) ([]productRecord, error) {
			var batch struct {
				Items []productRecord `json:"items"`
			}
			target := h.catalog + "?" + url.Values{"ids": {strings.Join(chunk, ",")}, "view": {"basic"}}.Encode()
			err := h.rest.getJSON(ctx, target, &batch)
			return batch.Items, err
		})
		if err != nil {
			return err
		}
		res.products = make(map[string]productRecord, len(ids))
		for _, part := range parts {
			for _, p := range part {
				res.products[p.ID] = p
			}
		}
		skus := make([]string, 0, len(res.products))
		for _, id := range ids {
			if p, ok := res.products[id]; ok {
				skus = append(skus, p.SKU)
			}
		}
		stocks, err := inChunks(gctx, skus, func(ctx context.Context, chunk []string) ([]*inventoryv1.Stock, error) {
			resp, err := h.inventory.BatchGetStock(ctx, &inventoryv1.BatchGetStockRequest{Skus: chunk})
			return resp.GetStocks(), err
		})
		if err != nil {
			return err
		}
		res.stocks = make(map[string]*inventoryv1.Stock, len(skus))
		for _, part := range stocks {
			for _, s := range part {
				res.stocks[s.GetSku()] = s
			}
		}
		return nil
	})
	g.Go(func() error {
		prices, err := inChunks(gctx, ids, func(ctx context.Context, chunk []string) ([]*pricingv1.Price, error) {
			resp, err := h.pricing.BatchGetPrices(ctx, &pricingv1.BatchGetPricesRequest{ProductIds: chunk, Currency: currency})
			return resp.GetPrices(), err
		})
		if err != nil {
			return err
		}
		res.prices = make(map[string]*pricingv1.Price, len(ids))
		for _, part := range prices {
			for _, p := range part {
				res.prices[p.GetProductId()] = p
			}
		}
		return nil
	})
	return res, g.Wait()
}

// maxBatch is how many keys bff-web's clients put in one batch call: the
// default maxBatch of every upstream.
const maxBatch = upstream.DefaultMaxBatch

// inChunks calls fetch for consecutive chunks of at most maxBatch keys,
// concurrently, as shared/upstream.Chunked splits a batch: one chunk on
// the caller's goroutine, none for no keys. It returns each chunk's
// results.
func inChunks[T any](ctx context.Context, keys []string, fetch func(ctx context.Context, chunk []string) ([]T, error)) ([][]T, error) {
	switch {
	case len(keys) == 0:
		return nil, nil
	case len(keys) <= maxBatch:
		part, err := fetch(ctx, keys)
		return [][]T{part}, err
	}
	parts := make([][]T, (len(keys)+maxBatch-1)/maxBatch)
	g, gctx := errgroup.WithContext(ctx)
	for i := range parts {
		chunk := keys[i*maxBatch : min((i+1)*maxBatch, len(keys))]
		g.Go(func() error {
			var err error
			parts[i], err = fetch(gctx, chunk)
			return err
		})
	}
	return parts, g.Wait()
}

// readLocale reads the viewer's account locale; ok is false when the
// account could not be read, which bff-web does not remember either.
func (h *OrderHistory) readLocale(ctx context.Context, subject string) (locale string, ok bool) {
	var batch struct {
		Items []struct {
			ID     string `json:"id"`
			Locale string `json:"locale"`
		} `json:"items"`
	}
	if err := h.rest.getJSON(ctx, h.account+"?"+url.Values{"ids": {subject}}.Encode(), &batch); err != nil {
		return "", false
	}
	for _, u := range batch.Items {
		if u.ID == subject {
			return u.Locale, true
		}
	}
	return "", false
}

// viewer is whose locale is remembered: a subject is unique within its
// issuer only.
type viewer struct{ issuer, subject string }

// viewerOf reads the issuer and subject of a bearer token's claims without
// verifying its signature: bff-web verifies it in process, and the ceiling
// measures the work of the answer, not that of authentication (the
// harness's signed-in cost targets measure that).
func viewerOf(authorization string) (viewer, bool) {
	token, ok := strings.CutPrefix(authorization, "Bearer ")
	if !ok {
		return viewer{}, false
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return viewer{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return viewer{}, false
	}
	var claims struct {
		Iss string `json:"iss"`
		Sub string `json:"sub"`
	}
	if fastjson.Unmarshal(payload, &claims) != nil || claims.Sub == "" {
		return viewer{}, false
	}
	return viewer{issuer: claims.Iss, subject: claims.Sub}, true
}

// viewerLocales remembers viewers' account locales for ttl, as bff-web's
// market package does, so that at steady state a request reads no
// account.
type viewerLocales struct {
	ttl time.Duration
	now func() time.Time
	mu  sync.Mutex
	m   map[viewer]rememberedLocale
}

type rememberedLocale struct {
	locale string
	until  time.Time
}

// maxViewers bounds how many locales are remembered, as bff-web's default
// market.accounts; past it the map starts afresh, which costs one account
// read per viewer and keeps the code short.
const maxViewers = market.DefaultAccounts

func (v *viewerLocales) get(who viewer) (string, bool) {
	if v.ttl <= 0 {
		return "", false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	r, ok := v.m[who]
	if !ok || !v.now().Before(r.until) {
		return "", false
	}
	return r.locale, true
}

func (v *viewerLocales) put(who viewer, locale string) {
	if v.ttl <= 0 {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.m == nil || len(v.m) >= maxViewers {
		v.m = map[viewer]rememberedLocale{}
	}
	v.m[who] = rememberedLocale{locale: locale, until: v.now().Add(v.ttl)}
}

// render writes the answer bff-web writes, as Handler.render does.
func (h *OrderHistory) render(b []byte, res orderHistory) []byte {
	actual := h.cost.page
	b = append(b, `{"data":{"viewer":{"orders":{"nodes":[`...)
	for i, o := range res.orders {
		if i > 0 {
			b = append(b, ',')
		}
		actual += h.cost.order
		b = append(b, `{"id":`...)
		b = appendString(b, o.ID)
		b = append(b, `,"lines":[`...)
		for j, l := range o.Lines {
			if j > 0 {
				b = append(b, ',')
			}
			actual += h.cost.line
			b = append(b, `{"quantity":`...)
			b = strconv.AppendInt(b, int64(l.Quantity), 10)
			b = append(b, `,"unitPrice":{"amountMinor":`...)
			b = strconv.AppendInt(b, l.UnitPrice.AmountMinor, 10)
			b = append(b, `},"product":`...)
			p, ok := res.products[l.ProductID]
			if !ok {
				b = append(b, "null}"...)
				continue
			}
			actual += h.cost.product
			b = append(b, `{"id":`...)
			b = appendString(b, p.ID)
			b = append(b, `,"name":`...)
			b = appendString(b, p.Name)
			b = append(b, `,"price":`...)
			if pr, ok := res.prices[p.ID]; ok {
				actual += h.cost.price
				b = append(b, `{"current":{"amountMinor":`...)
				b = strconv.AppendInt(b, pr.GetAmountMinor(), 10)
				b = append(b, `,"currency":`...)
				b = appendString(b, pr.GetCurrency())
				b = append(b, `}}`...)
			} else {
				b = append(b, "null"...)
			}
			b = append(b, `,"stock":`...)
			if st, ok := res.stocks[p.SKU]; ok {
				actual += h.cost.stock
				b = append(b, `{"available":`...)
				b = strconv.AppendInt(b, int64(st.GetAvailable()), 10)
				b = append(b, `,"inStock":`...)
				b = strconv.AppendBool(b, st.GetAvailable() > 0)
				b = append(b, '}')
			} else {
				b = append(b, "null"...)
			}
			b = append(b, `}}`...)
		}
		b = append(b, `]}`...)
	}
	b = append(b, `],"pageInfo":{"hasNextPage":`...)
	b = strconv.AppendBool(b, res.hasNextPage)
	b = append(b, `}}}}`...)
	b = h.cost.appendExtensions(b, actual)
	return append(b, '}')
}
