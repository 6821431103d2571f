package storage

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
)

// Kind names one kind of versioned aggregate. A store keeps each kind
// apart (a table, a collection) and must accept every kind [Kinds] lists.
type Kind string

// The kinds of versioned aggregate.
const (
	KindOrder       Kind = "order"       // *order.Order
	KindPayment     Kind = "payment"     // *payment.Payment
	KindFulfillment Kind = "fulfillment" // *fulfillment.FulfillmentOrder
	KindShipment    Kind = "shipment"    // *shipping.Shipment
	KindReturn      Kind = "return"      // *returns.Return
	KindReservation Kind = "reservation" // *inventory.Reservation
)

// Kinds returns every kind of versioned aggregate, in a fixed order. A
// store that keeps a table per kind creates one for each.
func Kinds() []Kind {
	return []Kind{KindOrder, KindPayment, KindFulfillment, KindShipment, KindReturn, KindReservation}
}

// Aggregate is a versioned aggregate: a pointer to one of the types the
// [Kind] constants name. [Describe] tells its kind, ID, order and version.
type Aggregate any

// Versioned is the set of aggregate types, the constraint of [Repository].
type Versioned interface {
	*order.Order | *payment.Payment | *fulfillment.FulfillmentOrder |
		*shipping.Shipment | *returns.Return | *inventory.Reservation
}

// Meta is what a store needs to know to keep an aggregate.
type Meta struct {
	// Kind is the aggregate's kind.
	Kind Kind
	// ID identifies the aggregate among those of its kind and tenant.
	ID uuid.UUID
	// OrderID is the order the aggregate belongs to: an order's own ID
	// for an order. ListByOrder selects on it.
	OrderID uuid.UUID
	// Tenant is the tenant the aggregate belongs to.
	Tenant string
	// Version is the stored version the aggregate was read at, zero
	// before it is first stored.
	Version int64
	// CreatedAt is when the aggregate was created; lists are ordered by
	// it, then by ID.
	CreatedAt time.Time
}

// ErrNotAggregate means a value given as an [Aggregate] is not one of the
// aggregate types, or a [Kind] is not one of the constants.
var ErrNotAggregate = fmt.Errorf("storage: not a versioned aggregate: %w", ErrInvalidValue)

// Describe returns a's Meta, or an error wrapping [ErrNotAggregate] when a
// is nil or not an aggregate.
func Describe(a Aggregate) (Meta, error) {
	switch v := a.(type) {
	case *order.Order:
		if v != nil {
			return Meta{KindOrder, v.ID, v.ID, v.Tenant, v.Version, v.CreatedAt}, nil
		}
	case *payment.Payment:
		if v != nil {
			return Meta{KindPayment, v.ID, v.OrderID, v.Tenant, v.Version, v.CreatedAt}, nil
		}
	case *fulfillment.FulfillmentOrder:
		if v != nil {
			return Meta{KindFulfillment, v.ID, v.OrderID, v.Tenant, v.Version, v.CreatedAt}, nil
		}
	case *shipping.Shipment:
		if v != nil {
			return Meta{KindShipment, v.ID, v.OrderID, v.Tenant, v.Version, v.CreatedAt}, nil
		}
	case *returns.Return:
		if v != nil {
			return Meta{KindReturn, v.ID, v.OrderID, v.Tenant, v.Version, v.CreatedAt}, nil
		}
	case *inventory.Reservation:
		if v != nil {
			return Meta{KindReservation, v.ID, v.OrderID, v.Tenant, v.Version, v.CreatedAt}, nil
		}
	}
	return Meta{}, fmt.Errorf("%T: %w", a, ErrNotAggregate)
}

// SetVersion sets a's version; a store calls it when it writes or reads a.
// It does nothing when a is not an aggregate.
func SetVersion(a Aggregate, version int64) {
	if _, err := Describe(a); err != nil {
		return
	}
	if p := bookkeepingOf(a).version; p != nil {
		*p = version
	}
}

// New returns a new, zero aggregate of kind, for a store to decode a
// stored document into; an error wrapping [ErrNotAggregate] for an
// unknown kind.
func New(kind Kind) (Aggregate, error) {
	switch kind {
	case KindOrder:
		return new(order.Order), nil
	case KindPayment:
		return new(payment.Payment), nil
	case KindFulfillment:
		return new(fulfillment.FulfillmentOrder), nil
	case KindShipment:
		return new(shipping.Shipment), nil
	case KindReturn:
		return new(returns.Return), nil
	case KindReservation:
		return new(inventory.Reservation), nil
	}
	return nil, fmt.Errorf("kind %q: %w", kind, ErrNotAggregate)
}

// Clone returns a deep copy of a, for a store that keeps values in memory;
// nil when a is not an aggregate.
func Clone(a Aggregate) Aggregate {
	switch v := a.(type) {
	case *order.Order:
		return v.Clone()
	case *payment.Payment:
		return v.Clone()
	case *fulfillment.FulfillmentOrder:
		return v.Clone()
	case *shipping.Shipment:
		return v.Clone()
	case *returns.Return:
		return v.Clone()
	case *inventory.Reservation:
		return v.Clone()
	}
	return nil
}

