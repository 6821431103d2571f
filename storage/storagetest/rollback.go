package storagetest

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/order"
	"github.com/ordersmith/oms/storage"
)

// rollback checks that a transaction whose function fails or panics leaves
// nothing behind.
func (s suite) rollback(t *testing.T) {
	t.Parallel()
	t.Run("Error", func(t *testing.T) { t.Parallel(); s.rollbackCase(t, false) })
	t.Run("Panic", func(t *testing.T) { t.Parallel(); s.rollbackCase(t, true) })
}

// errRollback is what the failing transactions return.
var errRollback = errors.New("storagetest: fn failed on purpose")

// rollbackState is everything a failed transaction might have changed.
type rollbackState struct {
	updated      *order.Order
	levels       []inventory.StockLevel
	movements    []inventory.Movement
	reservations []*inventory.Reservation
	locations    []*inventory.Location
	items        []inventory.Item
}

func (s suite) rollbackCase(t *testing.T, panics bool) {
	ctx := ctxFor(t)
	st := s.store(t)
	w := seed(t, ctx, st, tenantName("rollback"))
	tenant, loc := w.tenant, w.loc.ID
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		_, _, err := tx.Inventory().ApplyMovement(ctx, movement(t, tenant, skuTee, loc, inventory.MovementReceive, 10, uuid.Nil, at(time.Minute)))
		return err
	})
	read := func() rollbackState {
		t.Helper()
		var rs rollbackState
		inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
			var err error
			rs.updated, err = storage.Orders(tx).Get(ctx, w.other.ID)
			require.NoError(t, err)
			rs.levels, err = tx.Inventory().StockLevels(ctx, nil)
			require.NoError(t, err)
			rs.movements = s.ledger(t, ctx, tx, storage.MovementFilter{})
			rs.reservations, err = storage.ListReservations(ctx, tx, storage.ReservationFilter{})
			require.NoError(t, err)
			rs.locations, err = tx.Inventory().ListLocations(ctx)
			require.NoError(t, err)
			for _, sku := range []string{skuTee, skuMug, skuCap, skuSock} {
				it, err := tx.Inventory().GetItem(ctx, sku)
				require.NoError(t, err)
				rs.items = append(rs.items, it)
			}
			return nil
		})
		return rs
	}
	before := read()

	created := buildConfirmedOrder(t, tenant, at(time.Hour))
	pay := buildPayment(t, tenant, w.order, at(time.Hour))
	ful := buildFulfillment(t, tenant, w.order, loc, at(time.Hour))
	shp := buildShipment(t, tenant, w.order, w.fulfillment, at(time.Hour))
	ret := buildReturn(t, tenant, w.order, at(time.Hour))
	res := buildReservation(t, tenant, w.order, 0, loc, 2, at(time.Hour))
	newLoc := buildLocation(tenant, "WH-TEMP", at(time.Hour))
	event := storage.Event{
		ID: newID(), Tenant: tenant, Type: "order.placed", AggregateType: "order", AggregateID: created.ID,
		Payload: json.RawMessage(`{"order_id":"` + created.ID.String() + `"}`), OccurredAt: at(time.Hour),
	}
	const key = "place:rollback"
	const newSKU = "NEW-SKU"

	fn := func(tx storage.Tx) error {
		require.NoError(t, storage.Orders(tx).Create(ctx, created))
		upd, err := storage.Orders(tx).Get(ctx, w.other.ID)
		require.NoError(t, err)
		require.NoError(t, upd.Hold(ctx, "fraud check", at(time.Hour)))
		require.NoError(t, storage.Orders(tx).Update(ctx, upd))
		require.NoError(t, storage.Payments(tx).Create(ctx, pay))
		require.NoError(t, storage.Fulfillments(tx).Create(ctx, ful))
		require.NoError(t, storage.Shipments(tx).Create(ctx, shp))
		require.NoError(t, storage.Returns(tx).Create(ctx, ret))
		fo, err := storage.Fulfillments(tx).Get(ctx, w.fulfillment.ID)
		require.NoError(t, err)
		mutateFulfillment(t, fo, at(time.Hour))
		require.NoError(t, storage.Fulfillments(tx).Update(ctx, fo))
		_, _, err = tx.Inventory().ApplyMovement(ctx, movement(t, tenant, skuTee, loc, inventory.MovementReserve, 2, w.order.ID, at(time.Hour)))
		require.NoError(t, err)
		_, _, err = tx.Inventory().ApplyMovement(ctx, movement(t, tenant, skuMug, loc, inventory.MovementReceive, 4, uuid.Nil, at(time.Hour)))
		require.NoError(t, err)
		require.NoError(t, storage.Reservations(tx).Create(ctx, res))
		require.NoError(t, tx.Outbox().Append(ctx, event))
		require.NoError(t, tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: key, Operation: "place_order", ResourceID: created.ID, CreatedAt: at(time.Hour)}))
		require.NoError(t, tx.Inventory().PutItem(ctx, inventory.Item{Tenant: tenant, SKU: newSKU, Name: "New", CreatedAt: at(time.Hour)}))
		require.NoError(t, tx.Inventory().PutItem(ctx, inventory.Item{Tenant: tenant, SKU: skuTee, Name: "Renamed", CreatedAt: at(time.Hour)}))
		require.NoError(t, tx.Inventory().CreateLocation(ctx, newLoc))
		if panics {
			panic(errRollback)
		}
		return fmt.Errorf("wrapped: %w", errRollback)
	}

	if panics {
		var err error
		recovered := func() (r any) {
			defer func() { r = recover() }()
			err = st.Tx(ctx, tenant, fn)
			return nil
		}()
		if recovered == nil {
			// An adapter may turn the panic into an error instead of
			// propagating it; it must not report success.
			require.Error(t, err, "Tx reported success although fn panicked")
		} else {
			require.Equal(t, errRollback, recovered, "Tx re-panicked with another value")
		}
	} else {
		err := st.Tx(ctx, tenant, fn)
		requireErrorIs(t, err, errRollback, "Tx returns fn's error")
		require.Equal(t, "wrapped: "+errRollback.Error(), err.Error(), "Tx returns fn's error unchanged")
	}

	// Nothing fn wrote is visible.
	after := read()
	requireJSONEq(t, before, after, "a failed transaction left changes behind")
	notFound := map[string]func(tx storage.Tx) error{
		"order":       func(tx storage.Tx) error { _, err := storage.Orders(tx).Get(ctx, created.ID); return err },
		"payment":     func(tx storage.Tx) error { _, err := storage.Payments(tx).Get(ctx, pay.ID); return err },
		"fulfillment": func(tx storage.Tx) error { _, err := storage.Fulfillments(tx).Get(ctx, ful.ID); return err },
		"shipment":    func(tx storage.Tx) error { _, err := storage.Shipments(tx).Get(ctx, shp.ID); return err },
		"return":      func(tx storage.Tx) error { _, err := storage.Returns(tx).Get(ctx, ret.ID); return err },
		"reservation": func(tx storage.Tx) error { _, err := storage.Reservations(tx).Get(ctx, res.ID); return err },
		"location":    func(tx storage.Tx) error { _, err := tx.Inventory().GetLocation(ctx, newLoc.ID); return err },
		"item":        func(tx storage.Tx) error { _, err := tx.Inventory().GetItem(ctx, newSKU); return err },
		"idempotency": func(tx storage.Tx) error { _, err := tx.Idempotency().Get(ctx, key); return err },
	}
	for what, get := range notFound {
		requireErrorIs(t, txErr(ctx, st, tenant, get), storage.ErrNotFound, "the rolled-back %s is visible", what)
	}
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		fo, err := storage.Fulfillments(tx).Get(ctx, w.fulfillment.ID)
		require.NoError(t, err)
		requireJSONEq(t, w.fulfillment, fo, "the rolled-back fulfillment update is visible")
		return nil
	})
	claimed, err := st.Outbox().Claim(ctx, "relay", 100, time.Now(), time.Minute)
	require.NoError(t, err)
	require.Empty(t, claimed, "a rolled-back event is claimable")

	// The store still works, including on the rows fn had touched.
	again := created.Clone()
	again.Version = 0
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		require.NoError(t, storage.Orders(tx).Create(ctx, again))
		upd, err := storage.Orders(tx).Get(ctx, w.other.ID)
		require.NoError(t, err)
		require.NoError(t, storage.Orders(tx).Update(ctx, upd))
		_, _, err = tx.Inventory().ApplyMovement(ctx, movement(t, tenant, skuTee, loc, inventory.MovementReserve, 2, w.order.ID, at(2*time.Hour)))
		require.NoError(t, err)
		require.NoError(t, tx.Inventory().CreateLocation(ctx, newLoc))
		require.NoError(t, tx.Idempotency().Put(ctx, storage.IdempotencyRecord{Key: key, Operation: "place_order", ResourceID: created.ID, CreatedAt: at(2 * time.Hour)}))
		return tx.Outbox().Append(ctx, event)
	})
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		got, err := storage.Orders(tx).Get(ctx, created.ID)
		require.NoError(t, err)
		requireJSONEq(t, again, got)
		requireLevel(t, tx, skuTee, loc, 10, 2)
		return nil
	})
	claimed, err = st.Outbox().Claim(ctx, "relay", 100, time.Now(), time.Minute)
	require.NoError(t, err)
	require.Len(t, claimed, 1)
	require.Equal(t, event.ID, claimed[0].ID)
}

