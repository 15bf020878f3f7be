package upstream

// Page is one page of a cursor-paginated list.
type Page[T any] struct {
	Items       []T
	EndCursor   string
	HasNextPage bool
}

// PageInfo is the pagination block of the REST list contract.
type PageInfo struct {
	EndCursor   string `json:"endCursor"`
	HasNextPage bool   `json:"hasNextPage"`
}
