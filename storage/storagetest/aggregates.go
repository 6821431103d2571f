package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/fulfillment"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/payment"
	"github.com/ordersmith/oms/returns"
	"github.com/ordersmith/oms/shipping"
	"github.com/ordersmith/oms/storage"
)

// aggCase describes one versioned aggregate and its repository, so that
// the same checks run over every repository.
type aggCase[T any] struct {
	name    string
	build   func(t *testing.T, w *world, when time.Time) *T
	mutate  func(t *testing.T, v *T, when time.Time)
	id      func(v *T) uuid.UUID
	version func(v *T) int64
	clone   func(v *T) *T
	create  func(ctx context.Context, tx storage.Tx, v *T) error
	get     func(ctx context.Context, tx storage.Tx, id uuid.UUID) (*T, error)
	update  func(ctx context.Context, tx storage.Tx, v *T) error
	// list returns the aggregates of an order; nil for orders.
	list func(ctx context.Context, tx storage.Tx, orderID uuid.UUID) ([]*T, error)
}

// aggTest is an aggCase with its type erased.
type aggTest struct {
	name     string
	crud     func(s suite) func(t *testing.T)
	versions func(s suite) func(t *testing.T)
}

func erase[T any](c aggCase[T]) aggTest {
	return aggTest{
		name:     c.name,
		crud:     func(s suite) func(t *testing.T) { return func(t *testing.T) { t.Parallel(); c.testCRUD(t, s) } },
		versions: func(s suite) func(t *testing.T) { return func(t *testing.T) { t.Parallel(); c.testVersions(t, s) } },
	}
}

