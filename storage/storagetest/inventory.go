package storagetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ordersmith/oms/address"
	"github.com/ordersmith/oms/inventory"
	"github.com/ordersmith/oms/storage"
)

// inventory checks the inventory repository.
func (s suite) inventory(t *testing.T) {
	t.Parallel()
	t.Run("Items", s.items)
	t.Run("Locations", s.locations)
	t.Run("StockLevels", s.stockLevels)
	t.Run("StockLevelsOfManySKUs", s.stockLevelsOfManySKUs)
	t.Run("GetItems", s.getItems)
	t.Run("GetLocations", s.getLocations)
	t.Run("Prefetch", s.prefetch)
	t.Run("ApplyMovement", s.applyMovement)
	t.Run("ApplyMovements", s.applyMovements)
	t.Run("RefusedMovements", s.refusedMovements)
	t.Run("Movements", s.movements)
	t.Run("Reservations", s.reservations)
}

func (s suite) items(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("items")

	err := txErr(ctx, st, tenant, func(tx storage.Tx) error {
		_, err := tx.Inventory().GetItem(ctx, skuTee)
		return err
	})
	requireErrorIs(t, err, storage.ErrNotFound, "GetItem of a missing SKU")

	tee := inventory.Item{Tenant: tenant, SKU: skuTee, Name: "T-shirt, medium", CreatedAt: at(0)}
	mug := inventory.Item{Tenant: tenant, SKU: skuMug, Name: "Mug", CreatedAt: at(time.Second)}
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		require.NoError(t, tx.Inventory().PutItem(ctx, tee))
		require.NoError(t, tx.Inventory().PutItem(ctx, mug))
		got, err := tx.Inventory().GetItem(ctx, skuTee)
		require.NoError(t, err)
		requireJSONEq(t, tee, got, "GetItem in the transaction that put it")
		return nil
	})
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		got, err := tx.Inventory().GetItem(ctx, skuTee)
		require.NoError(t, err)
		requireJSONEq(t, tee, got, "GetItem after PutItem")
		return nil
	})

	// PutItem replaces.
	tee2 := inventory.Item{Tenant: tenant, SKU: skuTee, Name: "T-shirt, medium (organic)", CreatedAt: at(time.Hour)}
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error { return tx.Inventory().PutItem(ctx, tee2) })
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		got, err := tx.Inventory().GetItem(ctx, skuTee)
		require.NoError(t, err)
		requireJSONEq(t, tee2, got, "GetItem after a replacing PutItem")
		got, err = tx.Inventory().GetItem(ctx, skuMug)
		require.NoError(t, err)
		requireJSONEq(t, mug, got, "replacing one item changed another")
		return nil
	})
}

func (s suite) locations(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("locations")

	west := buildLocation(tenant, "WH-WEST", at(0))
	west.Coordinates = inventory.Coordinates{Lat: 37.7749, Lon: -122.4194}
	// Every part of a location's address and its time zone are kept.
	west.Address = address.Address{Name: "West DC", Company: "Acme Inc.", Line1: "1 Market St", Line2: "Dock 7",
		City: "San Francisco", Region: "CA", PostalCode: "94105", Country: "US", Phone: "+1 415 555 0100"}
	west.TimeZone = "America/Los_Angeles"
	store := buildLocation(tenant, "STORE-1", at(time.Minute))
	store.Active = false
	store.Priority = 0
	east := buildLocation(tenant, "WH-EAST", at(2*time.Minute))
	east.Coordinates = inventory.Coordinates{Lat: -33.8688, Lon: 151.2093}

	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		for _, l := range []*inventory.Location{west, store} {
			require.NoError(t, tx.Inventory().CreateLocation(ctx, l))
		}
		return nil
	})
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error { return tx.Inventory().CreateLocation(ctx, east) })

	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		for _, l := range []*inventory.Location{west, store, east} {
			got, err := tx.Inventory().GetLocation(ctx, l.ID)
			require.NoError(t, err)
			requireJSONEq(t, l, got, "GetLocation %s", l.Code)
		}
		all, err := tx.Inventory().ListLocations(ctx)
		require.NoError(t, err)
		requireJSONEq(t, []*inventory.Location{store, east, west}, all, "ListLocations orders by code")
		return nil
	})

	err := txErr(ctx, st, tenant, func(tx storage.Tx) error {
		_, err := tx.Inventory().GetLocation(ctx, newID())
		return err
	})
	requireErrorIs(t, err, storage.ErrNotFound, "GetLocation of a missing ID")

	sameCode := buildLocation(tenant, "WH-WEST", at(time.Hour))
	err = txErr(ctx, st, tenant, func(tx storage.Tx) error { return tx.Inventory().CreateLocation(ctx, sameCode) })
	requireErrorIs(t, err, storage.ErrDuplicate, "CreateLocation with an existing code")

	sameID := buildLocation(tenant, "WH-NORTH", at(time.Hour))
	sameID.ID = east.ID
	err = txErr(ctx, st, tenant, func(tx storage.Tx) error { return tx.Inventory().CreateLocation(ctx, sameID) })
	requireErrorIs(t, err, storage.ErrDuplicate, "CreateLocation with an existing ID")

	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		all, err := tx.Inventory().ListLocations(ctx)
		require.NoError(t, err)
		requireJSONEq(t, []*inventory.Location{store, east, west}, all, "refused CreateLocation calls changed the locations")
		return nil
	})
}

