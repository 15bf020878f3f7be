package data

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tandemgw/tandem/shared/gen/openapi/accountsapi"
	"github.com/tandemgw/tandem/shared/gen/openapi/catalogapi"
)

// Sizes of the seeded data set.
const (
	NumCategories = 40
	NumProducts   = 5000
	NumUsers      = 3000
	NumOrders     = 30000
	NumReviews    = 40000
)

// ImageWidths are the renditions every product picture comes in.
var ImageWidths = []int{200, 400, 800, 1600}

// seed fixes the data set; changing it changes every name and number.
const seed = 0x7a4d3e2c

// epoch is the earliest timestamp in the data set; all timestamps are whole
// seconds after it, so they are stable and RFC 3339 without fractions.
var epoch = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC)

// Set is the whole seeded data set. Slices are indexed by number-1 (product
// "prd_000042" is Products[41]). It is shared by every cluster of a process:
// treat it as read-only.
type Set struct {
	Categories []Category
	Products   []Product
	Users      []User
	Addresses  [][]Address // per user, 1 to 3 each
	Orders     []Order
	Reviews    []Review

	// OrdersByUser lists each user's order numbers, newest first.
	OrdersByUser [][]int
	// ReviewsByProduct lists each product's review numbers, newest first.
	ReviewsByProduct [][]int
	// Summaries is the rating summary of each product.
	Summaries []RatingSummary

	searchKeys []string // lower-case "name\x00brand" per product
	children   [][]int  // category index -> child category numbers
}

var (
	loadOnce sync.Once
	loaded   *Set
)

// Load returns the process-wide data set, generating it on first use.
func Load() *Set {
	loadOnce.Do(func() { loaded = generate() })
	return loaded
}

func generate() *Set {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	s := &Set{}
	s.genCategories()
	s.genProducts(r)
	s.genUsers(r)
	s.genOrders(r)
	s.genReviews(r)
	return s
}

func (s *Set) genCategories() {
	s.Categories = make([]Category, 0, NumCategories)
	s.children = make([][]int, NumCategories)
	for i, top := range categoryTree {
		s.Categories = append(s.Categories, Category{ID: CategoryID(i + 1), Name: top.name})
	}
	for i, top := range categoryTree {
		for j, sub := range top.subs {
			n := len(categoryTree) + i*len(top.subs) + j + 1
			s.Categories = append(s.Categories, Category{ID: CategoryID(n), Name: sub.name, ParentID: CategoryID(i + 1)})
			s.children[i] = append(s.children[i], n)
		}
	}
}

