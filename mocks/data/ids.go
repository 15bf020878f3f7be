package data

import (
	"strconv"
	"strings"
)

// Id formats of the contract (schema/README.md): a type prefix and a
// zero-padded number. Numbers start at 1.
const (
	userPrefix     = "usr_"
	addressPrefix  = "adr_"
	productPrefix  = "prd_"
	categoryPrefix = "cat_"
	orderPrefix    = "ord_"
	reviewPrefix   = "rev_"
	skuPrefix      = "SKU-"
)

// UserID formats the id of user n.
func UserID(n int) string { return padded(userPrefix, n, 6) }

// AddressID formats the id of the k-th (1-based) address of user n.
func AddressID(user, k int) string { return padded(addressPrefix, user, 6) + "_" + strconv.Itoa(k) }

// ProductID formats the id of product n.
func ProductID(n int) string { return padded(productPrefix, n, 6) }

// SKU formats the SKU of product n.
func SKU(n int) string { return padded(skuPrefix, n, 6) }

// CategoryID formats the id of category n.
func CategoryID(n int) string { return padded(categoryPrefix, n, 2) }

// OrderID formats the id of order n.
func OrderID(n int) string { return padded(orderPrefix, n, 6) }

// ReviewID formats the id of review n.
func ReviewID(n int) string { return padded(reviewPrefix, n, 6) }

// padded is prefix followed by n zero-padded to width digits (fmt's %0*d,
// without fmt's cost: the generator formats a few hundred thousand ids).
func padded(prefix string, n, width int) string {
	digits := strconv.Itoa(n)
	if len(digits) >= width {
		return prefix + digits
	}
	return prefix + "000000000"[:width-len(digits)] + digits
}

// parseNum reads an id made of prefix and exactly width decimal digits.
func parseNum(id, prefix string, width int) (int, bool) {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok || len(rest) != width {
		return 0, false
	}
	for i := 0; i < len(rest); i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(rest)
	return n, err == nil
}

// ParseUserID returns the number of a well-formed user id ("usr_000042").
// ok is false for a malformed id; a well-formed id may still be unknown.
func ParseUserID(id string) (n int, ok bool) { return parseNum(id, userPrefix, 6) }

// ParseProductID returns the number of a well-formed product id ("prd_000042").
func ParseProductID(id string) (n int, ok bool) { return parseNum(id, productPrefix, 6) }

// ParseSKU returns the product number of a well-formed SKU ("SKU-000042").
func ParseSKU(sku string) (n int, ok bool) { return parseNum(sku, skuPrefix, 6) }

// ParseCategoryID returns the number of a well-formed category id ("cat_07").
func ParseCategoryID(id string) (n int, ok bool) { return parseNum(id, categoryPrefix, 2) }

// ParseOrderID returns the number of a well-formed order id ("ord_000042").
func ParseOrderID(id string) (n int, ok bool) { return parseNum(id, orderPrefix, 6) }

// ParseReviewID returns the number of a well-formed review id ("rev_000042").
func ParseReviewID(id string) (n int, ok bool) { return parseNum(id, reviewPrefix, 6) }

// ParseAddressID returns the user number and the 1-based address index of a
// well-formed address id ("adr_000042_1").
func ParseAddressID(id string) (user, k int, ok bool) {
	head, tail, found := strings.Cut(strings.TrimPrefix(id, addressPrefix), "_")
	if !strings.HasPrefix(id, addressPrefix) || !found || len(tail) != 1 || tail[0] < '0' || tail[0] > '9' {
		return 0, 0, false
	}
	user, ok = parseNum(userPrefix+head, userPrefix, 6)
	return user, int(tail[0] - '0'), ok
}