// levelKey is the part of a stock level every adapter must report the same.
type levelKey struct {
	Tenant     string
	SKU        string
	LocationID uuid.UUID
	OnHand     int64
	Reserved   int64
}

func keyOf(l inventory.StockLevel) levelKey {
	return levelKey{Tenant: l.Tenant, SKU: l.SKU, LocationID: l.LocationID, OnHand: l.OnHand, Reserved: l.Reserved}
}

func keysOf(ls []inventory.StockLevel) []levelKey {
	out := make([]levelKey, 0, len(ls))
	for _, l := range ls {
		out = append(out, keyOf(l))
	}
	return out
}

// requireLevel requires the stock level of sku at loc to be onHand and
// reserved, and returns it.
func requireLevel(t *testing.T, tx storage.Tx, sku string, loc uuid.UUID, onHand, reserved int64) inventory.StockLevel {
	t.Helper()
	levels, err := tx.Inventory().StockLevels(t.Context(), []string{sku})
	require.NoError(t, err)
	for _, l := range levels {
		if l.LocationID == loc {
			require.Equal(t, levelKey{Tenant: tx.Tenant(), SKU: sku, LocationID: loc, OnHand: onHand, Reserved: reserved}, keyOf(l))
			return l
		}
	}
	require.Failf(t, "no stock level", "%s at %s", sku, loc)
	return inventory.StockLevel{}
}

