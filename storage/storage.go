package storage

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
)

// Store is a transactional store shared by every tenant. Implementations
// must be safe for concurrent use.
type Store interface {
	// Tx runs fn in one transaction that can see and change only tenant's
	// rows. If fn returns an error, or panics, nothing fn wrote is kept and
	// Tx returns fn's error unchanged. Transactions must be isolated enough
	// that the invariants hold under concurrency: a stale aggregate write
	// fails with ErrConflict, and a stock movement is one atomic conditional
	// change. Tx may return an error wrapping ErrConflict when the
	// transaction could not commit, or ErrUnavailable when the store could
	// not be reached or lost the connection; the caller may retry the
	// whole fn on either.
	//
	// Serializability is not required: a decision taken from rows a
	// transaction only read may commit beside a concurrent change to them
	// (PostgreSQL at READ COMMITTED does so). Callers that decide from
	// several aggregates make concurrent decisions conflict by also
	// updating one row that both write, as the engine does with the order.
	Tx(ctx context.Context, tenant string, fn func(Tx) error) error

	// Outbox returns the cross-tenant side of the outbox that relays use to
	// deliver events.
	Outbox() OutboxRelay
}

// Tx is one transaction scoped to one tenant. It is not safe for concurrent
// use and is invalid once the function passed to Store.Tx returns.
//
// A store may queue a write (to save a round trip per statement, or to
// take a write lock only at the end of the transaction) whose failure it
// can have the database detect (a duplicate key, a stale or
// missing version of an Update, a duplicate idempotency key inserted by a
// concurrent transaction), and report that failure from the Tx's next
// call or from Store.Tx at commit instead of from the call that queued
// it: the transaction is then lost, and every later call returns the
// same error. So a caller must not go on after a write as if its error
// were known: it ends fn with any error a call returns, and treats an
// error from Store.Tx as the failure of the whole transaction (which
// ErrConflict makes worth retrying). The postgres and sqlite adapters
// queue writes so; their docs say which.
//
// A Tx may also implement the optional abilities [OrderLister] and
// [MovementLister]; callers reach them through [ListOrders] and
// [Movements], which fall back as their docs say.
type Tx interface {
	// Tenant returns the tenant the transaction is scoped to.
	Tenant() string
	// Aggregates returns the repository of every versioned aggregate:
	// orders, payments, fulfillment orders, shipments, returns and stock
	// reservations. [Orders], [Payments] and the like give typed views.
	Aggregates() Aggregates
	// Inventory returns the catalogue, locations and stock levels.
	Inventory() InventoryRepository
	// Outbox returns the outbox to append events to.
	Outbox() Outbox
	// Idempotency returns the idempotency records.
	Idempotency() IdempotencyRepository
}

// OrderFilter selects orders; zero fields do not filter.
type OrderFilter struct {
	// Statuses keeps orders in any of these statuses.
	Statuses []order.Status
	// PaymentStatuses keeps orders whose payment summary,
	// Order.Payment.Status, is any of these.
	PaymentStatuses []order.PaymentStatus
	// Channel keeps orders from the channel of this name.
	Channel string
	// CustomerID keeps orders of this customer.
	CustomerID string
	// ExternalRef keeps orders with this channel order reference
	// (Order.ExternalRef), in any channel unless Channel narrows it.
	ExternalRef string
	// CreatedFrom keeps orders created at or after this time.
	CreatedFrom time.Time
	// CreatedBefore keeps orders created strictly before this time.
	CreatedBefore time.Time
	// Limit caps the page size: zero or negative means DefaultPageSize
	// (100), and a Limit above MaxPageSize (1000) means MaxPageSize. See
	// PageSize.
	Limit int
	// Cursor continues after the page that returned it (its Next); empty
	// starts at the beginning. Any other value is refused with
	// ErrInvalidCursor.
	Cursor string
}

// Page sizes of ListOrders and Aggregates.Scan.
const (
	// DefaultPageSize is the page size when OrderFilter.Limit is zero or
	// negative.
	DefaultPageSize = 100
	// MaxPageSize is the largest page ListOrders returns, whatever
	// OrderFilter.Limit asks for (callers page on with OrderPage.Next),
	// and the largest limit of Aggregates.Scan.
	MaxPageSize = 1000
)

// PageSize returns the most orders a page of f holds: f.Limit clamped to
// MaxPageSize, or DefaultPageSize when f.Limit is zero or negative.
// Adapters size their pages with it.
func (f OrderFilter) PageSize() int {
	switch {
	case f.Limit <= 0:
		return DefaultPageSize
	case f.Limit > MaxPageSize:
		return MaxPageSize
	}
	return f.Limit
}

// OrderPage is one page of orders.
type OrderPage struct {
	Orders []*order.Order
	// Next is the cursor of the following page, empty on the last page.
	Next string
}