// leaf returns the sub-category of category number n (a leaf).
func leaf(n int) subCategory {
	k := n - len(categoryTree) - 1
	return categoryTree[k/4].subs[k%4]
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (s *Set) genProducts(r *rand.Rand) {
	s.Products = make([]Product, NumProducts)
	s.searchKeys = make([]string, NumProducts)
	var b strings.Builder
	for i := range s.Products {
		n := i + 1
		catNum := len(categoryTree) + 1 + r.IntN(NumCategories-len(categoryTree))
		sub := leaf(catNum)
		noun := pick(r, sub.nouns)
		brand := pick(r, brands)
		adj := pick(r, adjectives)
		material := pick(r, materials)
		colour := pick(r, colours)
		name := adj + " " + material + " " + noun
		id := ProductID(n)

		b.Reset()
		fmt.Fprintf(&b, pick(r, openings), brand, name, strings.ToLower(material))
		b.WriteString(" ")
		b.WriteString(pick(r, middles))
		fmt.Fprintf(&b, " This edition comes in %s.\n\n", colour)
		for k := 0; k < 3; k++ {
			if k > 0 {
				b.WriteString(" ")
			}
			b.WriteString(middles[(r.IntN(len(middles)))])
		}
		b.WriteString("\n\n")
		b.WriteString(pick(r, closings))

		views := []string{"front", "side", "detail"}[:1+r.IntN(3)]
		images := make([]Image, 0, len(views)*len(ImageWidths))
		for _, v := range views {
			alt := brand + " " + name + ", " + v + " view"
			for _, w := range ImageWidths {
				images = append(images, Image{
					URL:    "https://images.tandem.example/products/" + id + "/" + v + "-" + itoa(w) + ".jpg",
					Width:  catalogapi.ImageWidth(w),
					Height: w * 3 / 4,
					Alt:    alt,
				})
			}
		}
		ntags := 2 + r.IntN(4)
		tags := make([]string, 0, ntags)
		for len(tags) < ntags {
			t := pick(r, tagPool)
			if !slices.Contains(tags, t) {
				tags = append(tags, t)
			}
		}
		slices.Sort(tags)
		s.Products[i] = Product{
			ID:          id,
			SKU:         SKU(n),
			Name:        name,
			Brand:       brand,
			Description: b.String(),
			CategoryID:  CategoryID(catNum),
			Images:      images,
			Tags:        tags,
			CreatedAt:   epoch.Add(time.Duration(r.IntN(365*24*3600)) * time.Second),
		}
		s.searchKeys[i] = strings.ToLower(name + "\x00" + brand)
	}
}

func (s *Set) genUsers(r *rand.Rand) {
	s.Users = make([]User, NumUsers)
	s.Addresses = make([][]Address, NumUsers)
	for i := range s.Users {
		n := i + 1
		loc := locales[r.IntN(len(locales))]
		first, last := pick(r, loc.first), pick(r, loc.last)
		tier := accountsapi.UserTierStandard
		if r.IntN(100) < 15 {
			tier = accountsapi.UserTierPlus
		}
		naddr := 1 + r.IntN(3)
		addrs := make([]Address, naddr)
		for k := range addrs {
			h := r.Uint64()
			line2 := ""
			if h%3 == 0 {
				line2 = "Apt " + itoa(int(1+(h>>3)%40))
			}
			line1 := itoa(int(1+(h>>9)%180)) + " " + loc.streets[(h>>17)%uint64(len(loc.streets))]
			if loc.country != "GB" && loc.country != "FR" {
				line1 = loc.streets[(h>>17)%uint64(len(loc.streets))] + " " + itoa(int(1+(h>>9)%180))
			}
			addrs[k] = Address{
				ID:         AddressID(n, k+1),
				UserID:     UserID(n),
				Label:      addressLabels[k],
				Line1:      line1,
				Line2:      line2,
				City:       loc.cities[(h>>25)%uint64(len(loc.cities))],
				PostalCode: loc.postal(h >> 30),
				Country:    loc.country,
			}
		}
		s.Addresses[i] = addrs
		email := strings.ToLower(emailSafe.Replace(first+"."+last)) +
			"." + itoa(n) + "@example.com"
		s.Users[i] = User{
			ID:               UserID(n),
			Email:            email,
			Name:             first + " " + last,
			Tier:             tier,
			Locale:           loc.locale,
			DefaultAddressID: addrs[0].ID,
			CreatedAt:        epoch.Add(time.Duration(r.IntN(540*24*3600)) * time.Second),
		}
	}
}

var emailSafe = strings.NewReplacer(" ", "", "'", "", "ü", "ue", "ë", "e", "é", "e", "è", "e", "ö", "oe", "ï", "i")

// ordersEnd is the newest seeded order time; placed orders are newer.
var ordersEnd = epoch.Add(900 * 24 * time.Hour)

func (s *Set) genOrders(r *rand.Rand) {
	s.Orders = make([]Order, NumOrders)
	s.OrdersByUser = make([][]int, NumUsers)
	for i := range s.Orders {
		n := i + 1
		u := r.IntN(NumUsers)
		user := &s.Users[u]
		cur := CurrencyForLocale(user.Locale)
		nlines := 1 + r.IntN(6)
		lines := make([]OrderLine, 0, nlines)
		total := int64(0)
		var seen [6]int
		for len(lines) < nlines {
			p := 1 + r.IntN(NumProducts)
			if slices.Contains(seen[:len(lines)], p) {
				continue
			}
			seen[len(lines)] = p
			amount := s.amount(p, cur)
			q := 1 + r.IntN(3)
			prod := &s.Products[p-1]
			lines = append(lines, OrderLine{ProductID: prod.ID, SKU: prod.SKU, Quantity: q, UnitPrice: Money{AmountMinor: amount, Currency: cur}})
			total += amount * int64(q)
		}
		// orders happen after the account was created
		span := int64(ordersEnd.Sub(user.CreatedAt) / time.Second)
		created := user.CreatedAt.Add(time.Duration(1+r.Int64N(span-1)) * time.Second)
		age := ordersEnd.Sub(created)
		status := StatusDelivered
		switch {
		case r.IntN(100) < 4:
			status = StatusCancelled
		case age < 2*24*time.Hour:
			status = StatusPlaced
		case age < 4*24*time.Hour:
			status = StatusPaid
		case age < 10*24*time.Hour:
			status = StatusShipped
		}
		addrs := s.Addresses[u]
		s.Orders[i] = Order{
			ID:                OrderID(n),
			UserID:            user.ID,
			Status:            status,
			Lines:             lines,
			Total:             Money{AmountMinor: total, Currency: cur},
			ShippingAddressID: addrs[r.IntN(len(addrs))].ID,
			CreatedAt:         created,
		}
		s.OrdersByUser[u] = append(s.OrdersByUser[u], n)
	}
	for _, list := range s.OrdersByUser {
		slices.SortFunc(list, func(a, b int) int { return NewestFirst(s.Orders[a-1].CreatedAt, a, s.Orders[b-1].CreatedAt, b) })
	}
}

// NewestFirst orders (time, number) keys newest first, higher number first
// on equal times. Lists that are "newest first" use it, and so do cursors.
func NewestFirst(at time.Time, an int, bt time.Time, bn int) int {
	if c := bt.Compare(at); c != 0 {
		return c
	}
	return cmp.Compare(bn, an)
}

func (s *Set) genReviews(r *rand.Rand) {
	s.Reviews = make([]Review, NumReviews)
	s.ReviewsByProduct = make([][]int, NumProducts)
	s.Summaries = make([]RatingSummary, NumProducts)
	for i := range s.Summaries {
		s.Summaries[i].Histogram = make([]int, 5) // 1 to 5 stars
	}
	var b strings.Builder
	for i := range s.Reviews {
		n := i + 1
		// skewed popularity: low product numbers get more reviews
		x := r.Float64()
		p := 1 + int(x*x*NumProducts)
		if p > NumProducts {
			p = NumProducts
		}
		// each product has a quality that shifts its ratings
		quality := int(mix(uint64(p)*0x2545f491) % 3) // 0 poor, 1 fair, 2 good
		rating := 1 + r.IntN(5)
		if r.IntN(3) < quality {
			rating = min(5, rating+1+r.IntN(2))
		}
		sent := reviewSentences[rating-1]
		b.Reset()
		ns := 1 + r.IntN(3)
		for k := 0; k < ns; k++ {
			if k > 0 {
				b.WriteString(" ")
			}
			b.WriteString(sent[(k+r.IntN(len(sent)))%len(sent)])
		}
		prod := &s.Products[p-1]
		s.Reviews[i] = Review{
			ID:        ReviewID(n),
			ProductID: prod.ID,
			UserID:    s.Users[r.IntN(NumUsers)].ID,
			Rating:    rating,
			Title:     pick(r, reviewTitles[rating-1]),
			Body:      b.String(),
			CreatedAt: prod.CreatedAt.Add(time.Duration(1+r.IntN(500*24*3600)) * time.Second),
		}
		s.ReviewsByProduct[p-1] = append(s.ReviewsByProduct[p-1], n)
		sum := &s.Summaries[p-1]
		sum.Count++
		sum.Histogram[rating-1]++
	}
	for i, list := range s.ReviewsByProduct {
		slices.SortFunc(list, func(a, b int) int { return NewestFirst(s.Reviews[a-1].CreatedAt, a, s.Reviews[b-1].CreatedAt, b) })
		sum := &s.Summaries[i]
		sum.ProductID = s.Products[i].ID
		if sum.Count > 0 {
			total := 0
			for k, c := range sum.Histogram {
				total += (k + 1) * c
			}
			sum.Average = math.Round(float64(total)/float64(sum.Count)*100) / 100
		}
	}
}

// User returns user n (1-based), or nil when there is none.
func (s *Set) User(n int) *User {
	if n < 1 || n > len(s.Users) {
		return nil
	}
	return &s.Users[n-1]
}

// Address returns the k-th address of user n, or nil.
func (s *Set) Address(user, k int) *Address {
	if user < 1 || user > len(s.Addresses) || k < 1 || k > len(s.Addresses[user-1]) {
		return nil
	}
	return &s.Addresses[user-1][k-1]
}

// Product returns product n, or nil.
func (s *Set) Product(n int) *Product {
	if n < 1 || n > len(s.Products) {
		return nil
	}
	return &s.Products[n-1]
}

// Category returns category n, or nil.
func (s *Set) Category(n int) *Category {
	if n < 1 || n > len(s.Categories) {
		return nil
	}
	return &s.Categories[n-1]
}

// Order returns seeded order n, or nil.
func (s *Set) Order(n int) *Order {
	if n < 1 || n > len(s.Orders) {
		return nil
	}
	return &s.Orders[n-1]
}

// Review returns review n, or nil.
func (s *Set) Review(n int) *Review {
	if n < 1 || n > len(s.Reviews) {
		return nil
	}
	return &s.Reviews[n-1]
}

// InCategory reports whether product n belongs to category c or to one of
// its sub-categories.
func (s *Set) InCategory(n, c int) bool {
	pc, _ := ParseCategoryID(s.Products[n-1].CategoryID)
	if pc == c {
		return true
	}
	return c >= 1 && c <= len(s.children) && slices.Contains(s.children[c-1], pc)
}

// MatchesQuery reports whether product n's name or brand contains q
// case-insensitively; q must already be lower-case.
func (s *Set) MatchesQuery(n int, lowerQ string) bool {
	return strings.Contains(s.searchKeys[n-1], lowerQ)
}