func (s suite) stockLevels(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("levels")
	l1 := buildLocation(tenant, "WH-1", at(0))
	l2 := buildLocation(tenant, "WH-2", at(0))
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		require.NoError(t, tx.Inventory().CreateLocation(ctx, l1))
		return tx.Inventory().CreateLocation(ctx, l2)
	})

	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		levels, err := tx.Inventory().StockLevels(ctx, nil)
		require.NoError(t, err)
		require.Empty(t, levels, "StockLevels of an empty store")
		return nil
	})

	receipts := []struct {
		sku string
		loc uuid.UUID
		qty int64
	}{{skuTee, l1.ID, 5}, {skuTee, l2.ID, 3}, {skuMug, l1.ID, 7}, {skuCap, l2.ID, 1}, {skuTee, l1.ID, 2}}
	last := map[levelKey]inventory.StockLevel{}
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		for i, r := range receipts {
			lvl, _, err := tx.Inventory().ApplyMovement(ctx,
				movement(t, tenant, r.sku, r.loc, inventory.MovementReceive, r.qty, uuid.Nil, at(time.Duration(i)*time.Second)))
			require.NoError(t, err)
			last[levelKey{SKU: r.sku, LocationID: r.loc}] = lvl
		}
		return nil
	})

	sorted := func(ls ...inventory.StockLevel) []levelKey {
		// by SKU then location ID text
		out := keysOf(ls)
		for i := range out {
			for j := i + 1; j < len(out); j++ {
				a, b := out[i], out[j]
				if b.SKU < a.SKU || (b.SKU == a.SKU && b.LocationID.String() < a.LocationID.String()) {
					out[i], out[j] = b, a
				}
			}
		}
		return out
	}
	lv := func(sku string, loc uuid.UUID) inventory.StockLevel { return last[levelKey{SKU: sku, LocationID: loc}] }
	teeL1, teeL2, mugL1, capL2 := lv(skuTee, l1.ID), lv(skuTee, l2.ID), lv(skuMug, l1.ID), lv(skuCap, l2.ID)
	require.EqualValues(t, 7, teeL1.OnHand)

	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		all, err := tx.Inventory().StockLevels(ctx, nil)
		require.NoError(t, err)
		require.Equal(t, sorted(teeL1, teeL2, mugL1, capL2), keysOf(all), "StockLevels(nil) returns every level, by SKU then location")
		for _, got := range all {
			want := lv(got.SKU, got.LocationID)
			require.Equal(t, want.Version, got.Version, "StockLevels reports the Version ApplyMovement returned")
			require.True(t, want.UpdatedAt.Equal(got.UpdatedAt), "UpdatedAt: ApplyMovement returned %v, StockLevels %v", want.UpdatedAt, got.UpdatedAt)
		}

		some, err := tx.Inventory().StockLevels(ctx, []string{skuTee})
		require.NoError(t, err)
		require.Equal(t, sorted(teeL1, teeL2), keysOf(some), "StockLevels of one SKU")

		some, err = tx.Inventory().StockLevels(ctx, []string{skuMug, skuCap, "NO-SUCH-SKU"})
		require.NoError(t, err)
		require.Equal(t, sorted(capL2, mugL1), keysOf(some), "StockLevels of several SKUs")

		none, err := tx.Inventory().StockLevels(ctx, []string{"NO-SUCH-SKU"})
		require.NoError(t, err)
		require.Empty(t, none, "StockLevels of an unknown SKU")
		return nil
	})
}

func (s suite) applyMovement(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	w := seed(t, ctx, st, tenantName("movements"))
	tenant, loc, oid := w.tenant, w.loc.ID, w.order.ID

	steps := []struct {
		kind              inventory.MovementKind
		qty               int64
		orderID           uuid.UUID
		onHand, reserved  int64
		dOnHand, dReserve int64
	}{
		{inventory.MovementReceive, 10, uuid.Nil, 10, 0, 10, 0},
		{inventory.MovementAdjust, -2, uuid.Nil, 8, 0, -2, 0},
		{inventory.MovementAdjust, 1, uuid.Nil, 9, 0, 1, 0},
		{inventory.MovementReserve, 4, oid, 9, 4, 0, 4},
		{inventory.MovementRelease, 1, oid, 9, 3, 0, -1},
		{inventory.MovementShip, 2, oid, 7, 1, -2, -2},
		{inventory.MovementRestock, 3, oid, 10, 1, 3, 0},
	}
	var ledger []inventory.Movement
	var prevVersion int64
	apply := func(tx storage.Tx, i int) {
		t.Helper()
		step := steps[i]
		m := movement(t, tenant, skuSock, loc, step.kind, step.qty, step.orderID, at(time.Duration(i+1)*time.Minute))
		lvl, applied, err := tx.Inventory().ApplyMovement(ctx, m)
		require.NoError(t, err, "movement %d (%s %d)", i, step.kind, step.qty)
		require.Equal(t, levelKey{tenant, skuSock, loc, step.onHand, step.reserved}, keyOf(lvl), "level after %s %d", step.kind, step.qty)
		if i > 0 {
			require.Equal(t, prevVersion+1, lvl.Version, "each movement bumps the level's Version by one")
		}
		prevVersion = lvl.Version
		require.True(t, m.At.Equal(lvl.UpdatedAt), "the level's UpdatedAt is the movement's At")
		want := m
		want.OnHandAfter, want.ReservedAfter = step.onHand, step.reserved
		require.Equal(t, step.dOnHand, applied.OnHandDelta)
		require.Equal(t, step.dReserve, applied.ReservedDelta)
		requireJSONEq(t, want, applied, "the applied movement has its after-values filled")
		ledger = append(ledger, applied)
	}
	// Several movements in one transaction, then one per transaction.
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		for i := range 3 {
			apply(tx, i)
		}
		requireLevel(t, tx, skuSock, loc, 9, 0)
		return nil
	})
	for i := 3; i < len(steps); i++ {
		inTx(t, ctx, st, tenant, func(tx storage.Tx) error { apply(tx, i); return nil })
	}
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		requireLevel(t, tx, skuSock, loc, 10, 1)
		if s.features.Ledger {
			got := s.ledger(t, ctx, tx, storage.MovementFilter{SKU: skuSock})
			requireJSONEq(t, ledger, got, "the ledger holds every applied movement, oldest first")
		}
		return nil
	})
}