// InventoryRepository stores the catalogue, locations and stock levels,
// and appends to the movement ledger if the store keeps one.
type InventoryRepository interface {
	// PutItem creates or replaces a catalogue item.
	PutItem(ctx context.Context, it inventory.Item) error
	// GetItem returns the item with this SKU, or ErrNotFound.
	GetItem(ctx context.Context, sku string) (inventory.Item, error)

	// CreateLocation stores a new location; ErrDuplicate if the ID or Code exists.
	CreateLocation(ctx context.Context, l *inventory.Location) error
	// GetLocation returns the location, or ErrNotFound.
	GetLocation(ctx context.Context, id uuid.UUID) (*inventory.Location, error)
	// ListLocations returns every location, ordered by Code.
	ListLocations(ctx context.Context) ([]*inventory.Location, error)

	// StockLevels returns the stock levels of these SKUs at every location
	// that has a level for them, ordered by SKU then location ID. A nil
	// slice of SKUs returns every level.
	StockLevels(ctx context.Context, skus []string) ([]inventory.StockLevel, error)
	// ApplyMovement changes one stock level by m's deltas as one atomic
	// conditional change, creating the level at zero if absent, and
	// returns m with its after-values filled; a store that keeps the
	// ledger ([MovementLister]) appends that to it. The change follows
	// inventory.StockLevel.Apply exactly: when it would leave on hand or
	// reserved negative, or reserved above on hand, nothing changes and the
	// error wraps inventory.ErrInsufficientStock.
	//
	// A SQL store locks the level until the transaction ends. A
	// transaction that changes several levels must apply its movements in
	// one global order, by SKU then location ID (byte order), so that
	// concurrent transactions sharing levels wait for each other instead
	// of deadlocking; a deadlock the database breaks anyway is reported as
	// ErrConflict, and the whole transaction may be retried.
	ApplyMovement(ctx context.Context, m inventory.Movement) (inventory.StockLevel, inventory.Movement, error)
}

// MovementFilter selects ledger entries; zero fields do not filter.
type MovementFilter struct {
	// SKU keeps movements of this SKU.
	SKU string
	// LocationID keeps movements at this location.
	LocationID uuid.UUID
	// OrderID keeps movements made for this order.
	OrderID uuid.UUID
}

// ReservationFilter selects reservations; zero fields do not filter.
type ReservationFilter struct {
	// OrderID keeps the reservations of this order.
	OrderID uuid.UUID
	// SKU keeps reservations of this SKU.
	SKU string
	// Status keeps reservations in this status.
	Status inventory.ReservationStatus
}

// Event is a state change recorded in the outbox in the same transaction as
// the change itself.
type Event struct {
	// ID is stable across redeliveries: subscribers de-duplicate on it.
	ID uuid.UUID
	// Tenant is the tenant whose aggregate changed.
	Tenant string
	// Type names the change, such as "order.placed".
	Type string
	// AggregateType and AggregateID name the aggregate that changed.
	AggregateType string
	AggregateID   uuid.UUID
	// Sequence is assigned by the store on append; it grows with every
	// appended event, so it orders each aggregate's events.
	Sequence int64
	// Payload is the event's JSON body.
	Payload json.RawMessage
	// OccurredAt is when the change happened, by the engine's clock.
	OccurredAt time.Time
}

// Outbox is the transactional side of the outbox.
type Outbox interface {
	// Append records events; they become visible to relays on commit.
	// The store may keep the events' payloads rather than copy them: the
	// caller does not change a payload after passing it to Append.
	Append(ctx context.Context, events ...Event) error
}

// OutboxRelay is the delivery side of the outbox, shared by all tenants.
// Several relays may claim concurrently.
type OutboxRelay interface {
	// Claim leases up to limit undelivered events to owner until
	// now+lease. It never hands out an event while an earlier event of the
	// same aggregate is undelivered and leased to another owner, and it
	// returns events in Sequence order, so each aggregate's events are
	// delivered in order. Events whose lease has expired may be claimed again.
	Claim(ctx context.Context, owner string, limit int, now time.Time, lease time.Duration) ([]Event, error)
	// Ack marks events delivered; they are never claimed again. Acking an
	// event leased to another owner, or already acked, is not an error.
	Ack(ctx context.Context, owner string, ids []uuid.UUID) error
	// Release gives back the owner's leases on these events without
	// delivering them, so they can be claimed again at once.
	Release(ctx context.Context, owner string, ids []uuid.UUID) error
}

// IdempotencyRecord remembers the result of a mutating operation under the
// key the caller gave, so a repeat returns the first result.
type IdempotencyRecord struct {
	// Key is the caller's idempotency key, unique per tenant.
	Key string
	// Operation names the engine operation ("place_order", ...).
	Operation string
	// ResourceID is the aggregate the operation created or changed.
	ResourceID uuid.UUID
	// CreatedAt is when the first attempt was recorded.
	CreatedAt time.Time
	// Fingerprint is a digest of the request the key was first used with
	// (the engine stores a SHA-256 hex string), so that a repeat with a
	// different request can be refused. Empty when the operation stores
	// none, and in records written before the field existed.
	Fingerprint string
}

// IdempotencyRepository stores idempotency records.
type IdempotencyRepository interface {
	// Get returns the record for key, or ErrNotFound.
	Get(ctx context.Context, key string) (IdempotencyRecord, error)
	// Put stores a record; ErrDuplicate if the key exists. When the key
	// was absent to this transaction's Get and a concurrent transaction
	// inserted it since, the error may come later (see Tx) and then also
	// wraps ErrConflict, so that retrying finds the record.
	Put(ctx context.Context, r IdempotencyRecord) error
	// Delete removes the record for key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}