// atomicReservation races many transactions reserving one unit each of a
// stock of 20: exactly 20 succeed and nothing is oversold.
func (s suite) atomicReservation(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	w := seed(t, ctx, st, tenantName("flash"))
	tenant, loc := w.tenant, w.loc.ID
	const stock, buyers = 20, 50
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		_, _, err := tx.Inventory().ApplyMovement(ctx, movement(t, tenant, skuTee, loc, inventory.MovementReceive, stock, uuid.Nil, at(0)))
		return err
	})

	var (
		wg           sync.WaitGroup
		mu           sync.Mutex
		ok, shortage int
	)
	start := make(chan struct{})
	for i := range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			when := at(time.Duration(i+1) * time.Millisecond)
			err := retryTx(ctx, st, tenant, func(tx storage.Tx) error {
				m, err := inventory.NewMovement(newID(), tenant, skuTee, loc, inventory.MovementReserve, 1, w.order.ID, "flash sale", when)
				if err != nil {
					return err
				}
				if _, _, err := tx.Inventory().ApplyMovement(ctx, m); err != nil {
					return err
				}
				r, err := inventory.NewReservation(newID(), tenant, w.order.ID, w.order.Lines[0].ID, skuTee, loc, 1, when)
				if err != nil {
					return err
				}
				return storage.Reservations(tx).Create(ctx, r)
			})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case assert.ErrorIs(t, err, inventory.ErrInsufficientStock, "a refused reservation fails with ErrInsufficientStock"):
				shortage++
			}
		}()
	}
	close(start)
	wg.Wait()
	require.Equal(t, stock, ok, "successful reservations")
	require.Equal(t, buyers-stock, shortage, "refused reservations")

	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		requireLevel(t, tx, skuTee, loc, stock, stock)
		if s.features.Ledger {
			reserves := 0
			for _, m := range s.ledger(t, ctx, tx, storage.MovementFilter{SKU: skuTee, LocationID: loc}) {
				if m.Kind == inventory.MovementReserve {
					reserves++
				}
			}
			require.Equal(t, stock, reserves, "reserve movements in the ledger")
		}
		rs, err := storage.ListReservations(ctx, tx, storage.ReservationFilter{SKU: skuTee})
		require.NoError(t, err)
		require.Len(t, rs, stock, "reservations stored")
		return nil
	})
}