func (s suite) refusedMovements(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	w := seed(t, ctx, st, tenantName("refused"))
	tenant, loc, oid := w.tenant, w.loc.ID, w.order.ID

	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		for _, m := range []inventory.Movement{
			movement(t, tenant, skuSock, loc, inventory.MovementReceive, 10, uuid.Nil, at(time.Minute)),
			movement(t, tenant, skuSock, loc, inventory.MovementReserve, 1, oid, at(2*time.Minute)),
		} {
			if _, _, err := tx.Inventory().ApplyMovement(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	var before inventory.StockLevel
	var ledgerBefore []inventory.Movement
	snapshot := func() (inventory.StockLevel, []inventory.Movement) {
		t.Helper()
		var lvl inventory.StockLevel
		var ledger []inventory.Movement
		inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
			lvl = requireLevel(t, tx, skuSock, loc, 10, 1)
			ledger = s.ledger(t, ctx, tx, storage.MovementFilter{})
			return nil
		})
		return lvl, ledger
	}
	before, ledgerBefore = snapshot()
	if s.features.Ledger {
		require.Len(t, ledgerBefore, 2)
	}

	short := []struct {
		name string
		m    inventory.Movement
	}{
		{"reserve more than available", movement(t, tenant, skuSock, loc, inventory.MovementReserve, 10, oid, at(time.Hour))},
		{"release more than reserved", movement(t, tenant, skuSock, loc, inventory.MovementRelease, 2, oid, at(time.Hour))},
		{"ship more than reserved", movement(t, tenant, skuSock, loc, inventory.MovementShip, 2, oid, at(time.Hour))},
		{"adjust below reserved", movement(t, tenant, skuSock, loc, inventory.MovementAdjust, -10, uuid.Nil, at(time.Hour))},
		{"adjust below zero", movement(t, tenant, skuSock, loc, inventory.MovementAdjust, -11, uuid.Nil, at(time.Hour))},
	}
	for _, c := range short {
		err := txErr(ctx, st, tenant, func(tx storage.Tx) error {
			_, _, err := tx.Inventory().ApplyMovement(ctx, c.m)
			return err
		})
		requireErrorIs(t, err, inventory.ErrInsufficientStock, c.name)
		var se *inventory.ShortageError
		require.True(t, errors.As(err, &se), "%s: the error is a *inventory.ShortageError: %v", c.name, err)
		require.Len(t, se.Shortages, 1)
		require.Equal(t, skuSock, se.Shortages[0].SKU)
	}

	// A movement whose deltas do not match its kind is refused too.
	bad := movement(t, tenant, skuSock, loc, inventory.MovementReceive, 5, uuid.Nil, at(time.Hour))
	bad.OnHandDelta = 50
	err := txErr(ctx, st, tenant, func(tx storage.Tx) error {
		_, _, err := tx.Inventory().ApplyMovement(ctx, bad)
		return err
	})
	requireErrorIs(t, err, inventory.ErrInvalidInput, "a movement with forged deltas")

	// A shortage on a SKU that has no level at the location yet.
	err = txErr(ctx, st, tenant, func(tx storage.Tx) error {
		_, _, err := tx.Inventory().ApplyMovement(ctx, movement(t, tenant, skuCap, loc, inventory.MovementReserve, 1, oid, at(time.Hour)))
		return err
	})
	requireErrorIs(t, err, inventory.ErrInsufficientStock, "reserving a SKU never received")

	// An unknown location.
	err = txErr(ctx, st, tenant, func(tx storage.Tx) error {
		_, _, err := tx.Inventory().ApplyMovement(ctx, movement(t, tenant, skuSock, newID(), inventory.MovementReceive, 5, uuid.Nil, at(time.Hour)))
		return err
	})
	requireErrorIs(t, err, storage.ErrNotFound, "a movement at an unknown location")

	after, ledgerAfter := snapshot()
	require.Equal(t, before.Version, after.Version, "refused movements changed the level's Version")
	requireJSONEq(t, ledgerBefore, ledgerAfter, "refused movements changed the ledger")
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		levels, err := tx.Inventory().StockLevels(ctx, nil)
		require.NoError(t, err)
		require.Equal(t, []levelKey{keyOf(before)}, keysOf(levels), "refused movements left levels behind")
		return nil
	})
}

