package storagetest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// tenantIsolation checks that a transaction of tenant B can neither see
// nor change tenant A's rows.
func (s suite) tenantIsolation(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	a := seed(t, ctx, st, tenantName("tenant-a"))
	ta, tb := a.tenant, tenantName("tenant-b")

	pay := buildPayment(t, ta, a.order, at(time.Hour))
	shp := buildShipment(t, ta, a.order, a.fulfillment, at(time.Hour))
	ret := buildReturn(t, ta, a.order, at(time.Hour))
	res := buildReservation(t, ta, a.order, 0, a.loc.ID, 2, at(time.Hour))
	const key = "place:tenant-a"
	inTx(t, ctx, st, ta, func(tx storage.Tx) error {
		require.NoError(t, storage.Payments(tx).Create(ctx, pay))
		require.NoError(t, storage.Shipments(tx).Create(ctx, shp))
		require.NoError(t, storage.Returns(tx).Create(ctx, ret))
		_, _, err := tx.Inventory().ApplyMovement(ctx, movement(t, ta, skuTee, a.loc.ID, inventory.MovementReceive, 10, uuid.Nil, at(time.Hour)))
		require.NoError(t, err)
		_, _, err = tx.Inventory().ApplyMovement(ctx, movement(t, ta, skuTee, a.loc.ID, inventory.MovementReserve, 2, a.order.ID, at(time.Hour)))
		require.NoError(t, err)
		require.NoError(t, storage.Reservations(tx).Create(ctx, res))
		return tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: key, Operation: "place_order", ResourceID: a.order.ID, CreatedAt: at(time.Hour)})
	})
	require.Equal(t, ta, a.order.Tenant)

	// Every read of A's rows from B finds nothing. Each runs in its own
	// transaction.
	notFound := map[string]func(tx storage.Tx) error{
		"order":       func(tx storage.Tx) error { _, err := storage.Orders(tx).Get(ctx, a.order.ID); return err },
		"payment":     func(tx storage.Tx) error { _, err := storage.Payments(tx).Get(ctx, pay.ID); return err },
		"fulfillment": func(tx storage.Tx) error { _, err := storage.Fulfillments(tx).Get(ctx, a.fulfillment.ID); return err },
		"shipment":    func(tx storage.Tx) error { _, err := storage.Shipments(tx).Get(ctx, shp.ID); return err },
		"return":      func(tx storage.Tx) error { _, err := storage.Returns(tx).Get(ctx, ret.ID); return err },
		"reservation": func(tx storage.Tx) error { _, err := storage.Reservations(tx).Get(ctx, res.ID); return err },
		"location":    func(tx storage.Tx) error { _, err := tx.Inventory().GetLocation(ctx, a.loc.ID); return err },
		"item":        func(tx storage.Tx) error { _, err := tx.Inventory().GetItem(ctx, skuTee); return err },
		"idempotency": func(tx storage.Tx) error { _, err := tx.Idempotency().Get(ctx, key); return err },
	}
	for what, get := range notFound {
		requireErrorIs(t, txErr(ctx, st, tb, get), storage.ErrNotFound, "tenant B reads tenant A's %s", what)
	}

	// Lists from B are empty.
	inTx(t, ctx, st, tb, func(tx storage.Tx) error {
		require.Equal(t, tb, tx.Tenant())
		page, err := storage.ListOrders(ctx, tx, storage.OrderFilter{})
		require.NoError(t, err)
		require.Empty(t, page.Orders, "Orders().List")
		require.Empty(t, page.Next)
		ps, err := storage.Payments(tx).ListByOrder(ctx, a.order.ID)
		require.NoError(t, err)
		require.Empty(t, ps, "Payments().ListByOrder")
		fs, err := storage.Fulfillments(tx).ListByOrder(ctx, a.order.ID)
		require.NoError(t, err)
		require.Empty(t, fs, "Fulfillments().ListByOrder")
		ss, err := storage.Shipments(tx).ListByOrder(ctx, a.order.ID)
		require.NoError(t, err)
		require.Empty(t, ss, "Shipments().ListByOrder")
		rs, err := storage.Returns(tx).ListByOrder(ctx, a.order.ID)
		require.NoError(t, err)
		require.Empty(t, rs, "Returns().ListByOrder")
		for _, k := range storage.Kinds() {
			as, err := tx.Aggregates().Scan(ctx, k, uuid.Nil, storage.MaxPageSize)
			require.NoError(t, err)
			require.Empty(t, as, "Aggregates().Scan of %s", k)
		}
		ls, err := tx.Inventory().ListLocations(ctx)
		require.NoError(t, err)
		require.Empty(t, ls, "ListLocations")
		lv, err := tx.Inventory().StockLevels(ctx, nil)
		require.NoError(t, err)
		require.Empty(t, lv, "StockLevels(nil)")
		lv, err = tx.Inventory().StockLevels(ctx, []string{skuTee})
		require.NoError(t, err)
		require.Empty(t, lv, "StockLevels(TEE)")
		require.Empty(t, s.ledger(t, ctx, tx, storage.MovementFilter{}), "Movements")
		require.Empty(t, s.ledger(t, ctx, tx, storage.MovementFilter{LocationID: a.loc.ID}), "Movements at A's location")
		rv, err := storage.ListReservations(ctx, tx, storage.ReservationFilter{})
		require.NoError(t, err)
		require.Empty(t, rv, "ListReservations")
		rv, err = storage.ListReservations(ctx, tx, storage.ReservationFilter{OrderID: a.order.ID})
		require.NoError(t, err)
		require.Empty(t, rv, "ListReservations of A's order")
		return nil
	})

	// Writes from B do not reach A's rows.
	var aOrder *order.Order
	inTx(t, ctx, st, ta, func(tx storage.Tx) error {
		o, err := storage.Orders(tx).Get(ctx, a.order.ID)
		aOrder = o
		return err
	})
	stolen := aOrder.Clone()
	stolen.Customer.Name = "Mallory"
	err := txErr(ctx, st, tb, func(tx storage.Tx) error { return storage.Orders(tx).Update(ctx, stolen) })
	requireErrorIs(t, err, storage.ErrNotFound, "tenant B updates tenant A's order")

	stolenPay := pay.Clone()
	mutatePayment(t, stolenPay, at(2*time.Hour))
	err = txErr(ctx, st, tb, func(tx storage.Tx) error { return storage.Payments(tx).Update(ctx, stolenPay) })
	requireErrorIs(t, err, storage.ErrNotFound, "tenant B updates tenant A's payment")

	stolenRes := res.Clone()
	require.NoError(t, stolenRes.Release(at(2*time.Hour)))
	err = txErr(ctx, st, tb, func(tx storage.Tx) error { return storage.Reservations(tx).Update(ctx, stolenRes) })
	requireErrorIs(t, err, storage.ErrNotFound, "tenant B updates tenant A's reservation")

	err = txErr(ctx, st, tb, func(tx storage.Tx) error {
		_, _, err := tx.Inventory().ApplyMovement(ctx, movement(t, tb, skuTee, a.loc.ID, inventory.MovementReceive, 5, uuid.Nil, at(2*time.Hour)))
		return err
	})
	requireErrorIs(t, err, storage.ErrNotFound, "tenant B moves stock at tenant A's location")
	err = txErr(ctx, st, tb, func(tx storage.Tx) error {
		_, _, err := tx.Inventory().ApplyMovement(ctx, movement(t, tb, skuTee, a.loc.ID, inventory.MovementReserve, 1, uuid.Nil, at(2*time.Hour)))
		return err
	})
	require.Error(t, err, "tenant B reserves stock at tenant A's location")

	// B may reuse A's location code, SKUs and idempotency key; its rows are
	// its own.
	locB := buildLocation(tb, a.loc.Code, at(2*time.Hour))
	inTx(t, ctx, st, tb, func(tx storage.Tx) error {
		require.NoError(t, tx.Inventory().CreateLocation(ctx, locB))
		require.NoError(t, tx.Inventory().PutItem(ctx, inventory.Item{Tenant: tb, SKU: skuTee, Name: "B's tee", CreatedAt: at(2 * time.Hour)}))
		_, _, err := tx.Inventory().ApplyMovement(ctx, movement(t, tb, skuTee, locB.ID, inventory.MovementReceive, 3, uuid.Nil, at(2*time.Hour)))
		require.NoError(t, err)
		return tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: key, Operation: "place_order", ResourceID: newID(), CreatedAt: at(2 * time.Hour)})
	})
	inTx(t, ctx, st, tb, func(tx storage.Tx) error {
		ls, err := tx.Inventory().ListLocations(ctx)
		require.NoError(t, err)
		requireJSONEq(t, []*inventory.Location{locB}, ls)
		requireLevel(t, tx, skuTee, locB.ID, 3, 0)
		lv, err := tx.Inventory().StockLevels(ctx, nil)
		require.NoError(t, err)
		require.Len(t, lv, 1)
		return nil
	})

	// A's rows are unchanged.
	inTx(t, ctx, st, ta, func(tx storage.Tx) error {
		o, err := storage.Orders(tx).Get(ctx, a.order.ID)
		require.NoError(t, err)
		requireJSONEq(t, aOrder, o, "tenant A's order changed")
		p, err := storage.Payments(tx).Get(ctx, pay.ID)
		require.NoError(t, err)
		requireJSONEq(t, pay, p, "tenant A's payment changed")
		rv, err := storage.ListReservations(ctx, tx, storage.ReservationFilter{})
		require.NoError(t, err)
		requireJSONEq(t, []*inventory.Reservation{res}, rv, "tenant A's reservations changed")
		requireLevel(t, tx, skuTee, a.loc.ID, 10, 2)
		lv, err := tx.Inventory().StockLevels(ctx, nil)
		require.NoError(t, err)
		require.Len(t, lv, 1, "tenant A's stock levels")
		if s.features.Ledger {
			require.Len(t, s.ledger(t, ctx, tx, storage.MovementFilter{}), 2, "tenant A's ledger")
		}
		it, err := tx.Inventory().GetItem(ctx, skuTee)
		require.NoError(t, err)
		require.Equal(t, "Item "+skuTee, it.Name, "tenant A's item changed")
		ls, err := tx.Inventory().ListLocations(ctx)
		require.NoError(t, err)
		requireJSONEq(t, []*inventory.Location{a.loc}, ls, "tenant A's locations changed")
		rec, err := tx.Idempotency().Get(ctx, key)
		require.NoError(t, err)
		require.Equal(t, a.order.ID, rec.ResourceID, "tenant A's idempotency record changed")
		return nil
	})
}