// aggregates lists every versioned aggregate repository.
func aggregates() []aggTest {
	return []aggTest{
		erase(aggCase[order.Order]{
			name: "Orders",
			build: func(t *testing.T, w *world, when time.Time) *order.Order {
				return buildConfirmedOrder(t, w.tenant, when)
			},
			mutate:  mutateOrder,
			id:      func(v *order.Order) uuid.UUID { return v.ID },
			version: func(v *order.Order) int64 { return v.Version },
			clone:   (*order.Order).Clone,
			create: func(ctx context.Context, tx storage.Tx, v *order.Order) error {
				return storage.Orders(tx).Create(ctx, v)
			},
			get: func(ctx context.Context, tx storage.Tx, id uuid.UUID) (*order.Order, error) {
				return storage.Orders(tx).Get(ctx, id)
			},
			update: func(ctx context.Context, tx storage.Tx, v *order.Order) error {
				return storage.Orders(tx).Update(ctx, v)
			},
		}),
		erase(aggCase[payment.Payment]{
			name: "Payments",
			build: func(t *testing.T, w *world, when time.Time) *payment.Payment {
				return buildPayment(t, w.tenant, w.order, when)
			},
			mutate:  mutatePayment,
			id:      func(v *payment.Payment) uuid.UUID { return v.ID },
			version: func(v *payment.Payment) int64 { return v.Version },
			clone:   (*payment.Payment).Clone,
			create: func(ctx context.Context, tx storage.Tx, v *payment.Payment) error {
				return storage.Payments(tx).Create(ctx, v)
			},
			get: func(ctx context.Context, tx storage.Tx, id uuid.UUID) (*payment.Payment, error) {
				return storage.Payments(tx).Get(ctx, id)
			},
			update: func(ctx context.Context, tx storage.Tx, v *payment.Payment) error {
				return storage.Payments(tx).Update(ctx, v)
			},
			list: func(ctx context.Context, tx storage.Tx, orderID uuid.UUID) ([]*payment.Payment, error) {
				return storage.Payments(tx).ListByOrder(ctx, orderID)
			},
		}),
		erase(aggCase[fulfillment.FulfillmentOrder]{
			name: "Fulfillments",
			build: func(t *testing.T, w *world, when time.Time) *fulfillment.FulfillmentOrder {
				return buildFulfillment(t, w.tenant, w.order, w.loc.ID, when)
			},
			mutate:  mutateFulfillment,
			id:      func(v *fulfillment.FulfillmentOrder) uuid.UUID { return v.ID },
			version: func(v *fulfillment.FulfillmentOrder) int64 { return v.Version },
			clone:   (*fulfillment.FulfillmentOrder).Clone,
			create: func(ctx context.Context, tx storage.Tx, v *fulfillment.FulfillmentOrder) error {
				return storage.Fulfillments(tx).Create(ctx, v)
			},
			get: func(ctx context.Context, tx storage.Tx, id uuid.UUID) (*fulfillment.FulfillmentOrder, error) {
				return storage.Fulfillments(tx).Get(ctx, id)
			},
			update: func(ctx context.Context, tx storage.Tx, v *fulfillment.FulfillmentOrder) error {
				return storage.Fulfillments(tx).Update(ctx, v)
			},
			list: func(ctx context.Context, tx storage.Tx, orderID uuid.UUID) ([]*fulfillment.FulfillmentOrder, error) {
				return storage.Fulfillments(tx).ListByOrder(ctx, orderID)
			},
		}),
		erase(aggCase[shipping.Shipment]{
			name: "Shipments",
			build: func(t *testing.T, w *world, when time.Time) *shipping.Shipment {
				return buildShipment(t, w.tenant, w.order, w.fulfillment, when)
			},
			mutate:  mutateShipment,
			id:      func(v *shipping.Shipment) uuid.UUID { return v.ID },
			version: func(v *shipping.Shipment) int64 { return v.Version },
			clone:   (*shipping.Shipment).Clone,
			create: func(ctx context.Context, tx storage.Tx, v *shipping.Shipment) error {
				return storage.Shipments(tx).Create(ctx, v)
			},
			get: func(ctx context.Context, tx storage.Tx, id uuid.UUID) (*shipping.Shipment, error) {
				return storage.Shipments(tx).Get(ctx, id)
			},
			update: func(ctx context.Context, tx storage.Tx, v *shipping.Shipment) error {
				return storage.Shipments(tx).Update(ctx, v)
			},
			list: func(ctx context.Context, tx storage.Tx, orderID uuid.UUID) ([]*shipping.Shipment, error) {
				return storage.Shipments(tx).ListByOrder(ctx, orderID)
			},
		}),
		erase(aggCase[returns.Return]{
			name: "Returns",
			build: func(t *testing.T, w *world, when time.Time) *returns.Return {
				return buildReturn(t, w.tenant, w.order, when)
			},
			mutate:  mutateReturn,
			id:      func(v *returns.Return) uuid.UUID { return v.ID },
			version: func(v *returns.Return) int64 { return v.Version },
			clone:   (*returns.Return).Clone,
			create: func(ctx context.Context, tx storage.Tx, v *returns.Return) error {
				return storage.Returns(tx).Create(ctx, v)
			},
			get: func(ctx context.Context, tx storage.Tx, id uuid.UUID) (*returns.Return, error) {
				return storage.Returns(tx).Get(ctx, id)
			},
			update: func(ctx context.Context, tx storage.Tx, v *returns.Return) error {
				return storage.Returns(tx).Update(ctx, v)
			},
			list: func(ctx context.Context, tx storage.Tx, orderID uuid.UUID) ([]*returns.Return, error) {
				return storage.Returns(tx).ListByOrder(ctx, orderID)
			},
		}),
	}
}