// movements checks the ledger's filters when the store claims a ledger,
// and that storage.Movements reports errors.ErrUnsupported when it does
// not.
func (s suite) movements(t *testing.T) {
	t.Parallel()
	if !s.features.Ledger {
		ctx := ctxFor(t)
		st := s.store(t)
		w := seed(t, ctx, st, tenantName("no-ledger"))
		err := txErr(ctx, st, w.tenant, func(tx storage.Tx) error {
			_, err := storage.Movements(ctx, tx, storage.MovementFilter{})
			return err
		})
		requireErrorIs(t, err, errors.ErrUnsupported, "storage.Movements on a store that claims no ledger")
		return
	}
	s.movementFilters(t)
}

// movementFilters checks storage.Movements's filters on a store with a
// ledger.
func (s suite) movementFilters(t *testing.T) {
	ctx := ctxFor(t)
	st := s.store(t)
	w := seed(t, ctx, st, tenantName("ledger"))
	tenant := w.tenant
	l1, l2 := w.loc.ID, newID()
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		l := buildLocation(tenant, "WH-WEST", at(0))
		l.ID = l2
		return tx.Inventory().CreateLocation(ctx, l)
	})
	oa, ob := w.order.ID, w.other.ID
	specs := []struct {
		sku     string
		loc     uuid.UUID
		kind    inventory.MovementKind
		qty     int64
		orderID uuid.UUID
	}{
		{skuTee, l1, inventory.MovementReceive, 20, uuid.Nil},
		{skuTee, l2, inventory.MovementReceive, 20, uuid.Nil},
		{skuMug, l1, inventory.MovementReceive, 5, uuid.Nil},
		{skuTee, l1, inventory.MovementReserve, 2, oa},
		{skuMug, l1, inventory.MovementReserve, 1, oa},
		{skuTee, l2, inventory.MovementReserve, 3, ob},
		{skuTee, l1, inventory.MovementShip, 2, oa},
		{skuTee, l2, inventory.MovementRelease, 3, ob},
		{skuMug, l1, inventory.MovementAdjust, -1, uuid.Nil},
	}
	var all []inventory.Movement
	for i, sp := range specs {
		inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
			_, applied, err := tx.Inventory().ApplyMovement(ctx, movement(t, tenant, sp.sku, sp.loc, sp.kind, sp.qty, sp.orderID, at(time.Duration(i)*time.Minute)))
			all = append(all, applied)
			return err
		})
	}
	pick := func(keep func(m inventory.Movement) bool) []inventory.Movement {
		out := []inventory.Movement{}
		for _, m := range all {
			if keep(m) {
				out = append(out, m)
			}
		}
		return out
	}
	cases := []struct {
		name string
		f    storage.MovementFilter
		keep func(m inventory.Movement) bool
	}{
		{"none", storage.MovementFilter{}, func(inventory.Movement) bool { return true }},
		{"sku", storage.MovementFilter{SKU: skuTee}, func(m inventory.Movement) bool { return m.SKU == skuTee }},
		{"location", storage.MovementFilter{LocationID: l2}, func(m inventory.Movement) bool { return m.LocationID == l2 }},
		{"order", storage.MovementFilter{OrderID: oa}, func(m inventory.Movement) bool { return m.OrderID == oa }},
		{"sku+location", storage.MovementFilter{SKU: skuTee, LocationID: l1}, func(m inventory.Movement) bool { return m.SKU == skuTee && m.LocationID == l1 }},
		{"sku+order", storage.MovementFilter{SKU: skuMug, OrderID: oa}, func(m inventory.Movement) bool { return m.SKU == skuMug && m.OrderID == oa }},
		{"all three", storage.MovementFilter{SKU: skuTee, LocationID: l2, OrderID: ob}, func(m inventory.Movement) bool {
			return m.SKU == skuTee && m.LocationID == l2 && m.OrderID == ob
		}},
		{"no match", storage.MovementFilter{SKU: skuCap}, func(m inventory.Movement) bool { return false }},
	}
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		for _, c := range cases {
			got := s.ledger(t, ctx, tx, c.f)
			want := pick(c.keep)
			if len(want) == 0 {
				require.Empty(t, got, c.name)
				continue
			}
			requireJSONEq(t, want, got, "Movements filter %s", c.name)
		}
		return nil
	})
}