// Aggregates is the one repository of every versioned aggregate, the part
// of a transaction a store implements once for all kinds. A new kind of
// aggregate costs a store a table, not a new interface.
//
// Every method is scoped to the transaction's tenant. A value passed in is
// the caller's: a store that keeps values in memory keeps a [Clone], and
// it returns values the caller may change freely.
type Aggregates interface {
	// Create stores a new aggregate and sets its version to 1. It returns
	// ErrDuplicate if an aggregate of the same kind has its ID, and an
	// error wrapping ErrNotAggregate if a is not an aggregate.
	Create(ctx context.Context, a Aggregate) error
	// Get returns the aggregate of kind with this ID, its version set to
	// the stored one, or ErrNotFound.
	Get(ctx context.Context, kind Kind, id uuid.UUID) (Aggregate, error)
	// Update stores a if its version is the stored one, and increments
	// a's version; ErrConflict if the version is stale, ErrNotFound if
	// there is no such aggregate. On rollback, a's version is restored.
	// An aggregate's order (Meta.OrderID) never changes: a store may keep
	// the one it was created with.
	Update(ctx context.Context, a Aggregate) error
	// ListByOrder returns the aggregates of kind that belong to the order
	// (Meta.OrderID), oldest first: by CreatedAt, then by ID. For
	// KindOrder it returns the order itself, if it exists.
	ListByOrder(ctx context.Context, kind Kind, orderID uuid.UUID) ([]Aggregate, error)
	// Scan returns up to limit aggregates of kind whose ID is above
	// after (uuid.Nil starts at the beginning), by ID in byte order.
	// Callers pass a limit from 1 to MaxPageSize; a store returns nothing
	// for a limit below 1 and at most MaxPageSize aggregates. It lets
	// every listing work on a store without the optional abilities.
	Scan(ctx context.Context, kind Kind, after uuid.UUID, limit int) ([]Aggregate, error)
}

// Repository is the typed view of [Aggregates] for one type of aggregate:
// what the engine and tests use. Get it from [Orders], [Payments],
// [Fulfillments], [Shipments], [Returns] or [Reservations].
type Repository[T Versioned] struct {
	tx   Tx
	kind Kind
}

// repository returns tx's repository of T, whose kind is kind.
func repository[T Versioned](tx Tx, kind Kind) Repository[T] {
	return Repository[T]{tx: tx, kind: kind}
}

// Orders returns tx's orders.
func Orders(tx Tx) Repository[*order.Order] { return repository[*order.Order](tx, KindOrder) }

// Payments returns tx's payments.
func Payments(tx Tx) Repository[*payment.Payment] {
	return repository[*payment.Payment](tx, KindPayment)
}

// Fulfillments returns tx's fulfillment orders.
func Fulfillments(tx Tx) Repository[*fulfillment.FulfillmentOrder] {
	return repository[*fulfillment.FulfillmentOrder](tx, KindFulfillment)
}

// Shipments returns tx's shipments.
func Shipments(tx Tx) Repository[*shipping.Shipment] {
	return repository[*shipping.Shipment](tx, KindShipment)
}

// Returns returns tx's returns (RMAs).
func Returns(tx Tx) Repository[*returns.Return] {
	return repository[*returns.Return](tx, KindReturn)
}

// Reservations returns tx's stock reservations.
func Reservations(tx Tx) Repository[*inventory.Reservation] {
	return repository[*inventory.Reservation](tx, KindReservation)
}

// Create stores a new aggregate with version 1; ErrDuplicate if its ID exists.
func (r Repository[T]) Create(ctx context.Context, v T) error {
	return r.tx.Aggregates().Create(ctx, v)
}

// Get returns the aggregate with this ID, or ErrNotFound.
func (r Repository[T]) Get(ctx context.Context, id uuid.UUID) (T, error) {
	a, err := r.tx.Aggregates().Get(ctx, r.kind, id)
	if err != nil {
		var zero T
		return zero, err
	}
	return r.typed(a)
}

// Update stores v if its version is current, else ErrConflict; ErrNotFound
// if absent.
func (r Repository[T]) Update(ctx context.Context, v T) error {
	return r.tx.Aggregates().Update(ctx, v)
}

// ListByOrder returns the order's aggregates of this type, oldest first.
func (r Repository[T]) ListByOrder(ctx context.Context, orderID uuid.UUID) ([]T, error) {
	as, err := r.tx.Aggregates().ListByOrder(ctx, r.kind, orderID)
	if err != nil {
		return nil, err
	}
	return r.typedAll(as)
}

// All returns every aggregate of this type in the tenant, by ID, reading
// them a page of MaxPageSize at a time with Scan.
func (r Repository[T]) All(ctx context.Context) ([]T, error) {
	var out []T
	after := uuid.Nil
	for {
		as, err := r.tx.Aggregates().Scan(ctx, r.kind, after, MaxPageSize)
		if err != nil {
			return nil, err
		}
		page, err := r.typedAll(as)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(as) < MaxPageSize {
			return out, nil
		}
		m, err := Describe(as[len(as)-1])
		if err != nil {
			return nil, err
		}
		after = m.ID
	}
}

// typed converts a store's answer to T.
func (r Repository[T]) typed(a Aggregate) (T, error) {
	v, ok := a.(T)
	if !ok {
		var zero T
		return zero, fmt.Errorf("storage: store returned %T for kind %s: %w", a, r.kind, ErrNotAggregate)
	}
	return v, nil
}

// typedAll converts a store's answers to T.
func (r Repository[T]) typedAll(as []Aggregate) ([]T, error) {
	out := make([]T, 0, len(as))
	for _, a := range as {
		v, err := r.typed(a)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