// testCRUD checks Create, Get, Update and ListByOrder: round trips,
// ErrNotFound and ErrDuplicate.
func (c aggCase[T]) testCRUD(t *testing.T, s suite) {
	ctx := ctxFor(t)
	st := s.store(t)
	w := seed(t, ctx, st, tenantName("crud"))

	// The world may already hold rows of this kind (its fulfillment),
	// created before any of the rows below.
	var baseOrder, baseOther []*T
	if c.list != nil {
		inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
			var err error
			baseOrder, err = c.list(ctx, tx, w.order.ID)
			require.NoError(t, err)
			baseOther, err = c.list(ctx, tx, w.other.ID)
			require.NoError(t, err)
			return nil
		})
	}

	v := c.build(t, w, at(time.Hour))
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		require.NoError(t, c.create(ctx, tx, v))
		got, err := c.get(ctx, tx, c.id(v))
		require.NoError(t, err)
		requireJSONEq(t, v, got, "Get in the transaction that created it")
		return nil
	})

	// Get returns what Create stored, in a later transaction.
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		got, err := c.get(ctx, tx, c.id(v))
		require.NoError(t, err)
		requireJSONEq(t, v, got, "Get after Create")
		return nil
	})

	// Get returns a copy: changing it does not change the stored row.
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		got, err := c.get(ctx, tx, c.id(v))
		require.NoError(t, err)
		c.mutate(t, got, at(90*time.Minute))
		again, err := c.get(ctx, tx, c.id(v))
		require.NoError(t, err)
		requireJSONEq(t, v, again, "changing a returned copy changed the stored row")
		return nil
	})

	// Update round trip.
	c.mutate(t, v, at(2*time.Hour))
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error { return c.update(ctx, tx, v) })
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		got, err := c.get(ctx, tx, c.id(v))
		require.NoError(t, err)
		requireJSONEq(t, v, got, "Get after Update")
		return nil
	})

	// Missing ID.
	err := txErr(ctx, st, w.tenant, func(tx storage.Tx) error {
		_, err := c.get(ctx, tx, newID())
		return err
	})
	requireErrorIs(t, err, storage.ErrNotFound, "Get of a missing ID")

	// Existing ID.
	dup := c.clone(v)
	err = txErr(ctx, st, w.tenant, func(tx storage.Tx) error { return c.create(ctx, tx, dup) })
	requireErrorIs(t, err, storage.ErrDuplicate, "Create of an existing ID")
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		got, err := c.get(ctx, tx, c.id(v))
		require.NoError(t, err)
		requireJSONEq(t, v, got, "a refused Create changed the stored row")
		return nil
	})

	if c.list == nil {
		return
	}
	// ListByOrder: oldest first, only the order's rows. v was created at
	// +1h; add one earlier and one later, and one of another order.
	early := c.build(t, w, at(30*time.Minute))
	late := c.build(t, w, at(3*time.Hour))
	otherWorld := *w
	otherWorld.order = w.other
	foreign := c.build(t, &otherWorld, at(4*time.Hour))
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		for _, x := range []*T{late, foreign, early} {
			if err := c.create(ctx, tx, x); err != nil {
				return err
			}
		}
		return nil
	})
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		got, err := c.list(ctx, tx, w.order.ID)
		require.NoError(t, err)
		requireJSONEq(t, append(baseOrder, early, v, late), got, "ListByOrder")

		got, err = c.list(ctx, tx, w.other.ID)
		require.NoError(t, err)
		requireJSONEq(t, append(baseOther, foreign), got, "ListByOrder of the other order")

		got, err = c.list(ctx, tx, newID())
		require.NoError(t, err)
		require.Empty(t, got, "ListByOrder of an order without rows")
		return nil
	})
}

// testVersions checks optimistic versions: Create sets 1, Update bumps, a
// stale Update fails with ErrConflict and changes nothing, an Update of a
// missing row fails with ErrNotFound.
func (c aggCase[T]) testVersions(t *testing.T, s suite) {
	ctx := ctxFor(t)
	st := s.store(t)
	w := seed(t, ctx, st, tenantName("versions"))

	v := c.build(t, w, at(time.Hour))
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error { return c.create(ctx, tx, v) })
	require.EqualValues(t, 1, c.version(v), "Create sets Version to 1 on the passed aggregate")

	var first, stale *T
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		var err error
		first, err = c.get(ctx, tx, c.id(v))
		require.NoError(t, err)
		require.EqualValues(t, 1, c.version(first), "stored Version after Create")
		stale, err = c.get(ctx, tx, c.id(v))
		require.NoError(t, err)
		return nil
	})

	c.mutate(t, first, at(2*time.Hour))
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error { return c.update(ctx, tx, first) })
	require.EqualValues(t, 2, c.version(first), "Update bumps Version on the passed aggregate")
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		got, err := c.get(ctx, tx, c.id(v))
		require.NoError(t, err)
		require.EqualValues(t, 2, c.version(got), "stored Version after Update")
		requireJSONEq(t, first, got)
		return nil
	})

	// The stale copy still says Version 1.
	c.mutate(t, stale, at(3*time.Hour))
	err := txErr(ctx, st, w.tenant, func(tx storage.Tx) error { return c.update(ctx, tx, stale) })
	requireErrorIs(t, err, storage.ErrConflict, "Update with a stale Version")
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		got, err := c.get(ctx, tx, c.id(v))
		require.NoError(t, err)
		requireJSONEq(t, first, got, "a stale Update changed the stored row")
		return nil
	})

	// A second Update of the current copy bumps again.
	again := c.clone(first)
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error { return c.update(ctx, tx, again) })
	require.EqualValues(t, 3, c.version(again))

	// Update of a row that was never created.
	missing := c.build(t, w, at(4*time.Hour))
	err = txErr(ctx, st, w.tenant, func(tx storage.Tx) error { return c.update(ctx, tx, missing) })
	requireErrorIs(t, err, storage.ErrNotFound, "Update of a missing row")
}