func (s suite) reservations(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	w := seed(t, ctx, st, tenantName("reservations"))
	tenant, loc := w.tenant, w.loc.ID

	r1 := buildReservation(t, tenant, w.order, 0, loc, 2, at(time.Hour))   // order A, TEE
	r2 := buildReservation(t, tenant, w.order, 1, loc, 1, at(2*time.Hour)) // order A, MUG
	r3 := buildReservation(t, tenant, w.other, 0, loc, 4, at(3*time.Hour)) // order B, TEE
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		for _, r := range []*inventory.Reservation{r3, r1} {
			require.NoError(t, storage.Reservations(tx).Create(ctx, r))
		}
		return nil
	})
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error { return storage.Reservations(tx).Create(ctx, r2) })
	for _, r := range []*inventory.Reservation{r1, r2, r3} {
		require.EqualValues(t, 1, r.Version, "CreateReservation sets Version to 1")
	}

	list := func(f storage.ReservationFilter) []*inventory.Reservation {
		t.Helper()
		var got []*inventory.Reservation
		inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
			var err error
			got, err = storage.ListReservations(ctx, tx, f)
			return err
		})
		return got
	}
	requireJSONEq(t, []*inventory.Reservation{r1, r2, r3}, list(storage.ReservationFilter{}), "every reservation, oldest first")
	requireJSONEq(t, []*inventory.Reservation{r1, r2}, list(storage.ReservationFilter{OrderID: w.order.ID}), "by order")
	requireJSONEq(t, []*inventory.Reservation{r1, r3}, list(storage.ReservationFilter{SKU: skuTee}), "by SKU")
	requireJSONEq(t, []*inventory.Reservation{r1}, list(storage.ReservationFilter{OrderID: w.order.ID, SKU: skuTee}), "by order and SKU")
	requireJSONEq(t, []*inventory.Reservation{r1, r2, r3}, list(storage.ReservationFilter{Status: inventory.ReservationOpen}), "open")
	require.Empty(t, list(storage.ReservationFilter{Status: inventory.ReservationReleased}), "released, before any release")
	require.Empty(t, list(storage.ReservationFilter{OrderID: newID()}), "an order without reservations")

	// UpdateReservation round trip.
	require.NoError(t, r2.Release(at(4*time.Hour)))
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error { return storage.Reservations(tx).Update(ctx, r2) })
	require.EqualValues(t, 2, r2.Version, "UpdateReservation bumps Version")
	require.NoError(t, r3.MarkShipped(at(5*time.Hour)))
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error { return storage.Reservations(tx).Update(ctx, r3) })
	requireJSONEq(t, []*inventory.Reservation{r1, r2, r3}, list(storage.ReservationFilter{}), "after UpdateReservation")
	requireJSONEq(t, []*inventory.Reservation{r2}, list(storage.ReservationFilter{Status: inventory.ReservationReleased}), "released")
	requireJSONEq(t, []*inventory.Reservation{r3}, list(storage.ReservationFilter{Status: inventory.ReservationShipped, SKU: skuTee}), "shipped TEE")
	requireJSONEq(t, []*inventory.Reservation{r1}, list(storage.ReservationFilter{Status: inventory.ReservationOpen}), "open after updates")

	dup := r1.Clone()
	err := txErr(ctx, st, tenant, func(tx storage.Tx) error { return storage.Reservations(tx).Create(ctx, dup) })
	requireErrorIs(t, err, storage.ErrDuplicate, "CreateReservation of an existing ID")
	requireJSONEq(t, []*inventory.Reservation{r1, r2, r3}, list(storage.ReservationFilter{}), "a refused CreateReservation changed the reservations")
}

