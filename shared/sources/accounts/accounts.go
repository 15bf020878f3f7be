package accounts

import (
	"context"

	"github.com/tandemgw/tandem/shared/connector"
	"github.com/tandemgw/tandem/shared/gen/openapi/accountsapi"
	"github.com/tandemgw/tandem/shared/registry"
	"github.com/tandemgw/tandem/shared/upstream"
)

// ID is the source id: the registry key and the config key upstreams.accounts.
const ID = "accounts"

// DefaultAddress is where the service listens by default (schema/README.md).
const DefaultAddress = "http://127.0.0.1:9101"

// User is an account holder, as the contract has it
// (schema/openapi/accounts.yaml).
type User = accountsapi.User

// Address is a user's postal address.
type Address = accountsapi.Address

// Client calls the accounts service. Safe for concurrent use.
type Client struct {
	rest *upstream.REST
	cfg  upstream.Config
}

var (
	_ registry.Instance = (*Client)(nil)
	_ registry.Closer   = (*Client)(nil)
)

// NewClient builds a client from cfg (Address is the base URL).
func NewClient(cfg upstream.Config, opts ...upstream.Option) (*Client, error) {
	cfg = cfg.WithDefaults()
	rest, err := upstream.NewREST(ID, cfg, opts...)
	if err != nil {
		return nil, err
	}
	return &Client{rest: rest, cfg: cfg}, nil
}

// Register adds the accounts source to r.
func Register(r *registry.Registry) error {
	return r.Register(registry.Source{
		ID:             ID,
		DefaultAddress: DefaultAddress,
		Kind:           registry.REST,
		New: func(_ context.Context, cfg upstream.Config, deps registry.Deps) (registry.Instance, error) {
			return NewClient(cfg, deps.UpstreamOptions()...)
		},
	})
}

// Close releases idle connections.
func (c *Client) Close() error { return c.rest.Close() }

// User fetches one user (GET /users/{id}).
func (c *Client) User(ctx context.Context, id string) (*User, error) {
	var u User
	if err := c.rest.GetJSON(ctx, "/users/"+upstream.PathSegment(id), nil, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

// Users fetches users by id through the batch endpoint (GET /users?ids=),
// in concurrent chunks of at most MaxBatch ids. Unknown ids are absent.
func (c *Client) Users(ctx context.Context, ids []string) (map[string]*User, error) {
	return upstream.GetBatch(ctx, c.rest, "/users", "ids", ids, c.cfg.MaxBatch, func(u *User) string { return u.ID })
}

// ListUsers lists all users, one page at a time (GET /users?limit=&after=).
func (c *Client) ListUsers(ctx context.Context, first int, after string) (upstream.Page[*User], error) {
	return upstream.GetPage[*User](ctx, c.rest, "/users", nil, first, after)
}

// Addresses fetches the addresses of one user (GET /users/{id}/addresses).
func (c *Client) Addresses(ctx context.Context, userID string) ([]*Address, error) {
	var resp struct {
		Items []*Address `json:"items"`
	}
	if err := c.rest.GetJSON(ctx, "/users/"+upstream.PathSegment(userID)+"/addresses", nil, &resp); err != nil {
		return nil, err
	}
	return resp.Items, nil
}

// AddressesByID fetches addresses by id (GET /addresses?ids=).
func (c *Client) AddressesByID(ctx context.Context, ids []string) (map[string]*Address, error) {
	return upstream.GetBatch(ctx, c.rest, "/addresses", "ids", ids, c.cfg.MaxBatch, func(a *Address) string { return a.ID })
}

// UsersByID reads users by id (GET /users?ids=): the request's one cache
// of accounts, for the viewer's market and every field showing a user.
var UsersByID = &connector.Endpoint[*User]{
	Source: ID,
	Field:  "user",
	Spec:   connector.Spec{Batch: "/users?ids={$keys}", Key: "id"},
	Fetch: func(ctx context.Context, c connector.Conn, keys, _ []string) (map[string]*User, error) {
		return connector.GetBatch(ctx, c, "/users", nil, "ids", keys, func(u *User) (string, *User) { return u.ID, u })
	},
}

// Loaders are the accounts source's per-request reads, for the code
// outside the schema that reads the viewer's account (shared/market).
type Loaders struct{}

// NewRequestScope returns the request's loader set (registry.Instance).
func (c *Client) NewRequestScope() any { return &Loaders{} }

// loaders is the handle of the request's loader set.
var loaders = registry.NewScoped[*Loaders](ID)

// For returns the request's loaders. It panics if the source is not
// registered in this BFF; registry.Set.Require catches that at startup.
func For(ctx context.Context) *Loaders { return loaders.For(ctx) }

// FromContext returns the request's loaders, if the BFF has the source.
func FromContext(ctx context.Context) (*Loaders, bool) { return loaders.FromContext(ctx) }

// User loads one user through UsersByID.
func (l *Loaders) User(ctx context.Context, id string) (*User, error) {
	return UsersByID.Load(ctx, id)
}

// PrefetchUsers starts one call now for every user of ids the request
// does not have yet, and returns at once (connector.Endpoint.Start).
func (l *Loaders) PrefetchUsers(ctx context.Context, ids []string) {
	UsersByID.Start(ctx, ids, nil, nil, nil)
}

// Conn lets the schema's @rest directives read this source too
// (connector.Connected).
func (c *Client) Conn() connector.Conn { return connector.Conn{REST: c.rest, Config: c.cfg} }