// reservationVersions checks UpdateReservation's optimistic versions.
func (s suite) reservationVersions(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	w := seed(t, ctx, st, tenantName("resv"))
	r := buildReservation(t, w.tenant, w.order, 0, w.loc.ID, 2, at(time.Hour))
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error { return storage.Reservations(tx).Create(ctx, r) })
	require.EqualValues(t, 1, r.Version)

	stale := r.Clone()
	require.NoError(t, r.Release(at(2*time.Hour)))
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error { return storage.Reservations(tx).Update(ctx, r) })
	require.EqualValues(t, 2, r.Version)

	require.NoError(t, stale.MarkShipped(at(3*time.Hour)))
	err := txErr(ctx, st, w.tenant, func(tx storage.Tx) error { return storage.Reservations(tx).Update(ctx, stale) })
	requireErrorIs(t, err, storage.ErrConflict, "UpdateReservation with a stale Version")
	inTx(t, ctx, st, w.tenant, func(tx storage.Tx) error {
		got, err := storage.ListReservations(ctx, tx, storage.ReservationFilter{OrderID: w.order.ID})
		require.NoError(t, err)
		requireJSONEq(t, []*inventory.Reservation{r}, got, "a stale UpdateReservation changed the row")
		return nil
	})

	missing := buildReservation(t, w.tenant, w.order, 1, w.loc.ID, 1, at(time.Hour))
	missing.Version = 1
	err = txErr(ctx, st, w.tenant, func(tx storage.Tx) error { return storage.Reservations(tx).Update(ctx, missing) })
	requireErrorIs(t, err, storage.ErrNotFound, "UpdateReservation of a missing reservation")
}

// manySKUs is more SKUs than a SQL statement may have parameters (SQLite
// allows 32,766): StockLevels must answer for any number.
const manySKUs = 40_000

func (s suite) stockLevelsOfManySKUs(t *testing.T) {
	t.Parallel()
	ctx := ctxFor(t)
	st := s.store(t)
	tenant := tenantName("many-skus")
	loc := buildLocation(tenant, "WH-1", at(0))
	skus := make([]string, manySKUs)
	for i := range skus {
		skus[i] = fmt.Sprintf("SKU-%05d", manySKUs-1-i) // descending: the store sorts
	}
	// Only every 1000th SKU has a level: the point is the query.
	var want []string
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		require.NoError(t, tx.Inventory().CreateLocation(ctx, loc))
		for i := 0; i < manySKUs; i += 1000 {
			sku := fmt.Sprintf("SKU-%05d", i)
			want = append(want, sku)
			if _, _, err := tx.Inventory().ApplyMovement(ctx,
				movement(t, tenant, sku, loc.ID, inventory.MovementReceive, int64(i+1), uuid.Nil, at(0))); err != nil {
				return err
			}
		}
		return nil
	})
	query := append(slices.Clone(skus), skus[:100]...) // duplicates count once
	inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
		levels, err := tx.Inventory().StockLevels(ctx, query)
		require.NoError(t, err, "StockLevels of %d SKUs", len(query))
		got := make([]string, 0, len(levels))
		for _, l := range levels {
			require.Equal(t, loc.ID, l.LocationID)
			got = append(got, l.SKU)
		}
		require.Equal(t, want, got, "StockLevels of %d SKUs, by SKU", len(query))
		return nil
	})
}

// getItems checks storage.GetItems, with the store's storage.ItemBatcher
// if it has one and with the ability hidden: the items of the tenant and
// of the transaction's own writes, each once, and nothing for SKUs not in
// the catalogue or of another tenant.
func (s suite) getItems(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		hide bool
	}{{"GetItems", false}, {"Fallback", true}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			ctx := ctxFor(t)
			st := s.store(t)
			tenant, other := tenantName("items"), tenantName("other")
			inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
				require.NoError(t, tx.Inventory().PutItem(ctx, inventory.Item{Tenant: tenant, SKU: skuTee, Name: "T-shirt", CreatedAt: at(0)}))
				return tx.Inventory().PutItem(ctx, inventory.Item{Tenant: tenant, SKU: skuMug, Name: "Mug", CreatedAt: at(time.Second)})
			})
			inTx(t, ctx, st, other, func(tx storage.Tx) error {
				return tx.Inventory().PutItem(ctx, inventory.Item{Tenant: other, SKU: "CAP", Name: "Cap", CreatedAt: at(0)})
			})
			inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
				require.NoError(t, tx.Inventory().PutItem(ctx, inventory.Item{Tenant: tenant, SKU: "HAT", Name: "Hat", CreatedAt: at(2 * time.Second)}))
				if mode.hide {
					tx = withoutAbilities{tx}
				}
				got, err := storage.GetItems(ctx, tx, []string{skuTee, skuMug, skuTee, "HAT", "NOPE", "CAP"})
				require.NoError(t, err)
				require.Len(t, got, 3, "TEE, MUG and HAT, each once: %v", got)
				for sku, name := range map[string]string{skuTee: "T-shirt", skuMug: "Mug", "HAT": "Hat"} {
					require.Contains(t, got, sku)
					it := got[sku]
					require.Equal(t, sku, it.SKU)
					require.Equal(t, name, it.Name)
					require.Equal(t, tenant, it.Tenant)
				}
				require.True(t, got[skuMug].CreatedAt.Equal(at(time.Second)), "created at %v", got[skuMug].CreatedAt)
				none, err := storage.GetItems(ctx, tx, nil)
				require.NoError(t, err)
				require.Empty(t, none)
				return nil
			})
		})
	}
}

// getLocations checks storage.GetLocations, with the store's
// storage.LocationBatcher if it has one and with the ability hidden: the
// tenant's locations of the IDs, the transaction's own too, each once,
// ordered by code, and nothing for IDs of no location or of another
// tenant's.
func (s suite) getLocations(t *testing.T) {
	t.Parallel()
	for _, mode := range []struct {
		name string
		hide bool
	}{{"GetLocations", false}, {"Fallback", true}} {
		t.Run(mode.name, func(t *testing.T) {
			t.Parallel()
			ctx := ctxFor(t)
			st := s.store(t)
			tenant, other := tenantName("locations"), tenantName("other")
			west, east, store := buildLocation(tenant, "WH-WEST", at(0)), buildLocation(tenant, "WH-EAST", at(0)), buildLocation(tenant, "ST-01", at(0))
			theirs := buildLocation(other, "WH-THEIRS", at(0))
			inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
				require.NoError(t, tx.Inventory().CreateLocation(ctx, west))
				return tx.Inventory().CreateLocation(ctx, store)
			})
			inTx(t, ctx, st, other, func(tx storage.Tx) error { return tx.Inventory().CreateLocation(ctx, theirs) })
			inTx(t, ctx, st, tenant, func(tx storage.Tx) error {
				require.NoError(t, tx.Inventory().CreateLocation(ctx, east))
				if mode.hide {
					tx = withoutAbilities{tx}
				}
				got, err := storage.GetLocations(ctx, tx, []uuid.UUID{west.ID, theirs.ID, east.ID, newID(), west.ID})
				require.NoError(t, err)
				requireJSONEq(t, []*inventory.Location{east, west}, got, "WH-EAST and WH-WEST, each once, by code")
				none, err := storage.GetLocations(ctx, tx, nil)
				require.NoError(t, err)
				require.Empty(t, none)
				missing, err := storage.GetLocations(ctx, tx, []uuid.UUID{theirs.ID})
				require.NoError(t, err)
				require.Empty(t, missing, "another tenant's location")
				return nil
			})
		})
	}
}
